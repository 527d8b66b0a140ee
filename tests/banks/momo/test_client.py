"""The MoMo client against its simulator: bytes on the wire, IPN verification, faults."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest

from connectors.banks.base import (
    CallbackOutcome,
    HttpAnswer,
    PaymentRequest,
    PaymentStatus,
    RefundRequest,
    RefundStatus,
    UnsupportedOperation,
)
from connectors.banks.momo import MomoGateway
from connectors.core.errors import (
    AuthError,
    Duplicate,
    NotFound,
    ProviderUnavailable,
    Rejected,
    SignatureError,
    ValidationError,
)
from connectors.testing import Status, TimeoutAfterCommit, mount
from connectors.testing.simulators.banks.momo import MomoGatewaySimulator
from connectors.vn.time import VN_TZ
from tests.banks.gateways import MOMO_ACCESS, MOMO_SECRET, fast_retry
from tests.banks.momo.test_wire import VECTOR_E_SIGNATURE, VECTOR_F_BODY, VECTOR_F_SIGNATURE

URL = "https://momo.sim.test"
NOW = datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ)


@pytest.fixture
def sim() -> Iterator[MomoGatewaySimulator]:
    simulator = MomoGatewaySimulator(
        access_key=MOMO_ACCESS, secret_key=MOMO_SECRET, clock=NOW.timestamp, sleep=lambda _s: None
    )
    with mount(simulator, URL):
        yield simulator


def client(**options: object) -> MomoGateway:
    return MomoGateway(
        partner_code="MOMO",
        access_key=MOMO_ACCESS,
        secret_key=MOMO_SECRET,
        base_url=URL,
        clock=NOW.timestamp,
        retry=fast_retry(),
        **options,  # type: ignore[arg-type]
    )


def vector_request(**changes: object) -> PaymentRequest:
    fields: dict[str, object] = {
        "dossier_code": "HS2025000123",
        "amount": 50_000,
        "description": "Nộp lệ phí hồ sơ HS2025000123",
        "return_url": "https://dvc.example.vn/momo/return",
        "notify_url": "https://dvc.example.vn/momo/ipn",
    }
    fields.update(changes)
    return PaymentRequest(**fields)  # type: ignore[arg-type]


def test_create_sends_vector_e(sim: MomoGatewaySimulator) -> None:
    with mount(sim, URL) as mock:
        intent = client().create_payment(vector_request(), request_id="HS2025000123-1")
        sent = json.loads(mock.calls[0].request.body)
    assert VECTOR_E_SIGNATURE == sent["signature"]
    assert ("captureWallet", 50000, "vi") == (sent["requestType"], sent["amount"], sent["lang"])
    assert "accessKey" not in sent
    assert (intent.redirect_url or "").startswith("https://test-payment.momo.vn/")
    assert (intent.qr_payload or "").startswith("momo://")
    assert ("HS2025000123", "HS2025000123-1") == (intent.order_ref, intent.gateway_ref)
    assert 1 == sim.ledger.count("order", "HS2025000123")


def test_create_retried_after_commit_creates_one_payment(sim: MomoGatewaySimulator) -> None:
    sim.faults.add("create", TimeoutAfterCommit(1.0))
    with mount(sim, URL) as mock:
        intent = client().create_payment(vector_request())
        ids = [json.loads(c.request.body)["requestId"] for c in mock.calls]
    assert 2 == len(ids)
    assert ids[0] == ids[1] == intent.gateway_ref
    assert 1 == sim.ledger.count("order")


def test_second_create_for_an_order_is_a_duplicate(sim: MomoGatewaySimulator) -> None:
    client().create_payment(vector_request())
    with pytest.raises(Duplicate) as raised:
        client().create_payment(vector_request())
    assert ("41", "duplicate") == (raised.value.vendor_code, raised.value.code)
    assert 1 == sim.ledger.count("order")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 999}, "amount"),
        ({"amount": 50_000_001}, "amount"),
        ({"order_ref": "HS-"}, "order_ref"),
        ({"notify_url": None}, "notify_url"),
    ],
)
def test_bad_input_is_refused_before_sending(
    sim: MomoGatewaySimulator, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        client().create_payment(vector_request(**changes))
    assert field == raised.value.field
    assert [] == sim.seen


def test_wrong_keys_are_refused_by_momo(sim: MomoGatewaySimulator) -> None:
    wrong = MomoGateway(
        partner_code="MOMO", access_key=MOMO_ACCESS, secret_key="wrong-secret", base_url=URL
    )
    with pytest.raises(AuthError) as raised:
        wrong.create_payment(vector_request())
    assert ("13", 400) == (raised.value.vendor_code, raised.value.http_status)
    assert "wrong-secret" not in str(raised.value) + (raised.value.body_excerpt or "")


def test_vector_f_ipn_verifies() -> None:
    body = json.dumps({**VECTOR_F_BODY, "signature": VECTOR_F_SIGNATURE}).encode()
    note = client().verify_ipn(body)
    assert ("HS2025000123", 50_000, PaymentStatus.PAID) == (
        note.order_ref,
        note.amount,
        note.status,
    )
    assert ("0", "4088878653", "Successful.") == (
        note.vendor_code,
        note.gateway_txn_id,
        note.vendor_message,
    )
    assert datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ) == note.paid_at


@pytest.mark.parametrize(
    "body",
    [
        {**VECTOR_F_BODY, "signature": VECTOR_F_SIGNATURE, "amount": 5_000_000},
        {**VECTOR_F_BODY, "signature": VECTOR_F_SIGNATURE, "resultCode": 0, "orderId": "HS9"},
        {**VECTOR_F_BODY},
        {**VECTOR_F_BODY, "signature": VECTOR_F_SIGNATURE.upper()[:-1]},
        [1, 2],
    ],
)
def test_tampered_ipn_is_refused(body: object) -> None:
    with pytest.raises(SignatureError):
        client().verify_ipn(json.dumps(body).encode())


def test_ipn_body_that_is_not_json_is_refused() -> None:
    with pytest.raises(SignatureError, match="JSON"):
        client().verify_ipn(b"<xml/>")


def test_ipn_answers() -> None:
    momo = client()
    assert HttpAnswer(204) == momo.callback_answer(CallbackOutcome.ACCEPTED)
    assert HttpAnswer(204) == momo.callback_answer(CallbackOutcome.DUPLICATE)
    assert 400 == momo.callback_answer(CallbackOutcome.INVALID_SIGNATURE).status
    assert 500 == momo.callback_answer(CallbackOutcome.ERROR).status


def test_redirect_parameters_verify_too(sim: MomoGatewaySimulator) -> None:
    client().create_payment(vector_request())
    callback = sim.pay("HS2025000123")
    query = {k: str(v) for k, v in callback.json().items()}
    note = client().parse_notification(method="GET", query=query, body=b"", headers={})
    assert PaymentStatus.PAID == note.status


def test_query_reports_pending_then_paid(sim: MomoGatewaySimulator) -> None:
    momo = client()
    momo.create_payment(vector_request())
    assert PaymentStatus.PENDING == momo.query("HS2025000123").status
    callback = sim.pay("HS2025000123")
    report = momo.query("HS2025000123")
    assert (PaymentStatus.PAID, 50_000) == (report.status, report.amount)
    assert str(callback.json()["transId"]) == report.gateway_txn_id


def test_query_unknown_order(sim: MomoGatewaySimulator) -> None:
    with pytest.raises(NotFound) as raised:
        client().query("HS404")
    assert "42" == raised.value.vendor_code


def test_cancelled_payment(sim: MomoGatewaySimulator) -> None:
    momo = client()
    momo.create_payment(vector_request())
    note = momo.verify_ipn(sim.pay("HS2025000123", outcome="cancelled").body)
    assert (PaymentStatus.CANCELLED, "1006") == (note.status, note.vendor_code)
    assert PaymentStatus.CANCELLED == momo.query("HS2025000123").status


def refund_request(trans_id: str, amount: int = 50_000, ref: str = "RF1") -> RefundRequest:
    return RefundRequest(
        order_ref="HS2025000123",
        amount=amount,
        original_amount=50_000,
        refund_ref=ref,
        gateway_txn_id=trans_id,
        reason="Hoàn lệ phí",
    )


def test_refund_lost_answer_is_replayed_not_repeated(sim: MomoGatewaySimulator) -> None:
    momo = client()
    momo.create_payment(vector_request())
    trans_id = str(sim.pay("HS2025000123").json()["transId"])
    sim.faults.add("refund", TimeoutAfterCommit(1.0))
    with mount(sim, URL) as mock:
        refund = momo.refund(refund_request(trans_id, 20_000))
        sent = [json.loads(c.request.body) for c in mock.calls]
    assert 2 == len(sent)
    assert sent[0] == sent[1]
    assert "Hoan le phi" == sent[0]["description"]
    assert (RefundStatus.SUCCEEDED, 20_000) == (refund.status, refund.amount)
    assert 1 == sim.ledger.count("refund", "RF1")
    report = momo.query("HS2025000123")
    assert (PaymentStatus.PARTIALLY_REFUNDED, 20_000) == (report.status, report.refunded_amount)


def test_refund_beyond_the_payment_is_refused(sim: MomoGatewaySimulator) -> None:
    momo = client()
    momo.create_payment(vector_request())
    trans_id = str(sim.pay("HS2025000123").json()["transId"])
    momo.refund(refund_request(trans_id, 40_000, "RF1"))
    with pytest.raises(Rejected) as raised:
        momo.refund(refund_request(trans_id, 20_000, "RF2"))
    assert ("1080", "refund_refused") == (raised.value.vendor_code, raised.value.code)


def test_refund_needs_the_trans_id(sim: MomoGatewaySimulator) -> None:
    with pytest.raises(ValidationError) as raised:
        client().refund(
            RefundRequest(order_ref="HS1", amount=1, original_amount=1, refund_ref="RF1")
        )
    assert "gateway_txn_id" == raised.value.field


def test_maintenance_is_a_temporary_error(sim: MomoGatewaySimulator) -> None:
    sim.faults.add(
        "query",
        Status(200, b'{"resultCode": 10, "message": "maintenance"}', "application/json"),
    )
    with pytest.raises(ProviderUnavailable) as raised:
        client().query("HS1")
    assert ("temporary", True, "10") == (
        raised.value.code,
        raised.value.retryable,
        raised.value.vendor_code,
    )


def test_cancel_is_unsupported() -> None:
    with pytest.raises(UnsupportedOperation):
        client().cancel("HS1")


def test_keys_never_reach_logs(sim: MomoGatewaySimulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    momo = client()
    momo.create_payment(vector_request())
    momo.query("HS2025000123")
    assert MOMO_SECRET not in caplog.text + repr(momo)
    assert MOMO_ACCESS not in caplog.text + repr(momo)
    assert "create" in caplog.text


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.banks.momo import MomoGatewaySettings
    from connectors.core.config import load_settings

    monkeypatch.setenv("CONNECTORS_MOMO_PARTNER_CODE", "MOMO")
    monkeypatch.setenv("CONNECTORS_MOMO_ACCESS_KEY", MOMO_ACCESS)
    monkeypatch.setenv("CONNECTORS_MOMO_SECRET_KEY", MOMO_SECRET)
    monkeypatch.setenv("CONNECTORS_MOMO_IPN_URL", "https://dvc.example.vn/momo/ipn")
    settings = load_settings(MomoGatewaySettings)
    momo = MomoGateway.from_settings(settings)
    assert ("MOMO", "https://test-payment.momo.vn") == (momo.partner_code, momo.base_url)
    assert "https://dvc.example.vn/momo/ipn" == momo.ipn_url
    assert MOMO_SECRET not in repr(settings) + repr(momo)


def test_query_refuses_a_malformed_order_ref(sim: MomoGatewaySimulator) -> None:
    with pytest.raises(ValidationError) as raised:
        client().query("HS 1")
    assert "order_ref" == raised.value.field
    assert [] == sim.seen
