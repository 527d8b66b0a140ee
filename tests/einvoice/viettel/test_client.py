"""The Viettel adapter against its simulator: tokens, the wire, errors, recovery."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from connectors.core import (
    AuthError,
    OutcomeUnknown,
    ProviderUnavailable,
    Rejected,
    RequestEvent,
    ValidationError,
)
from connectors.einvoice import DocumentStatus, Line, Receipt, Seller
from connectors.einvoice.viettel import ViettelInvoice
from connectors.testing import Reset, Status, TimeoutAfterCommit, mount
from connectors.testing.simulators.einvoice.viettel import ViettelInvoiceSimulator
from connectors.vn import VN_TZ
from tests.einvoice.viettel.helpers import URL, make_client, make_settings

SELLER = Seller(name="UBND Phường Thử", tax_code="0100109106", address="Số 1 Phố Thử")
KEY = "HS-000123:receipt"


def receipt(**changes: object) -> Receipt:
    values: dict[str, object] = {
        "seller": SELLER,
        "template": "EBL01",
        "symbol": "25T",
        "lines": [Line.fee("Lệ phí chứng thực", 50_000)],
        "issued_at": datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ),
        **changes,
    }
    return Receipt(**values)


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


def test_issue_sends_the_documented_request() -> None:
    sim = ViettelInvoiceSimulator()
    with mount(sim, URL) as mock:
        issued = make_client().issue(receipt(), idempotency_key=KEY)
        login, create = mock.calls[0].request, mock.calls[1].request
    assert f"{URL}/auth/login" == login.url
    assert {"username": "0100109106-509", "password": "sim-password"} == json.loads(login.body)
    assert (
        f"{URL}/services/einvoiceapplication/api/InvoiceAPI/InvoiceWS/createInvoice/0100109106"
        == create.url
    )
    token = next(iter(sim.tokens))
    assert f"access_token={token}" == create.headers["Cookie"]
    body = json.loads(create.body)
    assert KEY == body["generalInvoiceInfo"]["transactionUuid"]
    assert 1748745015000 == body["generalInvoiceInfo"]["invoiceIssuedDate"]
    assert ("1", "25T", "25T1") == (issued.number, issued.symbol, issued.raw["invoiceNo"])
    assert sim.invoices[KEY].reservation_code == issued.lookup_code
    assert datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ) == issued.issued_at
    entry = sim.ledger.find("invoice", KEY)
    assert entry is not None
    assert 50_000 == entry.data["total"]


def test_token_is_cached_then_refreshed_when_viettel_says_general() -> None:
    sim = ViettelInvoiceSimulator()
    with mount(sim, URL):
        client = make_client()
        client.issue(receipt(), idempotency_key="key-0000000001")
        client.get("key-0000000001")
        assert 1 == sim.logins
        sim.expire_tokens()  # Viettel answers HTTP 500 {"message": "GENERAL"}
        assert DocumentStatus.ISSUED == client.status("key-0000000001")
    assert 2 == sim.logins
    assert 2 == len(sim.requests_to("login"))


def test_token_is_refreshed_before_it_expires() -> None:
    clock = Clock()
    sim = ViettelInvoiceSimulator(token_ttl=600, clock=clock)
    with mount(sim, URL):
        client = make_client(clock=clock)
        client.issue(receipt(), idempotency_key="key-0000000001")
        clock.now += 539  # within ttl minus the 60 s margin
        client.get("key-0000000001")
        assert 1 == sim.logins
        clock.now += 2
        client.get("key-0000000001")
    assert 2 == sim.logins
    assert [] == [s for s in sim.seen if s.route != "login" and s.route not in ("issue", "lookup")]


def test_unknown_token_401_xml_logs_in_again() -> None:
    sim = ViettelInvoiceSimulator()
    with mount(sim, URL):
        client = make_client()
        client.issue(receipt(), idempotency_key="key-0000000001")
        sim.tokens.clear()  # the vendor forgot every token: 401 with an XML body
        assert "1" == client.get("key-0000000001").number
    assert 2 == sim.logins


def test_bad_credentials_are_an_auth_error_without_leaking_the_password() -> None:
    sim = ViettelInvoiceSimulator()
    with mount(sim, URL), pytest.raises(AuthError) as raised:
        make_client(password="wrong-password-123").issue(receipt(), idempotency_key=KEY)
    assert 401 == raised.value.http_status
    assert "wrong-password-123" not in str(raised.value.context())
    assert 0 == len(sim.ledger)


def test_vendor_refusal_maps_to_the_vocabulary() -> None:
    sim = ViettelInvoiceSimulator()
    body = b'{"code": 400, "message": "VAT_AMOUNT_INVALID", "data": "tong tien thue"}'
    sim.faults.add("issue", Status(400, body, "application/json"))
    with mount(sim, URL), pytest.raises(Rejected) as raised:
        make_client().issue(receipt(), idempotency_key=KEY)
    error = raised.value
    assert ("invalid_data", "VAT_AMOUNT_INVALID", "tong tien thue", 400) == (
        error.code,
        error.vendor_code,
        error.vendor_message,
        error.http_status,
    )
    assert 1 == len(sim.requests_to("issue"))


def test_simulator_refuses_inconsistent_amounts() -> None:
    sim = ViettelInvoiceSimulator()
    with mount(sim, URL) as mock:
        client = make_client()
        client.issue(receipt(), idempotency_key="key-0000000001")
        token = next(iter(sim.tokens))
        import requests

        response = requests.post(
            f"{URL}/services/einvoiceapplication/api/InvoiceAPI/InvoiceWS/createInvoice/0100109106",
            json={
                "generalInvoiceInfo": {
                    "transactionUuid": "key-0000000002",
                    "invoiceSeries": "25T",
                    "templateCode": "EBL01",
                    "currencyCode": "VND",
                    "paymentStatus": True,
                },
                "itemInfo": [
                    {
                        "lineNumber": 1,
                        "quantity": 1,
                        "unitPrice": 1000,
                        "itemTotalAmountWithoutTax": 1000,
                        "taxPercentage": 10,
                        "taxAmount": 100,
                    }
                ],
                "summarizeInfo": {
                    "totalAmountWithoutTax": 1000,
                    "totalTaxAmount": 99,
                    "totalAmountWithTax": 1099,
                },
                "taxBreakdowns": [{"taxPercentage": 10, "taxableAmount": 1000, "taxAmount": 100}],
            },
            cookies={"access_token": token},
            timeout=5,
        )
        assert 3 == len(mock.calls)
    assert 400 == response.status_code
    assert "VAT_AMOUNT_INVALID" == response.json()["message"]
    assert 1 == sim.ledger.count("invoice")


def test_lost_answer_and_failed_lookup_is_outcome_unknown_with_the_key() -> None:
    sim = ViettelInvoiceSimulator()
    sim.faults.add("issue", TimeoutAfterCommit(2.0))
    sim.faults.add("lookup", Reset(), times=10)
    with mount(sim, URL), pytest.raises(OutcomeUnknown) as raised:
        make_client().issue(receipt(), idempotency_key=KEY)
    assert KEY == raised.value.idempotency_key
    assert 1 == sim.ledger.count("invoice", KEY)
    assert 1 == len(sim.requests_to("issue"))  # never resent while the lookup fails


def test_a_gateway_503_on_issue_is_reconciled_by_lookup() -> None:
    sim = ViettelInvoiceSimulator()
    sim.faults.add("issue", Status(503))
    with mount(sim, URL):
        issued = make_client().issue(receipt(), idempotency_key=KEY)
    assert "1" == issued.number
    assert 2 == len(sim.requests_to("issue"))
    assert 1 == len(sim.requests_to("lookup"))
    assert 1 == sim.ledger.count("invoice", KEY)


def test_persistent_500_is_provider_unavailable_after_lookups() -> None:
    sim = ViettelInvoiceSimulator()
    sim.faults.add(
        "issue",
        Status(500, b'{"code": 500, "message": "SYSTEM_BUSY"}', "application/json"),
        times=5,
    )
    with mount(sim, URL), pytest.raises(OutcomeUnknown) as raised:
        make_client().issue(receipt(), idempotency_key=KEY)
    assert isinstance(raised.value.__cause__, ProviderUnavailable)
    assert 0 == len(sim.ledger)


def test_transaction_uuid_length_is_checked_before_sending() -> None:
    sim = ViettelInvoiceSimulator()
    with mount(sim, URL), pytest.raises(ValidationError) as raised:
        make_client().issue(receipt(), idempotency_key="short")
    assert "idempotency_key" == raised.value.field
    assert [] == sim.seen


def test_cancel_sends_the_original_number_and_date() -> None:
    sim = ViettelInvoiceSimulator()
    with mount(sim, URL) as mock:
        client = make_client()
        client.issue(receipt(), idempotency_key=KEY)
        client.cancel(KEY, "Sai thông tin")
        cancel = next(
            c.request for c in mock.calls if c.request.url.endswith("cancelTransactionInvoice")
        )
    from urllib.parse import parse_qs

    form = {k: v[0] for k, v in parse_qs(cancel.body).items()}
    assert {
        "supplierTaxCode": "0100109106",
        "templateCode": "EBL01",
        "invoiceNo": "25T1",
        "strIssueDate": "1748745015000",
        "reasonDelete": "Sai thông tin",
        "additionalReferenceDesc": "Sai thông tin",
    }.items() <= form.items()
    assert DocumentStatus.CANCELLED == sim.invoices[KEY].status


def test_secrets_never_reach_the_hooks() -> None:
    sim = ViettelInvoiceSimulator()
    events: list[RequestEvent] = []
    client = make_client()
    client.transport.on_request.append(events.append)
    with mount(sim, URL):
        client.issue(receipt(), idempotency_key=KEY)
    token = next(iter(sim.tokens))
    text = " ".join(f"{e.url} {dict(e.headers)} {e.body}" for e in events)
    assert "sim-password" not in text
    assert token not in text


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_USERNAME", "0100109106-509")
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_PASSWORD", "sim-password")
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_SUPPLIER_TAX_CODE", "0100109106")
    client = ViettelInvoice.from_env(base_url=URL)
    assert "0100109106" == client.settings.supplier_tax_code
    assert "sim-password" not in repr(client.settings)
    assert make_settings().username == client.settings.username


def test_asynchronous_numbering_shows_pending_then_the_number() -> None:
    sim = ViettelInvoiceSimulator(asynchronous=True)
    with mount(sim, URL):
        client = make_client()
        issued = client.issue(receipt(), idempotency_key=KEY)
        assert (DocumentStatus.PENDING, None) == (issued.status, issued.number)
        assert DocumentStatus.PENDING == client.status(KEY)
        sim.process_pending()
        later = client.get(KEY)
    assert (DocumentStatus.ISSUED, "1") == (later.status, later.number)
    assert issued.lookup_code == later.lookup_code
    assert 1 == sim.ledger.count("invoice", KEY)


def test_resend_waits_for_viettel_to_finish_processing() -> None:
    from connectors.testing import TimeoutBeforeProcessing

    sim = ViettelInvoiceSimulator()
    sim.faults.add("issue", TimeoutBeforeProcessing(2.0))
    sleeps: list[float] = []
    with mount(sim, URL):
        issued = make_client(sleeps=sleeps).issue(receipt(), idempotency_key=KEY)
    assert [90.0] == sleeps  # looked up (nothing), waited, then re-sent
    assert ["login", "issue", "lookup", "issue"] == [s.route for s in sim.seen]
    assert "1" == issued.number
    assert 1 == sim.ledger.count("invoice", KEY)
