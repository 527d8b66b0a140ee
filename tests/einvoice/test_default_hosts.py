"""No e-invoice adapter defaults to a production host: a sandbox/demo host, or the URL required."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from connectors.core import ConfigError
from connectors.einvoice.bkav import BkavInvoiceSettings
from connectors.einvoice.misa import MisaInvoiceSettings
from connectors.einvoice.viettel import ViettelInvoice, ViettelInvoiceSettings
from connectors.einvoice.vnpt import VnptInvoiceSettings

PRODUCTION_HOSTS = ("api-vinvoice.viettel.vn", "api.meinvoice.vn", "ws.ehoadon.vn")


@pytest.mark.parametrize(
    ("settings", "default"),
    [
        (VnptInvoiceSettings, None),  # each customer has its own host
        (ViettelInvoiceSettings, None),  # production and test hosts differ per account
        (MisaInvoiceSettings, "https://testapi.meinvoice.vn/api/integration"),
        (BkavInvoiceSettings, "https://wsdemo.ehoadon.vn/WSPublicEHoaDon.asmx"),
    ],
)
def test_the_default_base_url_is_a_test_host_or_none(settings: type, default: str | None) -> None:
    field = settings.model_fields["base_url"]
    assert default == (None if field.is_required() else field.default)
    assert urlsplit(default or "").hostname not in PRODUCTION_HOSTS


def test_viettel_without_a_url_names_the_setting_and_sends_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CONNECTORS_VIETTEL_SINVOICE_BASE_URL", raising=False)
    with pytest.raises(ConfigError) as raised:
        ViettelInvoice(username="0100109106-509", password="x", supplier_tax_code="0100109106")
    assert "CONNECTORS_VIETTEL_SINVOICE_BASE_URL" in str(raised.value)


def test_viettel_from_the_environment_takes_the_url_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_BASE_URL", "https://viettel.sim.test")
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_USERNAME", "0100109106-509")
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_PASSWORD", "sim-password")
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_SUPPLIER_TAX_CODE", "0100109106")
    assert "https://viettel.sim.test" == ViettelInvoice.from_env().settings.base_url
