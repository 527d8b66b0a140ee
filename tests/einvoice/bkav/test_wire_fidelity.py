"""BKAV's codes as its interface document and a partner's integration give them (issue 11
point 2), and a simulator that refuses what BKAV refuses. Raw commands are encrypted with
the partner key and posted by hand, without the adapter."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests
from lxml import etree

from connectors.core import RetryPolicy, Timeouts, Transport, ValidationError, parse_xml
from connectors.einvoice import DocumentStatus, Invoice, Line, PaymentMethod, Receipt, Seller
from connectors.einvoice.bkav import (
    BkavInvoice,
    BkavInvoiceSettings,
    BkavKey,
    decode_json,
    encode_json,
)
from connectors.einvoice.bkav.wire import (
    CMD,
    DEFAULT_PROFILE,
    invoice_object,
    original_identify,
    parse_original_identify,
)
from connectors.testing import mount
from connectors.testing.simulators.einvoice.bkav import BkavInvoiceSimulator
from connectors.vn import VN_TZ

HOST = "https://bkav.sim.test"
URL = HOST + "/WSPublicEHoaDon.asmx"
GUID = "00000000-test-4000-8000-000000000001"
KEY = BkavKey(bytes(range(32)), bytes(range(16, 32)))
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
T = "{http://tempuri.org/}"
SELLER = Seller(name="UBND Phường Thử Nghiệm", tax_code="0100109106", address="Hà Nội")
WHEN = datetime(2025, 6, 1, 9, 30, tzinfo=VN_TZ)


@pytest.fixture
def sim() -> Iterator[BkavInvoiceSimulator]:
    simulator = BkavInvoiceSimulator(sleep=lambda _s: None)
    with mount(simulator, HOST):
        yield simulator


def client() -> BkavInvoice:
    settings = BkavInvoiceSettings(
        base_url=URL, partner_guid=GUID, partner_token=KEY.token(), tax_code="0100109106"
    )
    transport = Transport(
        "bkav",
        timeouts=Timeouts(connect=0.5, read=1.0, total=20),
        retry=RetryPolicy(max_attempts=3, sleep=lambda _s: None),
    )
    return BkavInvoice(settings, transport=transport)


def receipt(payment: PaymentMethod = PaymentMethod.CASH_OR_TRANSFER) -> Receipt:
    return Receipt(
        seller=SELLER,
        template="EBL01",
        symbol="25T",
        issued_at=WHEN,
        payment_method=payment,
        lines=[Line.fee("Lệ phí chứng thực", 50_000)],
    )


def vat_invoice() -> Invoice:
    return Invoice(
        seller=SELLER,
        template="1",
        symbol="C25TAA",
        issued_at=WHEN,
        payment_method=PaymentMethod.TRANSFER,
        lines=[Line(name="Dịch vụ", quantity=1, unit_price=100_000, tax_rate="10%")],
    )


def raw(cmd_type: int, command_object: Any) -> dict[str, Any]:
    """Send one encrypted command to the simulator; the decrypted result envelope."""
    data = encode_json({"CmdType": cmd_type, "CommandObject": command_object}, KEY)
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope")
    call = etree.SubElement(etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body"), f"{T}ExecCommand")
    etree.SubElement(call, f"{T}partnerGUID").text = GUID
    etree.SubElement(call, f"{T}CommandData").text = data
    response = requests.post(
        URL,
        data=etree.tostring(envelope),
        headers={"SOAPAction": '"http://tempuri.org/ExecCommand"', "Content-Type": "text/xml"},
        timeout=5,
    )
    result = parse_xml(response.content).findtext(
        f"{{{SOAP_ENV}}}Body/{T}ExecCommandResponse/{T}ExecCommandResult"
    )
    answer: dict[str, Any] = decode_json(result or "", KEY)
    return answer


def decode(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-invoice results of a create (``Object`` is a JSON string of a list)."""
    obj = answer["Object"]
    rows: list[dict[str, Any]] = json.loads(obj) if isinstance(obj, str) else obj
    return rows


def old_create(key: str) -> dict[str, Any]:
    """A create as the adapter used to send it: ItemTypeID 1 for a fee, PayMethod "TM/CK"
    as a string (no PayMethodID), InvoiceTypeID as a string, an unbracketed original."""
    return {
        "Invoice": {
            "InvoiceTypeID": "1",
            "InvoiceDate": "2025-06-01",
            "InvoiceForm": "1",
            "InvoiceSerial": "C25TAA",
            "InvoiceNo": 0,
            "PayMethod": "TM/CK",
            "CurrencyID": "VND",
            "ExchangeRate": 1,
        },
        "ListInvoiceDetailsWS": [
            {
                "ItemTypeID": 1,
                "ItemName": "Lệ phí",
                "Qty": 1,
                "Price": 50000,
                "Amount": 50000,
                "TaxRateID": 4,
                "TaxAmount": 0,
            }
        ],
        "PartnerInvoiceID": 0,
        "PartnerInvoiceStringID": key,
    }


def test_codes_sent_are_bkavs() -> None:
    fee = invoice_object(receipt(), key="k-1", issued_at=WHEN)
    goods = invoice_object(vat_invoice(), key="k-2", issued_at=WHEN)
    assert [7] == [d["ItemTypeID"] for d in fee["ListInvoiceDetailsWS"]]  # lệ phí
    assert [0] == [d["ItemTypeID"] for d in goods["ListInvoiceDetailsWS"]]  # goods/service
    assert (3, 2) == (fee["Invoice"]["PayMethodID"], goods["Invoice"]["PayMethodID"])
    assert 1 == goods["Invoice"]["InvoiceTypeID"]
    assert isinstance(fee["Invoice"]["InvoiceTypeID"], int)
    assert "PayMethod" not in fee["Invoice"]
    assert "2025-06-01T09:30:00+07:00" == fee["Invoice"]["InvoiceDate"]
    assert [3] == [d["TaxRateID"] for d in goods["ListInvoiceDetailsWS"]]  # 10 %


