"""Issue 13: every banks name that was renamed or moved still works for one release, and
warns naming its replacement."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from connectors.banks.codes import PAYMENT_ERRORS, PaymentErrorCode
from connectors.banks.momo import MomoGateway, MomoGatewaySettings
from connectors.banks.payos import PayosGateway, PayosGatewaySettings
from connectors.banks.sepay import DEFAULT_PROFILE as SEPAY_PROFILE
from connectors.banks.sepay import SepayTransactions, SepayTransactionsSettings, SepayWebhook
from connectors.banks.vnpay import VnpayGateway, VnpayGatewaySettings
from connectors.testing.examples import ipn_wsgi
from connectors.testing.simulators.banks import base as simulator_base
from connectors.testing.simulators.banks import delivery, momo, payos, sepay, vnpay

RENAMED = [
    ("connectors.banks.vnpay", "VNPay", VnpayGateway),
    ("connectors.banks.vnpay", "VNPaySettings", VnpayGatewaySettings),
    ("connectors.banks.vnpay", "VNPaySimulator", vnpay.VnpayGatewaySimulator),
    ("connectors.banks.vnpay.client", "VNPay", VnpayGateway),
    ("connectors.banks.vnpay.client", "VNPaySettings", VnpayGatewaySettings),
    ("connectors.banks.vnpay.simulator", "VNPaySimulator", vnpay.VnpayGatewaySimulator),
    ("connectors.banks.vnpay.simulator", "Outcome", vnpay.Outcome),
    ("connectors.banks.momo", "MoMo", MomoGateway),
    ("connectors.banks.momo", "MoMoSettings", MomoGatewaySettings),
    ("connectors.banks.momo", "MoMoSimulator", momo.MomoGatewaySimulator),
    ("connectors.banks.momo.client", "MoMo", MomoGateway),
    ("connectors.banks.momo.client", "MoMoSettings", MomoGatewaySettings),
    ("connectors.banks.momo.simulator", "MoMoSimulator", momo.MomoGatewaySimulator),
    ("connectors.banks.momo.simulator", "Outcome", momo.Outcome),
    ("connectors.banks.payos", "PayOS", PayosGateway),
    ("connectors.banks.payos", "PayOSSettings", PayosGatewaySettings),
    ("connectors.banks.payos", "PayOSSimulator", payos.PayosGatewaySimulator),
    ("connectors.banks.payos.client", "PayOS", PayosGateway),
    ("connectors.banks.payos.client", "PayOSSettings", PayosGatewaySettings),
    ("connectors.banks.payos.simulator", "PayOSSimulator", payos.PayosGatewaySimulator),
    ("connectors.banks.payos.simulator", "Outcome", payos.Outcome),
    ("connectors.banks.sepay", "SePaySettings", SepayTransactionsSettings),
    ("connectors.banks.sepay", "SePayTransactions", SepayTransactions),
    ("connectors.banks.sepay", "SePayWebhook", SepayWebhook),
    ("connectors.banks.sepay", "SePaySimulator", sepay.SepayTransactionsSimulator),
    ("connectors.banks.sepay", "WIRE", SEPAY_PROFILE),
    ("connectors.banks.sepay", "Delivery", sepay.Delivery),
    ("connectors.banks.sepay", "DeliveryAttempt", sepay.DeliveryAttempt),
    ("connectors.banks.sepay", "WebhookRequest", sepay.WebhookRequest),
    ("connectors.banks.sepay.config", "SePaySettings", SepayTransactionsSettings),
    ("connectors.banks.sepay.transactions", "SePayTransactions", SepayTransactions),
    ("connectors.banks.sepay.webhook", "SePayWebhook", SepayWebhook),
    ("connectors.banks.sepay.wire", "WIRE", SEPAY_PROFILE),
    ("connectors.banks.sepay.simulator", "SePaySimulator", sepay.SepayTransactionsSimulator),
    ("connectors.banks.sepay.simulator", "Delivery", sepay.Delivery),
    ("connectors.banks.sepay.simulator", "DeliveryAttempt", sepay.DeliveryAttempt),
    ("connectors.banks.sepay.simulator", "WebhookRequest", sepay.WebhookRequest),
    ("connectors.banks.ipn_delivery", "OUTCOMES", simulator_base.OUTCOMES),
    ("connectors.banks.ipn_delivery", "checkout_page", simulator_base.checkout_page),
    ("connectors.banks.ipn_delivery", "DeliveryAttempt", delivery.DeliveryAttempt),
    ("connectors.banks.ipn_delivery", "WSGIApp", delivery.WSGIApp),
    ("connectors.banks.ipn_delivery", "deliver", delivery.deliver),
    ("connectors.banks.ipn_delivery", "in_background", delivery.in_background),
    ("connectors.banks.ipn_delivery", "send_callback", delivery.send_callback),
    ("connectors.banks.ipn_example", "PortalApp", ipn_wsgi.PortalApp),
    ("connectors.banks.ipn_example", "main", ipn_wsgi.main),
]


@pytest.mark.parametrize(("module", "old", "new"), RENAMED, ids=lambda v: str(v))
def test_an_old_name_warns_and_is_the_new_object(module: str, old: str, new: object) -> None:
    imported = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{module}.{old} is deprecated"):
        assert new is getattr(imported, old)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    import connectors.banks.vnpay as package

    with pytest.raises(AttributeError):
        package.VNPayGateway  # noqa: B018


def test_old_simulator_modules_no_longer_load_the_testing_side_on_import() -> None:
    for name in ("vnpay", "momo", "payos", "sepay"):
        module = importlib.import_module(f"connectors.banks.{name}")
        assert not any("Simulator" in export for export in module.__all__)


def test_provider_error_warns_and_maps_through_the_table() -> None:
    from connectors.banks.base import provider_error

    with pytest.warns(DeprecationWarning, match="PAYMENT_ERRORS"):
        error = provider_error(PaymentErrorCode.NOT_FOUND, "no", provider="vnpay")
    expected = PAYMENT_ERRORS.error(PaymentErrorCode.NOT_FOUND, "no", provider="vnpay")
    assert (type(expected), expected.code) == (type(error), error.code)


def test_provider_is_now_name() -> None:
    for client in (
        SepayWebhook(hmac_secret="fake-webhook-secret-09"),
        SepayTransactions(api_token="fake-api-token-0009"),
    ):
        with pytest.warns(DeprecationWarning, match=r"\.provider is deprecated"):
            assert "sepay" == client.provider == client.name


def test_the_old_example_command_still_runs_with_a_warning() -> None:
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-W", "default::DeprecationWarning", "-m", "connectors.banks.ipn_example"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert 0 == done.returncode, done.stderr
    assert "querydr: paid 50000 VND" in done.stdout
    assert "use python -m connectors.testing.examples.ipn_wsgi" in done.stderr
