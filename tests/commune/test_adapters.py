"""`build`: a TOML file and the environment become working adapters, against the bundled
simulators; switching vendors is an edit of the file, never of the portal's code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from connectors.banks import PaymentRequest
from connectors.commune import Adapters, build, load
from connectors.core import ConfigError
from connectors.delivery import SqliteOutbox
from connectors.einvoice import Buyer, Line, Receipt
from connectors.sms import Message, RoutingSender, SmsErrorCode
from tests.commune.simulated import Commune, serve_commune

SERVED = [
    ("payments", "vnpay"),
    ("payments", "sepay"),
    ("einvoice", "viettel"),
    ("einvoice", "misa"),
    ("sms", "mobifone"),
    ("sms", "viettel"),
    ("feedback", "ihanoi"),
]


@pytest.fixture
def commune(tmp_path: Path) -> Iterator[Commune]:
    with ExitStack() as stack:
        yield serve_commune(stack, tmp_path, SERVED)


def issue_fee_receipt(adapters: Adapters, code: str) -> str:
    """The portal's code: it never names a vendor."""
    receipt = Receipt(
        seller=adapters.config.seller,
        buyer=Buyer(name="Nguyễn Văn Thử"),
        template="EBL01",
        symbol="26T",
        lines=(Line.fee("Lệ phí chứng thực", 20_000),),
        dossier_code=code,
    )
    return adapters.invoices.issue(receipt, idempotency_key=f"{code}:receipt").key


@pytest.mark.parametrize(("chosen", "other"), [("viettel", "misa"), ("misa", "viettel")])
def test_switching_the_einvoice_vendor_is_an_edit_of_the_file(
    commune: Commune, chosen: str, other: str
) -> None:
    config = load(commune.write(einvoice=chosen, sms=["mobifone"]), environ=commune.environ)
    with build(config) as adapters:
        assert chosen == adapters.invoices.name
        assert "HS2026000101:receipt" == issue_fee_receipt(adapters, "HS2026000101")
    issued = commune.simulator("einvoice", chosen).ledger.entries("invoice")
    assert ["HS2026000101:receipt"] == [entry.key for entry in issued]
    assert [] == commune.simulator("einvoice", other).ledger.entries("invoice")


def test_every_configured_provider_is_ready_to_use(commune: Commune) -> None:
    config = load(commune.write(einvoice="viettel", sms=["mobifone"]), environ=commune.environ)
    with build(config) as adapters:
        assert ["vnpay"] == list(adapters.payments)  # SePay is a bank feed, not a gateway
        intent = adapters.payments["vnpay"].create_payment(
            PaymentRequest(
                dossier_code="HS2026000102",
                amount=50_000,
                description="HS2026000102 le phi",
                return_url="https://portal.example/return",
            )
        )
        assert intent.redirect_url
        result = adapters.sms.send(
            Message(
                "0912345678",
                template_id="paid",
                params={"dossier": "HS2026000102", "amount": "50.000", "code": "AB12"},
            ),
            idempotency_key="HS2026000102:sms",
        )
        assert ("mobifone", True) == (result.provider, result.accepted)
        assert adapters.feedback is not None
        assert [] == list(adapters.feedback.list_updated().items)
        assert isinstance(adapters.outbox, SqliteOutbox)
        assert commune.folder / "outbox.db" == Path(adapters.outbox.path)
    [text] = commune.simulator("sms", "mobifone").sent()
    assert text.data["text"].startswith("Ho so HS2026000102 da thanh toan 50.000 dong")
    sepay: Any = config.settings("payments", "sepay")
    expected = commune.environ["CONNECTORS_SEPAY_WEBHOOK_HMAC_SECRET"]
    assert expected == sepay.webhook_hmac_secret.get_secret_value()


def test_several_sms_providers_fail_over_in_the_files_order(commune: Commune) -> None:
    config = load(
        commune.write(einvoice=None, sms=["viettel", "mobifone"]), environ=commune.environ
    )
    commune.simulator("sms", "viettel").force(SmsErrorCode.AUTH)
    with build(config) as adapters:
        sender = adapters.sms
        assert isinstance(sender, RoutingSender)
        assert ("viettel", "mobifone") == sender.default
        params = {"dossier": "HS2026000103", "amount": "8.000", "code": "CD34"}
        result = sender.send(Message("0912345678", template_id="paid", params=params))
        assert ("mobifone", ("viettel",)) == (result.provider, result.tried)
        with pytest.raises(ConfigError) as caught:
            _ = adapters.invoices
        assert "einvoice" == caught.value.field
    assert 1 == len(commune.simulator("sms", "mobifone").sent())
    assert [] == commune.simulator("sms", "viettel").sent()


def test_a_given_outbox_is_used_and_left_open(commune: Commune, tmp_path: Path) -> None:
    config = load(commune.write(einvoice="viettel", sms=[]), environ=commune.environ)
    with SqliteOutbox(tmp_path / "elsewhere.db") as outbox:
        with build(config, outbox=outbox) as adapters:
            assert outbox is adapters.outbox
            with pytest.raises(ConfigError):
                _ = adapters.sms
        assert {} == {state: n for state, n in outbox.counts().items() if n}  # still open


def test_a_client_that_refuses_its_settings_closes_what_was_opened(commune: Commune) -> None:
    path = commune.write(einvoice="viettel", sms=["mobifone"])
    config = load(path, environ=commune.environ)
    broken = config.sms[0].settings.model_copy(update={"brandname": "NOTINLIST"})
    bad = type(config)(
        commune=config.commune,
        sms=(type(config.sms[0])(config.sms[0].provider, broken),),
        templates=config.templates,
        folder=config.folder,
    )
    with pytest.raises(ConfigError) as caught:
        build(bad)
    assert "sms.mobifone.brandname" == caught.value.field
    assert not (commune.folder / "outbox.db").exists(), "the outbox is opened last"