def test_original_invoice_identify_has_brackets() -> None:
    assert "[01GTKT0/001]_[AA/17E]_[0000001]" == original_identify(
        "01GTKT0/001", "AA/17E", "0000001"
    )
    assert ("1", "C25TAA", 12) == parse_original_identify("[1]_[C25TAA]_[12]")
    assert parse_original_identify("1_C25TAA_12") is None


def test_a_payment_method_bkav_has_no_code_for_is_refused_before_sending(
    sim: BkavInvoiceSimulator,
) -> None:
    with pytest.raises(ValidationError) as raised:
        client().issue(receipt(PaymentMethod.OFFSET), "k-offset")
    assert "payment_method" == raised.value.field
    assert [] == sim.seen


def test_the_old_create_is_refused(sim: BkavInvoiceSimulator) -> None:
    answer = raw(CMD.create, [old_create("k-old")])
    assert 0 == answer["Status"]  # the envelope is fine; the invoice is not
    (row,) = decode(answer)
    assert 1 == row["Status"]
    assert "InvoiceTypeID" in row["MessLog"]
    fixed = old_create("k-old")
    fixed["Invoice"]["InvoiceTypeID"] = 1
    (row,) = decode(raw(CMD.create, [fixed]))
    assert "PayMethodID" in row["MessLog"]
    assert 0 == sim.ledger.count("create")


def test_an_unknown_item_type_is_refused(sim: BkavInvoiceSimulator) -> None:
    item = invoice_object(vat_invoice(), key="k-99", issued_at=WHEN)
    item["ListInvoiceDetailsWS"][0]["ItemTypeID"] = 99
    (row,) = decode(raw(CMD.create, [item]))
    assert (1, "Dòng 1: ItemTypeID không hợp lệ") == (row["Status"], row["MessLog"])
    item["ListInvoiceDetailsWS"][0]["ItemTypeID"] = 0
    (row,) = decode(raw(CMD.create, [item]))
    assert 0 == row["Status"]
    entry = sim.ledger.find("create", "k-99")
    assert entry is not None
    assert ([0], 2) == (entry.data["item_types"], entry.data["pay_method"])


def test_an_unbracketed_original_is_not_found(sim: BkavInvoiceSimulator) -> None:
    bkav = client()
    issued = bkav.issue(vat_invoice(), "k-orig")
    item = invoice_object(
        vat_invoice(), key="k-repl", issued_at=WHEN, original=f"1_C25TAA_{issued.number}"
    )
    (row,) = decode(raw(CMD.replace, [item]))
    assert (1, "Hóa đơn gốc không tồn tại") == (row["Status"], row["MessLog"])
    assert DocumentStatus.ISSUED == bkav.status("k-orig")


def test_replaced_and_adjusted_are_reported_as_such(sim: BkavInvoiceSimulator) -> None:
    bkav = client()
    bkav.issue(vat_invoice(), "k-a")
    bkav.replace("k-a", vat_invoice(), reason="Sai", idempotency_key="k-b")
    bkav.adjust("k-b", vat_invoice(), reason="Tăng", idempotency_key="k-c")
    assert (9, 10, 8) == tuple(sim.invoices[k].status for k in ("k-a", "k-b", "k-c"))
    statuses = [bkav.status(k) for k in ("k-a", "k-b", "k-c")]
    assert [DocumentStatus.REPLACED, DocumentStatus.ADJUSTED, DocumentStatus.ISSUED] == statuses


@pytest.mark.parametrize(
    ("status_id", "expected"),
    [
        (1, DocumentStatus.PENDING),
        (2, DocumentStatus.ISSUED),
        (3, DocumentStatus.CANCELLED),
        (5, DocumentStatus.ISSUED),
        (6, DocumentStatus.ISSUED),
        (9, DocumentStatus.REPLACED),
        (10, DocumentStatus.ADJUSTED),
    ],
)
def test_status_ids_follow_bkavs_table(status_id: int, expected: DocumentStatus) -> None:
    assert expected == DEFAULT_PROFILE.invoice_statuses[status_id]


def test_a_key_used_before_answers_the_existing_invoice(sim: BkavInvoiceSimulator) -> None:
    bkav = client()
    first = bkav.issue(vat_invoice(), "k-twice")
    (row,) = decode(raw(CMD.create, [invoice_object(vat_invoice(), key="k-twice", issued_at=WHEN)]))
    assert 1 == row["Status"]
    assert row["MessLog"].startswith("Đã tồn tại Hóa đơn")
    assert first.lookup_code == row["MTC"]
    assert first == bkav.issue(vat_invoice(), "k-twice")
    assert 1 == sim.ledger.count("create", "k-twice")


def test_cancel_twice_answers_already_cancelled_and_the_adapter_returns_it(
    sim: BkavInvoiceSimulator,
) -> None:
    bkav = client()
    bkav.issue(vat_invoice(), "k-cancel")
    assert DocumentStatus.CANCELLED == bkav.cancel("k-cancel", "Lập sai").status
    again = raw(
        CMD.cancel_by_partner_id,
        [{"Invoice": {"Reason": "x"}, "PartnerInvoiceID": 0, "PartnerInvoiceStringID": "k-cancel"}],
    )
    assert (1, "Hóa đơn này đã được Hủy.") == (again["Status"], again["Object"])
    entry = sim.ledger.find("cancel", "k-cancel")
    assert entry is not None
    assert "Lập sai" == entry.data["reason"]
