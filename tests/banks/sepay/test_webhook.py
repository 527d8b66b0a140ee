"""The SePay webhook receiver: authentication, parsing, de-duplication and answers."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

import connectors.banks.sepay as sepay
from connectors.banks.base import CallbackOutcome, HttpAnswer
from connectors.banks.matching import BankTransfer, TransferDirection
from connectors.banks.sepay import SepayWebhook, WireProfile, parse_payload
from connectors.core.errors import ConfigError, SignatureError, ValidationError
from connectors.core.webhooks import MemorySeenStore
from connectors.testing import serve
from connectors.vn.time import VN_TZ
from tests.core.wsgi_inputs import GuardedInput, Untouchable

SECRET = "fake-webhook-secret-0001"
API_KEY = "fake-api-key-0001"
NOW = 1_735_787_700  # 2025-01-02 10:15:00 GMT+7
BODY = (
    b'{"id":92704,"gateway":"VPBank","transactionDate":"2025-01-02 10:15:00",'
    b'"accountNumber":"0123456789","code":null,"content":"HS2025000123 LE PHI",'
    b'"transferType":"in","transferAmount":50000,"accumulated":150000,"subAccount":null,'
    b'"referenceCode":"FT25002000001","description":"BankAPINotify HS2025000123 LE PHI"}'
)


def signed(body: bytes = BODY, *, stamp: int = NOW, secret: str = SECRET) -> dict[str, str]:
    """Headers as SePay sends them, computed here with hmac/hashlib directly."""
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-SePay-Timestamp": str(stamp),
        "X-SePay-Signature": f"sha256={digest}",
    }


def receiver(**kwargs: object) -> SepayWebhook:
    args: dict[str, object] = {"hmac_secret": SECRET, "clock": lambda: float(NOW), **kwargs}
    return SepayWebhook(**args)  # type: ignore[arg-type]


# -- parsing -------------------------------------------------------------------------------


def test_parse_gives_a_typed_transfer() -> None:
    transfer = receiver().parse(BODY, signed())
    assert (
        BankTransfer(
            transfer_id="92704",
            account="0123456789",
            amount=50_000,
            content="HS2025000123 LE PHI",
            transferred_at=datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ),
            direction=TransferDirection.IN,
            reference_code="FT25002000001",
            bank="VPBank",
            code=None,
            sub_account=None,
            source="sepay",
        )
        == transfer
    )
    assert 150_000 == transfer.raw["accumulated"]
    assert isinstance(transfer.amount, int)


def test_outgoing_transfer_and_amount_as_digit_text() -> None:
    body = BODY.replace(b'"in"', b'"out"').replace(b":50000,", b':"50000",')
    transfer = receiver().parse(body, signed(body))
    assert (TransferDirection.OUT, 50_000) == (transfer.direction, transfer.amount)


@pytest.mark.parametrize(
    "amount",
    [
        b"50000.0",  # SePay sends integers; a float was accepted before (issue 10, point 9)
        b'"50000.00"',
        b"1e30",
        b'"1e30"',
        b'"9007199254740993.0"',
        b'"\\uff15\\uff10\\uff10\\uff10\\uff10"',  # full-width digits
        b'"\\u00b2"',
        b'"+50000"',
        b'" 50000"',
        b"-50000",
        b"1000000000000000",
        b"null",
        b"false",
        b"[50000]",
    ],
)
def test_odd_transfer_amounts_are_refused_naming_the_field(amount: bytes) -> None:
    body = BODY.replace(b":50000,", b":" + amount + b",")
    with pytest.raises(ValidationError) as caught:
        receiver().parse(body, signed(body))
    assert "transferAmount" == caught.value.field
    receipt = receiver().handle(body, signed(body), lambda _t: None)
    assert (CallbackOutcome.MALFORMED, 400) == (receipt.outcome, receipt.answer.status)


def test_a_big_integer_amount_is_exact_not_rounded_through_float() -> None:
    body = BODY.replace(b":50000,", b':"900719925474099",')
    assert 900_719_925_474_099 == receiver().parse(body, signed(body)).amount


@pytest.mark.parametrize(
    "body",
    [
        BODY.replace(b":50000,", b":" + b"9" * 5000 + b","),  # Python's int limit: ValueError
        b"[" * 30_000 + b"]" * 30_000,  # RecursionError in the JSON parser
        b"\xff\xfe not utf-8",
    ],
    ids=["5000-digits", "deep-nesting", "not-utf8"],
)
def test_bodies_that_break_the_json_parser_are_answered_not_raised(body: bytes) -> None:
    calls, on_transfer = collector()
    receipt = receiver(allow_unauthenticated=True, hmac_secret=None).handle(body, {}, on_transfer)
    assert (CallbackOutcome.MALFORMED, 400, []) == (receipt.outcome, receipt.answer.status, calls)


@pytest.mark.parametrize(("balance", "expected"), [(b"-150000", -150_000), (b'"-5"', -5)])
def test_a_negative_balance_is_kept_exactly(balance: bytes, expected: int) -> None:
    body = BODY.replace(b":150000,", b":" + balance + b",")
    assert expected == receiver().parse(body, signed(body)).raw["accumulated"]


@pytest.mark.parametrize("balance", [b"150000.0", b'"--5"', b'"-"', b"true"])
def test_an_odd_balance_is_refused(balance: bytes) -> None:
    body = BODY.replace(b":150000,", b":" + balance + b",")
    with pytest.raises(ValidationError) as caught:
        receiver().parse(body, signed(body))
    assert "accumulated" == caught.value.field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(b"not json", "body", id="not-json"),
        pytest.param(b"[1, 2]", "body", id="array"),
        pytest.param(BODY.replace(b'"transferAmount":50000,', b""), "transferAmount", id="no-amt"),
        pytest.param(BODY.replace(b":50000,", b":50000.5,"), "transferAmount", id="fraction"),
        pytest.param(BODY.replace(b":50000,", b":true,"), "transferAmount", id="bool"),
        pytest.param(BODY.replace(b'"in"', b'"sideways"'), "transferType", id="direction"),
        pytest.param(BODY.replace(b"2025-01-02 10:15:00", b"02/01/2025"), "transactionDate"),
        pytest.param(BODY.replace(b":50000,", b":0,"), "amount", id="zero"),
    ],
)
def test_malformed_bodies_name_the_field(body: bytes, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        receiver().parse(body, signed(body))
    assert field == caught.value.field


def test_parse_payload_keeps_unknown_fields() -> None:
    payload = parse_payload(BODY[:-1] + b',"newField":"x"}')
    assert "x" == (payload.model_extra or {})["newField"]


# -- authentication ------------------------------------------------------------------------


def test_hmac_headers_are_case_insensitive() -> None:
    headers = {name.lower(): value for name, value in signed().items()}
    assert "92704" == receiver().parse(BODY, headers).transfer_id


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param(BODY.replace(b"50000", b"500000"), signed(), id="tampered-amount"),
        pytest.param(BODY, signed(secret="another-secret"), id="wrong-secret"),
        pytest.param(BODY, {**signed(), "X-SePay-Timestamp": str(NOW + 1)}, id="other-stamp"),
        pytest.param(BODY, {"X-SePay-Timestamp": str(NOW)}, id="no-signature"),
        pytest.param(BODY, {"X-SePay-Signature": signed()["X-SePay-Signature"]}, id="no-timestamp"),
        pytest.param(BODY, signed(stamp=NOW - 301), id="stale"),
        pytest.param(BODY, signed(stamp=NOW + 301), id="future"),
        pytest.param(
            BODY,
            {**signed(), "X-SePay-Signature": signed()["X-SePay-Signature"][7:]},
            id="no-prefix",
        ),
    ],
)
def test_hmac_failures(body: bytes, headers: dict[str, str]) -> None:
    with pytest.raises(SignatureError):
        receiver().verify(body, headers)


def test_tolerance_edge_is_accepted() -> None:
    receiver().verify(BODY, signed(stamp=NOW - 300))


def test_api_key_scheme() -> None:
    hook = SepayWebhook(api_key=API_KEY)
    hook.verify(BODY, {"Authorization": f"Apikey {API_KEY}"})
    hook.verify(BODY, {"authorization": f"apikey {API_KEY}"})
    for bad in (f"Apikey {API_KEY}x", f"Bearer {API_KEY}", "Apikey", ""):
        with pytest.raises(SignatureError):
            hook.verify(BODY, {"Authorization": bad})
    with pytest.raises(SignatureError):
        hook.verify(BODY, {})


def test_configuration_errors() -> None:
    with pytest.raises(ConfigError):
        SepayWebhook()
    with pytest.raises(ConfigError):
        SepayWebhook(hmac_secret=SECRET, api_key=API_KEY)
    with pytest.raises(ConfigError):
        SepayWebhook(api_key="")
    open_hook = SepayWebhook(allow_unauthenticated=True)
    assert "92704" == open_hook.parse(BODY, {}).transfer_id


def test_repr_hides_secrets() -> None:
    assert SECRET not in repr(receiver())
    assert API_KEY not in repr(SepayWebhook(api_key=API_KEY))


def test_profile_can_rename_the_headers() -> None:
    profile = WireProfile(signature_header="X-Sig", timestamp_header="X-Ts")
    headers = signed()
    renamed = {"X-Sig": headers["X-SePay-Signature"], "X-Ts": headers["X-SePay-Timestamp"]}
    assert "92704" == receiver(profile=profile).parse(BODY, renamed).transfer_id


# -- handling ------------------------------------------------------------------------------


def collector() -> tuple[list[BankTransfer], Callable[[BankTransfer], None]]:
    seen: list[BankTransfer] = []
    return seen, seen.append


def test_accepted_answer_is_what_sepay_expects() -> None:
    calls, on_transfer = collector()
    receipt = receiver().handle(BODY, signed(), on_transfer)
    assert CallbackOutcome.ACCEPTED == receipt.outcome
    assert HttpAnswer(200, (("Content-Type", "application/json"),), b'{"success": true}') == (
        receipt.answer
    )
    assert {"success": True} == json.loads(receipt.answer.body)
    assert ["92704"] == [t.transfer_id for t in calls]


def test_duplicates_are_answered_success_and_not_processed_again() -> None:
    calls, on_transfer = collector()
    hook = receiver()
    outcomes = [hook.handle(BODY, signed(), on_transfer).outcome for _ in range(3)]
    assert [CallbackOutcome.ACCEPTED, CallbackOutcome.DUPLICATE, CallbackOutcome.DUPLICATE] == (
        outcomes
    )
    assert 1 == len(calls)
    assert 200 == hook.handle(BODY, signed(), on_transfer).answer.status


def test_failed_verification_changes_no_state() -> None:
    calls, on_transfer = collector()
    store = MemorySeenStore()
    hook = receiver(seen=store)
    receipt = hook.handle(BODY, signed(secret="forged"), on_transfer)
    assert (CallbackOutcome.INVALID_SIGNATURE, 401) == (receipt.outcome, receipt.answer.status)
    assert [] == calls
    assert 0 == len(store)
    # the genuine one is still processed afterwards
    assert CallbackOutcome.ACCEPTED == hook.handle(BODY, signed(), on_transfer).outcome


def test_malformed_body_gets_400_and_no_call() -> None:
    calls, on_transfer = collector()
    body = b'{"id": 1}'
    store = MemorySeenStore()
    receipt = receiver(seen=store).handle(body, signed(body), on_transfer)
    assert (CallbackOutcome.MALFORMED, 400) == (receipt.outcome, receipt.answer.status)
    assert {"success": False, "message": "malformed body"} == json.loads(receipt.answer.body)
    assert receipt.error is not None
    assert ([], 0) == (calls, len(store))


@pytest.mark.parametrize("error", [SystemExit(1), KeyboardInterrupt()], ids=type)
def test_an_interrupted_portal_marks_nothing_and_the_retry_reaches_it(
    error: BaseException,
) -> None:
    attempts: list[str] = []

    def interrupted_once(transfer: BankTransfer) -> None:
        attempts.append(transfer.transfer_id)
        if len(attempts) == 1:
            raise error

    store = MemorySeenStore()
    hook = receiver(seen=store)
    with pytest.raises(type(error)):
        hook.handle(BODY, signed(), interrupted_once)
    assert not store.seen("92704", namespace="sepay")
    assert CallbackOutcome.ACCEPTED == hook.handle(BODY, signed(), interrupted_once).outcome
    assert CallbackOutcome.DUPLICATE == hook.handle(BODY, signed(), interrupted_once).outcome
    assert ["92704", "92704"] == attempts


def test_a_failing_store_is_a_500_not_an_exception() -> None:
    class DiskFull(MemorySeenStore):
        def seen(self, key: str, *, namespace: str = "default") -> bool:
            raise OSError("disk I/O error")

    calls, on_transfer = collector()
    receipt = receiver(seen=DiskFull()).handle(BODY, signed(), on_transfer)
    assert (CallbackOutcome.ERROR, 500, []) == (receipt.outcome, receipt.answer.status, calls)


def test_a_body_over_the_limit_is_413_before_verification() -> None:
    calls, on_transfer = collector()
    hook = receiver(max_body_bytes=len(BODY) - 1)
    receipt = hook.handle(BODY, signed(), on_transfer)
    assert (CallbackOutcome.MALFORMED, 413, []) == (receipt.outcome, receipt.answer.status, calls)
    assert (
        CallbackOutcome.ACCEPTED
        == receiver(max_body_bytes=len(BODY)).handle(BODY, signed(), on_transfer).outcome
    )


@pytest.mark.parametrize("limit", [0, -1, True, 2.5])
def test_max_body_bytes_must_be_positive(limit: object) -> None:
    with pytest.raises(ConfigError):
        receiver(max_body_bytes=limit)


def wsgi_call(app: Any, environ: dict[str, Any]) -> tuple[str, bytes]:
    captured: list[str] = []
    body = b"".join(app(environ, lambda status, _headers: captured.append(status)))
    return captured[0], body


@pytest.mark.parametrize(
    ("length", "status"),
    [(str(10 * 2**30), "413 Payload Too Large"), ("9" * 5000, "413 Payload Too Large"),
     ("abc", "400 Bad Request"), ("1e9", "400 Bad Request"), ("-1", "400 Bad Request"),
     (None, "411 Length Required")],
)  # fmt: skip
def test_the_wsgi_app_never_reads_an_unbounded_body(length: str | None, status: str) -> None:
    calls, on_transfer = collector()
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "wsgi.input": Untouchable()}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    answer_status, body = wsgi_call(receiver().wsgi_app(on_transfer), environ)
    assert status == answer_status
    assert False is json.loads(body)["success"]
    assert [] == calls


def test_the_wsgi_app_reads_exactly_the_length() -> None:
    calls, on_transfer = collector()
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(BODY)),
        "wsgi.input": GuardedInput(BODY + b"next request", allowed=len(BODY)),
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in signed().items()},
    }
    assert ("200 OK", b'{"success": true}') == wsgi_call(receiver().wsgi_app(on_transfer), environ)
    assert 1 == len(calls)


def test_portal_failure_gives_500_and_the_retry_is_processed() -> None:
    attempts: list[str] = []

    def flaky(transfer: BankTransfer) -> None:
        attempts.append(transfer.transfer_id)
        if len(attempts) == 1:
            raise RuntimeError("database is down")

    hook = receiver()
    first = hook.handle(BODY, signed(), flaky)
    second = hook.handle(BODY, signed(), flaky)
    third = hook.handle(BODY, signed(), flaky)
    assert (CallbackOutcome.ERROR, 500) == (first.outcome, first.answer.status)
    assert "database is down" in (first.error or "")
    assert CallbackOutcome.ACCEPTED == second.outcome
    assert CallbackOutcome.DUPLICATE == third.outcome
    assert ["92704", "92704"] == attempts


def test_wsgi_app_over_loopback() -> None:
    calls, on_transfer = collector()
    app = receiver(clock=lambda: float(NOW)).wsgi_app(on_transfer)
    with serve(app) as url:
        posted = requests.post(url + "/hooks/sepay", data=BODY, headers=signed(), timeout=5)
        fetched = requests.get(url + "/hooks/sepay", timeout=5)
    assert (200, {"success": True}) == (posted.status_code, posted.json())
    assert 405 == fetched.status_code
    assert 1 == len(calls)


def test_public_api() -> None:
    expected = {
        "DEFAULT_BASE_URL", "DEFAULT_PROFILE", "SepayTransactionsSettings", "SepayTransactions",
        "SepayWebhook", "WebhookPayload", "WebhookReceipt", "WireProfile", "parse_payload",
        "transfer_from_payload",
    }  # fmt: skip
    assert expected == set(sepay.__all__)
    assert all(hasattr(sepay, name) for name in expected)


@given(st.binary(max_size=400))
def test_handle_never_raises_on_any_body(body: bytes) -> None:
    calls, on_transfer = collector()
    hook = receiver(allow_unauthenticated=True, hmac_secret=None)
    receipt = hook.handle(body, {}, on_transfer)
    assert receipt.outcome in (CallbackOutcome.ACCEPTED, CallbackOutcome.MALFORMED)
    assert len(calls) == (receipt.outcome is CallbackOutcome.ACCEPTED)


_JSON_VALUES = st.one_of(
    st.text(max_size=20),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)


@given(_JSON_VALUES)
def test_any_transfer_amount_is_exact_or_refused(amount: object) -> None:
    body = BODY.replace(b":50000,", b":" + json.dumps(amount).encode() + b",")
    calls, on_transfer = collector()
    receipt = receiver().handle(body, signed(body), on_transfer)
    exact = (isinstance(amount, int) and not isinstance(amount, bool) and 0 < amount < 10**15) or (
        isinstance(amount, str) and re.fullmatch(r"[0-9]{1,15}", amount) and int(amount) > 0
    )
    if exact:
        assert CallbackOutcome.ACCEPTED == receipt.outcome
        assert [int(amount)] == [t.amount for t in calls]  # type: ignore[call-overload]
    else:
        assert (CallbackOutcome.MALFORMED, 400, []) == (
            receipt.outcome,
            receipt.answer.status,
            calls,
        )
