"""The VNPT adapter against its simulator: SOAP on the wire, every ERR:n, fallbacks, recovery."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors.core import (
    AuthError,
    Duplicate,
    NotFound,
    OutcomeUnknown,
    ProviderUnavailable,
    Rejected,
    RequestEvent,
    parse_xml,
)
from connectors.einvoice import DocumentStatus, Invoice, Line, Receipt, ResultCode, Seller
from connectors.einvoice.codes import ERROR_CLASSES
from connectors.einvoice.vnpt import ERR_CODES, VnptInvoice
from connectors.einvoice.vnpt.wire import code_for
from connectors.testing import Reset, TimeoutAfterCommit, mount
from connectors.testing.simulators.einvoice.vnpt import VnptInvoiceSimulator
from connectors.vn import VN_TZ
from tests.einvoice.vnpt.helpers import URL, make_client
from tests.testing.pdftext import text_lines

SELLER = Seller(name="UBND Phường Thử", tax_code="0100109106", address="Số 1 Phố Thử")
KEY = "HS-000123:receipt"
SOAP = "{http://schemas.xmlsoap.org/soap/envelope/}"
T = "{http://tempuri.org/}"


def receipt(**changes: object) -> Receipt:
    values: dict[str, object] = {
        "seller": SELLER,
        "template": "EBL01",
        "symbol": "25T",
        "lines": [Line.fee("Lệ phí chứng thực", 50_000, quantity=2)],
        "issued_at": datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ),
        **changes,
    }
    return Receipt(**values)


def test_publish_is_one_soap_call_with_fkey_in_the_xml() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL) as mock:
        issued = make_client().issue(receipt(), idempotency_key=KEY)
        publish = mock.calls[0].request
    assert f"{URL}/PublishService.asmx" == publish.url
    assert '"http://tempuri.org/ImportAndPublishInv"' == publish.headers["SOAPAction"]
    call = parse_xml(publish.body).find(f"{SOAP}Body/{T}ImportAndPublishInv")
    assert call is not None
    params = {child.tag.removeprefix(T): child.text for child in call}
    assert ("sim-admin", "EBL01", "25T", "0") == (
        params["Account"],
        params["pattern"],
        params["serial"],
        params["convert"],
    )
    data = parse_xml(params["xmlInvData"] or "")
    assert KEY == data.findtext("HDon/key")
    assert "2025-06-01" == data.findtext("HDon/DLHDon/TTChung/NLap")
    assert "100000" == data.findtext("HDon/DLHDon/NDHDon/TToan/TgTTTBSo")
    assert "Một trăm nghìn đồng" == data.findtext("HDon/DLHDon/NDHDon/TToan/TgTTTBChu")
    assert "KCT" == data.findtext("HDon/DLHDon/NDHDon/DSHHDVu/HHDVu/TSuat")
    assert ("1", "EBL01", "25T") == (issued.number, issued.template, issued.symbol)
    assert sim.invoices[KEY].lookup_code == issued.lookup_code
    assert 1 == sim.ledger.count("invoice", KEY)


def test_invoice_template_pattern_and_vat_lines() -> None:
    sim = VnptInvoiceSimulator()
    doc = Invoice(
        seller=SELLER,
        template="1",
        symbol="C25TAA",
        lines=[Line(name="Dịch vụ", quantity=2, unit_price=1006, tax_rate="10%")],
    )
    with mount(sim, URL):
        issued = make_client().issue(doc, idempotency_key=KEY)
    entry = sim.ledger.find("invoice", KEY)
    assert entry is not None
    assert ("1/001", "C25TAA", 2213) == (
        entry.data["pattern"],
        entry.data["serial"],
        entry.data["total"],
    )
    assert ("1", "C25TAA") == (issued.template, issued.symbol)


ERR_NUMBERS: list[str] = sorted(ERR_CODES, key=int)


@pytest.mark.parametrize("number", ERR_NUMBERS)
def test_every_err_code_is_mapped_with_the_raw_code_kept(number: str) -> None:
    sim = VnptInvoiceSimulator()
    sim.answer_next("listInvByCusFkey", f"ERR:{number}:chi tiet")
    expected = ERR_CODES[number].code
    with mount(sim, URL), pytest.raises(ERROR_CLASSES[expected]) as raised:
        make_client().get(KEY)
    error = raised.value
    assert (expected.value, f"ERR:{number}", "chi tiet", "vnpt", "listInvByCusFkey") == (
        error.code,
        error.vendor_code,
        error.vendor_message,
        error.provider,
        error.operation,
    )


def test_err_13_means_duplicate_on_publish_only() -> None:
    assert ResultCode.DUPLICATE == code_for("ImportAndPublishInv", "13").code
    assert ResultCode.INVALID_DATA == code_for("cancelInv", "13").code
    assert ResultCode.INVALID_DATA == code_for("cancelInv", "999").code


def test_err_13_with_no_document_under_the_key_is_a_duplicate() -> None:
    sim = VnptInvoiceSimulator()
    sim.answer_next("ImportAndPublishInv", "ERR:13")
    with mount(sim, URL), pytest.raises(Duplicate) as raised:
        make_client().issue(receipt(), idempotency_key=KEY)
    assert "ERR:13" == raised.value.vendor_code
    assert 1 == len(sim.requests_to("listInvByCusFkey"))  # looked up before giving up


def test_a_key_used_by_an_earlier_run_returns_that_invoice() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL):
        first = make_client().issue(receipt(), idempotency_key=KEY)
        again = make_client().issue(receipt(), idempotency_key=KEY)  # e.g. after a crash
    assert first.number == again.number
    assert 1 == sim.ledger.count("invoice")
    assert 2 == len(sim.requests_to("ImportAndPublishInv"))  # the second answered ERR:13


def test_wrong_account_is_an_auth_error() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL), pytest.raises(AuthError) as raised:
        make_client(account_password="not-the-password").issue(receipt(), idempotency_key=KEY)
    assert "ERR:1" == raised.value.vendor_code
    assert 0 == len(sim.ledger)


def test_back_dating_is_refused() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL):
        client = make_client()
        client.issue(receipt(), idempotency_key="K-1")
        with pytest.raises(Rejected) as raised:
            client.issue(
                receipt(issued_at=datetime(2025, 5, 31, tzinfo=VN_TZ)), idempotency_key="K-2"
            )
    assert ("ERR:30", "invalid_data") == (raised.value.vendor_code, raised.value.code)
    assert 1 == sim.ledger.count("invoice")


def test_temporary_error_is_retried_after_a_lookup() -> None:
    sim = VnptInvoiceSimulator()
    sim.answer_next("ImportAndPublishInv", "ERR:5")
    with mount(sim, URL):
        issued = make_client().issue(receipt(), idempotency_key=KEY)
    assert "1" == issued.number
    assert 2 == len(sim.requests_to("ImportAndPublishInv"))
    assert 1 == sim.ledger.count("invoice", KEY)


def test_persistent_system_error_ends_in_outcome_unknown() -> None:
    sim = VnptInvoiceSimulator()
    sim.answer_next("ImportAndPublishInv", "ERR:5", times=5)
    with mount(sim, URL), pytest.raises(OutcomeUnknown) as raised:
        make_client().issue(receipt(), idempotency_key=KEY)
    assert isinstance(raised.value.__cause__, ProviderUnavailable)
    assert KEY == raised.value.idempotency_key


def test_lost_answer_and_failed_lookup_is_outcome_unknown() -> None:
    sim = VnptInvoiceSimulator()
    sim.faults.add("ImportAndPublishInv", TimeoutAfterCommit(2.0))
    sim.faults.add("listInvByCusFkey", Reset(), times=10)
    with mount(sim, URL), pytest.raises(OutcomeUnknown) as raised:
        make_client().issue(receipt(), idempotency_key=KEY)
    assert KEY == raised.value.idempotency_key
    assert 1 == sim.ledger.count("invoice", KEY)
    assert 1 == len(sim.requests_to("ImportAndPublishInv"))


def test_cancel_falls_back_to_no_pay_and_uses_cancel_inv_when_paid() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL):
        client = make_client()
        client.issue(receipt(), idempotency_key="K-unpaid")
        client.issue(receipt(), idempotency_key="K-paid")
        sim.mark_paid("K-paid")
        assert DocumentStatus.CANCELLED == client.cancel("K-unpaid", "Sai").status
        assert DocumentStatus.CANCELLED == client.cancel("K-paid", "Sai").status
    assert 2 == len(sim.requests_to("cancelInv"))
    assert 1 == len(sim.requests_to("cancelInvNoPay"))
    assert 2 == sim.ledger.count("cancel")


def test_download_falls_back_on_err_11_and_decodes_base64() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL):
        client = make_client()
        client.issue(receipt(), idempotency_key=KEY)
        pdf = client.download(KEY)
        sim.mark_paid(KEY)
        xml = client.download(KEY, "xml")
    assert pdf.startswith(b"%PDF-1.4")
    # The PDF shows the document it was asked for (its text read through its ToUnicode map).
    assert "Mẫu số: EBL01    Ký hiệu: 25T    Số: 0000001" in text_lines(pdf)
    hdon = parse_xml(xml)
    assert ("25T", "1") == (
        hdon.findtext("DLHDon/TTChung/KHHDon"),
        hdon.findtext("DLHDon/TTChung/SHDon"),
    )
    assert 1 == len(sim.requests_to("downloadInvPDFFkeyNoPay"))
    assert 0 == len(sim.requests_to("downloadInvFkeyNoPay"))


def test_adjust_sends_dieu_chinh_with_reason_and_original_fkey() -> None:
    sim = VnptInvoiceSimulator()
    with mount(sim, URL) as mock:
        client = make_client()
        client.issue(receipt(), idempotency_key="K-orig")
        client.adjust(
            "K-orig",
            receipt(is_adjustment=True, lines=[Line.fee("Giảm", -10_000)]),
            reason="Thu thừa",
            idempotency_key="K-adj",
        )
        request = next(
            c.request for c in mock.calls if b"AdjustInvoiceAction>" in (c.request.body or b"")
        )
    call = parse_xml(request.body).find(f"{SOAP}Body/{T}AdjustInvoiceAction")
    assert call is not None
    assert "K-orig" == call.findtext(f"{T}fkey")
    data = parse_xml(call.findtext(f"{T}xmlInvData") or "")
    assert ("DieuChinhHD", "K-adj", "Thu thừa", "3") == (
        data.tag,
        data.findtext("key"),
        data.findtext("LDo"),
        data.findtext("Type"),
    )
    assert DocumentStatus.ADJUSTED == sim.invoices["K-orig"].status
    assert -10_000 == sim.invoices["K-adj"].total


def test_get_unknown_is_not_found() -> None:
    with mount(VnptInvoiceSimulator(), URL), pytest.raises(NotFound) as raised:
        make_client().get("nope")
    assert "Data" == raised.value.vendor_code  # listInvByCusFkey answered an empty <Data/>


def test_passwords_never_reach_the_hooks() -> None:
    sim = VnptInvoiceSimulator()
    events: list[RequestEvent] = []
    client = make_client()
    client.transport.on_request.append(events.append)
    with mount(sim, URL):
        client.issue(receipt(), idempotency_key=KEY)
        client.get(KEY)
    text = " ".join(e.body for e in events)
    assert "listInvByCusFkey" in text
    assert "sim-ac-pass" not in text
    assert "sim-service-pass" not in text


def test_wsdls_are_shipped_and_never_fetched() -> None:
    from connectors.core import wsdl_path

    for name in ("PublishService", "BusinessService", "PortalService"):
        path = wsdl_path("connectors.einvoice.vnpt", f"wsdl/{name}.wsdl")
        assert b"http://tempuri.org/" in path.read_bytes()
    assert isinstance(make_client(), VnptInvoice)  # building a client opens no socket
