"""MISA meInvoice adapter against its simulator: keys, lookups, limits, locks, codes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from connectors.core import (
    AuthError,
    ConfigError,
    Duplicate,
    OutcomeUnknown,
    Rejected,
    RetryPolicy,
    Timeouts,
    Transport,
    ValidationError,
)
from connectors.einvoice import Buyer, DocumentStatus, Line, Receipt, Seller
from connectors.einvoice.gdt import check_returned
from connectors.einvoice.misa import MisaInvoice, MisaInvoiceSettings
from connectors.einvoice.misa.wire import invoice_payload
from connectors.testing import (
    Reset,
    Status,
    TimeoutAfterCommit,
    TimeoutBeforeProcessing,
    mount,
    serve,
)
from connectors.testing.simulators.einvoice.misa import MisaInvoiceSimulator
from connectors.vn import VN_TZ
from tests.einvoice import vendors

HOST = "https://misa.sim.test"
PATH = "/api/integration"
BASE = HOST + PATH
PASSWORD = "test-password"
KEY = "5f1c2b8e-0000-4000-8000-00000000a001"


def receipt(amount: int = 50_000, *, lines: int = 1, series: str = "25T") -> Receipt:
    return Receipt(
        seller=Seller(name="UBND Phường Thử Nghiệm", tax_code="0100109106", address="Hà Nội"),
        buyer=Buyer(name="Nguyễn Văn Thử"),
        template="EBL01",
        symbol=series,
        issued_at=datetime(2025, 6, 1, 9, 30, tzinfo=VN_TZ),
        lines=[Line.fee(f"Lệ phí chứng thực {n}", amount) for n in range(1, lines + 1)],
    )


def settings(base_url: str = BASE, password: str = PASSWORD) -> MisaInvoiceSettings:
    return vendors.settings("misa", base_url.removesuffix(PATH), password=password)


def client(base_url: str = BASE, *, password: str = PASSWORD, read: float = 0.5) -> MisaInvoice:
    overrides = {"password": password}
    return vendors.client(
        "misa", base_url.removesuffix(PATH), read=read, settings_overrides=overrides
    )


@pytest.fixture
def sim() -> Iterator[MisaInvoiceSimulator]:
    simulator = MisaInvoiceSimulator(sleep=lambda _s: None)
    with mount(simulator, HOST):
        yield simulator


def test_issue_sends_refid_and_numbers_the_series(sim: MisaInvoiceSimulator) -> None:
    issued = client().issue(receipt(), idempotency_key=KEY)
    assert (KEY, "1", "EBL01", "25T", DocumentStatus.ISSUED) == (
        issued.key,
        issued.number,
        issued.template,
        issued.symbol,
        issued.status,
    )
    entry = sim.ledger.find("invoice", KEY)
    assert entry is not None
    assert 50_000 == entry.data["total"]
    assert issued.lookup_code == entry.data["transaction_id"]
    payload = sim.invoices[KEY].payload
    assert "25T" == payload["InvSeries"]
    assert "2025-06-01" == payload["InvDate"]
    assert [
        {
            "ItemType": 1,
            "SortOrder": 1,
            "LineNumber": 1,
            "ItemName": "Lệ phí chứng thực 1",
            "UnitName": "lần",
            "Quantity": 1,
            "UnitPrice": 50000,
            "DiscountAmountOC": 0,
            "DiscountAmount": 0,
            "AmountOC": 50000,
            "Amount": 50000,
            "AmountWithoutVATOC": 50000,
            "AmountWithoutVAT": 50000,
            "VATRateName": "KCT",
            "VATAmountOC": 0,
            "VATAmount": 0,
        }
    ] == payload["OriginalInvoiceDetail"]
    assert "Năm mươi nghìn đồng" == payload["TotalAmountInWords"]
    assert (50000, 50000, 0, 50000) == (
        payload["TotalAmountWithoutVATOC"],
        payload["TotalSaleAmountOC"],
        payload["TotalVATAmountOC"],
        payload["TotalAmountOC"],
    )


def test_second_issue_numbers_the_next_invoice(sim: MisaInvoiceSimulator) -> None:
    misa = client()
    first = misa.issue(receipt())
    second = misa.issue(receipt())
    assert ["1", "2"] == [first.number, second.number]
    assert first.key != second.key
    assert 1 == len(sim.requests_to("login"))


def test_timeout_after_commit_then_retry_leaves_one_invoice(sim: MisaInvoiceSimulator) -> None:
    sim.faults.add("issue", TimeoutAfterCommit(1.0))
    issued = client().issue(receipt(), idempotency_key=KEY)
    assert "1" == issued.number
    assert 1 == sim.ledger.count("invoice", KEY)
    assert 1 == len(sim.requests_to("issue"))  # found by RefID: never re-sent
    assert 1 == len(sim.requests_to("status"))


def test_timeout_before_processing_is_resent_with_the_same_refid(sim: MisaInvoiceSimulator) -> None:
    sim.faults.add("issue", TimeoutBeforeProcessing(1.0))
    issued = client().issue(receipt(), idempotency_key=KEY)
    assert KEY == issued.key
    assert 1 == sim.ledger.count("invoice")
    assert 2 == len(sim.requests_to("issue"))


def test_reissuing_a_used_refid_returns_the_existing_invoice(sim: MisaInvoiceSimulator) -> None:
    first = client().issue(receipt(), idempotency_key=KEY)
    again = client().issue(receipt(), idempotency_key=KEY)  # e.g. after a crash
    assert first.number == again.number
    assert first.lookup_code == again.lookup_code
    assert 1 == sim.ledger.count("invoice")


def test_no_answer_and_no_lookup_is_outcome_unknown_with_the_key(sim: MisaInvoiceSimulator) -> None:
    sim.faults.add("issue", Reset(), times=5)
    sim.faults.add("status", Status(503, b"{}", "application/json"), times=20)
    with pytest.raises(OutcomeUnknown) as raised:
        client().issue(receipt(), idempotency_key=KEY)
    assert KEY == raised.value.idempotency_key
    assert 0 == sim.ledger.count("invoice")


def test_limits_are_checked_before_sending(sim: MisaInvoiceSimulator) -> None:
    with pytest.raises(ValidationError) as raised:
        client().issue(receipt(lines=201))
    assert "lines" == raised.value.field
    with pytest.raises(ValidationError) as raised:
        client().issue_batch([receipt() for _ in range(31)])
    assert "docs" == raised.value.field
    with pytest.raises(ValidationError) as raised:
        client().issue_batch([receipt(), receipt(lines=201)])
    assert "docs[1].lines" == raised.value.field
    assert [] == sim.seen


def test_two_hundred_lines_are_accepted(sim: MisaInvoiceSimulator) -> None:
    issued = client().issue(receipt(1_000, lines=200))
    assert "1" == issued.number
    assert 200 == len(sim.invoices[issued.key].payload["OriginalInvoiceDetail"])


def test_batch_issues_in_one_request_with_consecutive_numbers(sim: MisaInvoiceSimulator) -> None:
    keys = [f"5f1c2b8e-0000-4000-8000-00000000b00{n}" for n in range(3)]
    issued = client().issue_batch([receipt(), receipt(), receipt()], keys)
    assert ["1", "2", "3"] == [d.number for d in issued]
    assert keys == [d.key for d in issued]
    assert 1 == len(sim.requests_to("issue"))


def test_batch_after_a_lost_answer_resends_nothing_twice(sim: MisaInvoiceSimulator) -> None:
    sim.faults.add("issue", TimeoutAfterCommit(1.0))
    issued = client().issue_batch([receipt(), receipt()])
    assert ["1", "2"] == [d.number for d in issued]
    assert 2 == sim.ledger.count("invoice")


def test_batch_with_a_refid_used_before_finds_it(sim: MisaInvoiceSimulator) -> None:
    first = client().issue(receipt(), idempotency_key=KEY)
    issued = client().issue_batch([receipt(), receipt()], [KEY, None])
    assert first.lookup_code == issued[0].lookup_code
    assert "2" == issued[1].number
    assert 2 == sim.ledger.count("invoice")


def test_concurrent_issues_on_one_series_are_serialised_and_gap_free() -> None:
    sim = MisaInvoiceSimulator(processing_delay=0.02)
    results: list[str | None] = []
    with serve(sim) as base:
        misa = client(base + "/api/integration", read=5.0)

        def work() -> None:
            results.append(misa.issue(receipt()).number)

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert ["1", "2", "3", "4", "5", "6"] == sorted(results, key=lambda n: int(n or 0))
    assert 0 == sim.overlaps
    assert 6 == sim.ledger.count("invoice")


def test_simulator_refuses_overlapping_requests_on_a_series() -> None:
    sim = MisaInvoiceSimulator(processing_delay=0.05)
    answers: list[str | None] = []
    with serve(sim) as base:
        misa = client(base + "/api/integration", read=5.0)
        token = misa.session.token()
        payloads = [
            invoice_payload(receipt(), ref_id=f"raw-key-{n}", issue_date="2025-06-01")
            for n in range(2)
        ]

        def raw(payload: dict[str, Any]) -> None:
            response = misa.transport.session.post(
                base + "/api/integration/invoice",
                json={"SignType": 2, "InvoiceData": [payload]},
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            )
            rows = json.loads(response.json()["publishInvoiceResult"])
            answers.append(rows[0]["ErrorCode"])

        threads = [threading.Thread(target=raw, args=(p,)) for p in payloads]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert ["InvoiceNumberNotCotinuous", None] == sorted(answers, key=str)
    assert 1 == sim.overlaps


def test_expired_token_is_renewed_once(sim: MisaInvoiceSimulator) -> None:
    misa = client()
    misa.issue(receipt())
    sim.expire_tokens()
    assert "2" == misa.issue(receipt()).number
    assert 2 == len(sim.requests_to("login"))


def test_wrong_password_is_an_auth_error_without_the_password(sim: MisaInvoiceSimulator) -> None:
    with pytest.raises(AuthError) as raised:
        client(password="wrong-secret-pw").issue(receipt())
    assert "UnAuthorize" == raised.value.vendor_code
    assert "auth" == raised.value.code
    assert "wrong-secret-pw" not in str(raised.value.context())
    assert [] == sim.requests_to("issue")


@pytest.mark.parametrize(
    ("vendor_code", "error", "code"),
    [
        ("InvalidTaxCode", Rejected, "invalid_data"),
        ("CertRevocation", Rejected, "certificate"),
        ("SigningTimeNotInRegistration", Rejected, "certificate"),
        ("DuplicateInvoiceRefID", Duplicate, "duplicate"),
    ],
)
def test_per_invoice_codes_map_to_the_vocabulary(
    sim: MisaInvoiceSimulator, vendor_code: str, error: type[Exception], code: str
) -> None:
    row = [{"RefID": KEY, "ErrorCode": vendor_code, "DescriptionErrorCode": "refused"}]
    body = json.dumps({"success": True, "publishInvoiceResult": json.dumps(row)}).encode()
    sim.faults.add("issue", Status(200, body, "application/json"), times=5)
    with pytest.raises(error) as raised:
        client().issue(receipt(), idempotency_key=KEY)
    assert vendor_code == raised.value.vendor_code  # type: ignore[attr-defined]
    assert code == raised.value.code  # type: ignore[attr-defined]


def test_cancel_is_recorded_once_and_is_idempotent(sim: MisaInvoiceSimulator) -> None:
    misa = client()
    misa.issue(receipt(), idempotency_key=KEY)
    assert DocumentStatus.CANCELLED == misa.cancel(KEY, "Thu sai phí").status
    assert DocumentStatus.CANCELLED == misa.cancel(KEY, "Thu sai phí").status
    assert 1 == sim.ledger.count("cancel", KEY)
    assert DocumentStatus.CANCELLED == misa.status(KEY)
    with pytest.raises(ValidationError) as raised:
        misa.cancel(KEY, "  ")
    assert "reason" == raised.value.field


def test_replace_and_adjust_refer_to_the_original(sim: MisaInvoiceSimulator) -> None:
    misa = client()
    original = misa.issue(receipt(), idempotency_key=KEY)
    new = misa.replace(KEY, receipt(60_000), reason="Sai số tiền")
    assert DocumentStatus.REPLACED == misa.status(KEY)
    payload = sim.invoices[new.key].payload
    assert (1, "25T", original.number, "Sai số tiền") == (
        payload["ReferenceType"],
        payload["OrgInvSeries"],
        payload["OrgInvNo"],
        payload["InvoiceNote"],
    )
    adjusted = misa.adjust(new.key, receipt(10_000), reason="Bổ sung")
    assert 2 == sim.invoices[adjusted.key].payload["ReferenceType"]
    assert DocumentStatus.ADJUSTED == misa.status(new.key)
    with pytest.raises(ValidationError):
        misa.replace(KEY, receipt(), reason="x", idempotency_key=KEY)


def test_downloaded_xml_matches_what_was_sent_and_is_signed(sim: MisaInvoiceSimulator) -> None:
    misa = client()
    doc = receipt(35_000)
    misa.issue(doc, idempotency_key=KEY)
    checked = check_returned(
        doc, misa.download(KEY, "xml"), trusted_certificate=sim.credentials.certificate
    )
    assert 1 == checked.parsed.document.number
    assert misa.download(KEY).startswith(b"%PDF-")
    with pytest.raises(ValidationError):
        misa.download(KEY, "docx")  # type: ignore[arg-type]


def test_get_unknown_key_is_not_found(sim: MisaInvoiceSimulator) -> None:
    from connectors.core import NotFound

    with pytest.raises(NotFound) as raised:
        client().get("no-such-refid")
    assert "not_found" == raised.value.code


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_MISA_APP_ID", "TEST-APPID-0001")
    monkeypatch.setenv("CONNECTORS_MISA_TAX_CODE", "0100109106")
    monkeypatch.setenv("CONNECTORS_MISA_USERNAME", "test-user")
    monkeypatch.setenv("CONNECTORS_MISA_PASSWORD", "test-password")
    misa = MisaInvoice.from_env()
    assert "https://testapi.meinvoice.vn/api/integration" == misa.settings.base_url
    monkeypatch.delenv("CONNECTORS_MISA_PASSWORD")
    with pytest.raises(ConfigError) as raised:
        MisaInvoice.from_env()
    assert "password" == raised.value.field


def test_a_numbering_conflict_is_looked_up_then_retried(sim: MisaInvoiceSimulator) -> None:
    row = [{"RefID": KEY, "ErrorCode": "InvoiceNumberNotCotinuous"}]
    body = json.dumps({"success": True, "publishInvoiceResult": json.dumps(row)}).encode()
    sim.faults.add("issue", Status(200, body, "application/json"))
    issued = client().issue(receipt(), idempotency_key=KEY)
    assert "1" == issued.number
    assert 2 == len(sim.requests_to("issue"))
    assert 1 == len(sim.requests_to("status"))
    assert 1 == sim.ledger.count("invoice", KEY)


def test_a_server_error_after_sending_is_looked_up(sim: MisaInvoiceSimulator) -> None:
    sim.faults.add("issue", Status(503, b"{}", "application/json"))
    issued = client().issue(receipt(), idempotency_key=KEY)
    assert "1" == issued.number
    assert 1 == sim.ledger.count("invoice", KEY)


def test_credentials_and_token_never_reach_the_hooks(sim: MisaInvoiceSimulator) -> None:
    seen: list[str] = []
    config = settings()
    transport = Transport(
        "misa",
        timeouts=Timeouts(connect=0.5, read=0.5, total=10),
        retry=RetryPolicy(max_attempts=1, sleep=lambda _s: None),
        redactor=config.redactor("Authorization", "appid", "data"),
        on_request=[lambda e: seen.append(f"{e.headers} {e.body}")],
        on_response=[lambda e: seen.append(e.body)],
    )
    MisaInvoice(config, transport=transport).issue(receipt())
    text = "\n".join(seen)
    assert "publishInvoiceResult" in text  # the hooks did see the traffic
    assert PASSWORD not in text
    assert "TEST-APPID-0001" not in text
    assert sim.tokens
    for token in sim.tokens:
        assert token not in text
