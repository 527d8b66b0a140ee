"""BKAV eHoadon adapter against its simulator: encrypted commands, lookups, ledger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from lxml import etree

from connectors.core import (
    ConfigError,
    NotFound,
    OutcomeUnknown,
    ProviderError,
    ValidationError,
    parse_xml,
)
from connectors.einvoice import Buyer, DocumentStatus, Invoice, Line, Receipt, Seller
from connectors.einvoice.bkav import BkavInvoice, BkavKey, decode_json
from connectors.einvoice.gdt import check_returned
from connectors.testing import (
    Reset,
    Status,
    TimeoutAfterCommit,
    TimeoutBeforeProcessing,
    mount,
    serve,
)
from connectors.testing.simulators.einvoice.bkav import BkavInvoiceSimulator
from connectors.vn import VN_TZ
from tests.einvoice import vendors

HOST = "https://bkav.sim.test"
PATH = "/WSPublicEHoaDon.asmx"
URL = HOST + PATH
GUID = "00000000-test-4000-8000-000000000001"
TOKEN = BkavKey(bytes(range(32)), bytes(range(16, 32))).token()
KEY = "hs-0001-receipt-key"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def receipt(amount: int = 50_000) -> Receipt:
    return Receipt(
        seller=Seller(name="UBND Phường Thử Nghiệm", tax_code="0100109106", address="Hà Nội"),
        buyer=Buyer(name="Nguyễn Văn Thử"),
        template="EBL01",
        symbol="25T",
        issued_at=datetime(2025, 6, 1, 9, 30, tzinfo=VN_TZ),
        lines=[Line.fee("Lệ phí chứng thực", amount)],
    )


def invoice() -> Invoice:
    return Invoice(
        seller=Seller(name="UBND Phường Thử Nghiệm", tax_code="0100109106", address="Hà Nội"),
        buyer=Buyer(legal_name="Công ty TNHH Mẫu Thử", tax_code="0100109106-712"),
        template="1",
        symbol="C25TAA",
        issued_at=datetime(2025, 6, 1, 9, 30, tzinfo=VN_TZ),
        lines=[
            Line(name="Dịch vụ", quantity=2, unit_price=1_006, tax_rate="10%"),
            Line(name="Khác", quantity=1, unit_price=1_000, tax_rate="KHAC:3.50%"),
            Line(name="Phí", quantity=1, unit_price=5_000, tax_rate="KCT"),
        ],
    )


def client(url: str = URL, *, guid: str = GUID, read: float = 0.5) -> BkavInvoice:
    overrides = {"partner_guid": guid}
    return vendors.client("bkav", url.removesuffix(PATH), read=read, settings_overrides=overrides)


@pytest.fixture
def sim() -> Iterator[BkavInvoiceSimulator]:
    simulator = vendors.simulator("bkav")
    with mount(simulator, HOST) as mock:
        simulator.mock = mock  # type: ignore[attr-defined]
        yield simulator


def test_issue_creates_then_signs_and_numbers(sim: BkavInvoiceSimulator) -> None:
    issued = client().issue(receipt(), KEY)
    assert (KEY, "1", "EBL01", "25T", DocumentStatus.ISSUED) == (
        issued.key,
        issued.number,
        issued.template,
        issued.symbol,
        issued.status,
    )
    assert issued.lookup_code
    assert [110, 800, 205, 800] == sim.commands
    assert 1 == sim.ledger.count("create", KEY)
    assert 1 == sim.ledger.count("sign", KEY)


def test_the_wire_carries_only_encrypted_command_data(sim: BkavInvoiceSimulator) -> None:
    client().create(receipt(), KEY)
    sent = sim.mock.calls[0].request  # type: ignore[attr-defined]
    body = sent.body if isinstance(sent.body, bytes) else sent.body.encode()
    assert b"L\xe1\xbb\x87 ph\xc3\xad" not in body  # "Lệ phí" never in clear text
    assert KEY.encode() not in body
    envelope = parse_xml(body)
    data = envelope.findtext(
        f"{{{SOAP_ENV}}}Body/{{http://tempuri.org/}}ExecCommand/{{http://tempuri.org/}}CommandData"
    )
    assert data is not None
    command = decode_json(data, BkavKey.parse(TOKEN))
    assert 110 == command["CmdType"]
    entry = command["CommandObject"][0]
    assert KEY == entry["PartnerInvoiceStringID"]
    assert {"InvoiceForm": "EBL01", "InvoiceSerial": "25T", "InvoiceNo": 0} == {
        k: entry["Invoice"][k] for k in ("InvoiceForm", "InvoiceSerial", "InvoiceNo")
    }
    assert [
        {
            "ItemTypeID": 7,  # a receipt's fee line (lệ phí), BKAV's code
            "ItemName": "Lệ phí chứng thực",
            "UnitName": "lần",
            "Qty": 1,
            "Price": 50000,
            "DiscountAmount": 0,
            "Amount": 50000,
            "TaxRateID": 4,
            "TaxRate": "0",
            "TaxAmount": 0,
            "IsDiscount": False,
        }
    ] == entry["ListInvoiceDetailsWS"]
    assert "http://tempuri.org/ExecCommand" in sent.headers["SOAPAction"]


def test_timeout_after_create_commits_leaves_one_invoice(sim: BkavInvoiceSimulator) -> None:
    sim.faults.add("create", TimeoutAfterCommit(1.0))
    issued = client().issue(receipt(), KEY)
    assert "1" == issued.number
    assert 1 == sim.ledger.count("create", KEY)
    assert 1 == len(sim.requests_to("create"))  # found by key: never re-sent
    assert 1 == len(sim.requests_to("sign"))


def test_timeout_before_processing_creates_once(sim: BkavInvoiceSimulator) -> None:
    sim.faults.add("create", TimeoutBeforeProcessing(1.0))
    issued = client().issue(receipt(), KEY)
    assert DocumentStatus.ISSUED == issued.status
    assert 2 == len(sim.requests_to("create"))
    assert 1 == sim.ledger.count("create")
    assert 1 == sim.ledger.count("sign")


def test_a_rerun_with_the_same_key_returns_the_same_invoice(sim: BkavInvoiceSimulator) -> None:
    first = client().issue(receipt(), KEY)
    again = client().issue(receipt(), KEY)
    assert (first.number, first.lookup_code) == (again.number, again.lookup_code)
    assert 1 == sim.ledger.count("create")
    assert 1 == sim.ledger.count("sign")


def test_consecutive_numbers_per_series(sim: BkavInvoiceSimulator) -> None:
    bkav = client()
    numbers = [bkav.issue(receipt()).number for _ in range(3)]
    assert ["1", "2", "3"] == numbers
    assert "1" == bkav.issue(invoice()).number  # another series starts at 1


def test_nothing_reaches_bkav_and_lookups_fail_is_outcome_unknown(
    sim: BkavInvoiceSimulator,
) -> None:
    sim.faults.add("*", Reset(), times=30)
    with pytest.raises(OutcomeUnknown) as raised:
        client().create(receipt(), KEY)
    assert KEY == raised.value.idempotency_key
    assert 0 == sim.ledger.count("create")


def test_wrong_partner_guid_is_a_soap_fault(sim: BkavInvoiceSimulator) -> None:
    with pytest.raises(ProviderError) as raised:
        client(guid="00000000-test-4000-8000-0000000000ff").get(KEY)
    assert "partnerGUID không hợp lệ" == raised.value.vendor_message
    assert "00000000-test-4000-8000-0000000000ff" not in str(raised.value.context())


def test_an_unreadable_result_is_malformed_response(sim: BkavInvoiceSimulator) -> None:
    body = (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
        '<ExecCommandResponse xmlns="http://tempuri.org/"><ExecCommandResult>bm90IGVuY3J5cHRlZA=='
        "</ExecCommandResult></ExecCommandResponse></soap:Body></soap:Envelope>"
    ).encode()
    sim.faults.add("detail", Status(200, body, "text/xml"))
    with pytest.raises(ProviderError) as raised:
        client().get(KEY)
    assert "malformed_response" == raised.value.code


def test_get_unknown_is_not_found(sim: BkavInvoiceSimulator) -> None:
    with pytest.raises(NotFound) as raised:
        client().get("no-such-key")
    assert "not_found" == raised.value.code


def test_cancel_is_recorded_once(sim: BkavInvoiceSimulator) -> None:
    bkav = client()
    bkav.issue(receipt(), KEY)
    assert DocumentStatus.CANCELLED == bkav.cancel(KEY, "Thu sai").status
    assert DocumentStatus.CANCELLED == bkav.cancel(KEY, "Thu sai").status
    assert 1 == sim.ledger.count("cancel", KEY)
    with pytest.raises(ValidationError) as raised:
        bkav.cancel(KEY, "")
    assert "reason" == raised.value.field


def test_replace_and_adjust(sim: BkavInvoiceSimulator) -> None:
    bkav = client()
    bkav.issue(receipt(), KEY)
    new = bkav.replace(KEY, receipt(60_000), reason="Sai số tiền")
    assert DocumentStatus.REPLACED == bkav.status(KEY)
    assert "2" == new.number
    assert "[EBL01]_[25T]_[1]" == sim.invoices[new.key].obj["Invoice"]["OriginalInvoiceIdentify"]
    adjusted = bkav.adjust(new.key, receipt(10_000), reason="Bổ sung")
    assert DocumentStatus.ADJUSTED == bkav.status(new.key)
    root = parse_xml(bkav.download(adjusted.key, "xml"))
    assert "2" == root.findtext("DLHDon/TTChung/TTHDLQuan/TCHDon")


def test_downloaded_xml_is_signed_and_matches_what_was_sent(sim: BkavInvoiceSimulator) -> None:
    bkav = client()
    doc = invoice()
    bkav.issue(doc, KEY)
    data = bkav.download(KEY, "xml")
    checked = check_returned(doc, data, trusted_certificate=sim.credentials.certificate)
    assert 1 == checked.parsed.document.number
    assert bkav.download(KEY).startswith(b"%PDF-")
    assert "KHAC:3.50%" in etree.tostring(parse_xml(data)).decode()


def test_over_a_loopback_socket() -> None:
    sim = BkavInvoiceSimulator()
    with serve(sim) as base:
        issued = client(base + "/WSPublicEHoaDon.asmx", read=5.0).issue(receipt(), KEY)
    assert "1" == issued.number


def test_settings_and_token_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_BKAV_PARTNER_GUID", GUID)
    monkeypatch.setenv("CONNECTORS_BKAV_PARTNER_TOKEN", TOKEN)
    monkeypatch.setenv("CONNECTORS_BKAV_TAX_CODE", "0100109106")
    bkav = BkavInvoice.from_env()
    assert "https://wsdemo.ehoadon.vn/WSPublicEHoaDon.asmx" == bkav.settings.base_url
    monkeypatch.setenv("CONNECTORS_BKAV_PARTNER_TOKEN", "not-a-token")
    with pytest.raises(ConfigError) as raised:
        BkavInvoice.from_env()
    assert "partner_token" == raised.value.field
