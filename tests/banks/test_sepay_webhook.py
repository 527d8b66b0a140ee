"""The SePay webhook receiver: authentication, parsing, de-duplication and answers."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import datetime

import pytest
import requests

import connectors.banks.sepay as sepay
from connectors.banks.base import CallbackOutcome, HttpAnswer
from connectors.banks.matching import BankTransfer, TransferDirection
from connectors.banks.sepay import SePayWebhook, WireProfile, parse_payload
from connectors.core.errors import ConfigError, SignatureError, ValidationError
from connectors.core.webhooks import MemorySeenStore
from connectors.testing import serve
from connectors.vn.time import VN_TZ

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


def receiver(**kwargs: object) -> SePayWebhook:
    args: dict[str, object] = {"hmac_secret": SECRET, "clock": lambda: float(NOW), **kwargs}
    return SePayWebhook(**args)  # type: ignore[arg-type]


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


def test_outgoing_transfer_and_float_amounts() -> None:
    body = BODY.replace(b'"in"', b'"out"').replace(b":50000,", b":50000.0,")
    transfer = receiver().parse(body, signed(body))
    assert (TransferDirection.OUT, 50_000) == (transfer.direction, transfer.amount)


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
    hook = SePayWebhook(api_key=API_KEY)
    hook.verify(BODY, {"Authorization": f"Apikey {API_KEY}"})
    hook.verify(BODY, {"authorization": f"apikey {API_KEY}"})
    for bad in (f"Apikey {API_KEY}x", f"Bearer {API_KEY}", "Apikey", ""):
        with pytest.raises(SignatureError):
            hook.verify(BODY, {"Authorization": bad})
    with pytest.raises(SignatureError):
        hook.verify(BODY, {})


def test_configuration_errors() -> None:
    with pytest.raises(ConfigError):
        SePayWebhook()
    with pytest.raises(ConfigError):
        SePayWebhook(hmac_secret=SECRET, api_key=API_KEY)
    with pytest.raises(ConfigError):
        SePayWebhook(api_key="")
    open_hook = SePayWebhook(allow_unauthenticated=True)
    assert "92704" == open_hook.parse(BODY, {}).transfer_id


def test_repr_hides_secrets() -> None:
    assert SECRET not in repr(receiver())
    assert API_KEY not in repr(SePayWebhook(api_key=API_KEY))


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
    receipt = receiver().handle(body, signed(body), on_transfer)
    assert (CallbackOutcome.ERROR, 400) == (receipt.outcome, receipt.answer.status)
    assert receipt.error is not None
    assert [] == calls


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
        "DEFAULT_BASE_URL", "WIRE", "Delivery", "DeliveryAttempt", "SePaySettings",
        "SePaySimulator", "SePayTransactions", "SePayWebhook", "WebhookPayload", "WebhookReceipt",
        "WebhookRequest", "WireProfile", "parse_payload", "transfer_from_payload",
    }  # fmt: skip
    assert expected == set(sepay.__all__)
    assert all(hasattr(sepay, name) for name in expected)
