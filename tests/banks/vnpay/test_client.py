"""The VNPay client against its simulator: exact bytes on the wire, errors, faults."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from connectors.banks.base import (
    Payer,
    PaymentRequest,
    PaymentStatus,
    RefundRequest,
    RefundStatus,
    UnsupportedOperation,
)
from connectors.banks.vnpay import VnpayGateway, VnpayGatewaySettings, wire
from connectors.core.config import load_settings
from connectors.core.errors import (
    AuthError,
    ConfigError,
    Duplicate,
    NotFound,
    OutcomeUnknown,
    Rejected,
    SignatureError,
    ValidationError,
)
from connectors.testing import Reset, TimeoutAfterCommit, TimeoutBeforeProcessing, mount
from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator
from connectors.vn.time import VN_TZ
from tests.banks.gateways import VNPAY_SECRET, fast_retry
from tests.banks.vnpay.test_wire import (
    VECTOR_B_HASH,
    VECTOR_B_STRING,
    VECTOR_C_HASH,
    VECTOR_D_HASH,
)

URL = "https://vnpay.sim.test"
CREATED = datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ)


def at(moment: datetime) -> float:
    return moment.timestamp()


def vector_request() -> PaymentRequest:
    return PaymentRequest(
        dossier_code="HS-2025-000123",
        order_ref="HS2025000123",
        amount=50_000,
        description="Nộp lệ phí hồ sơ HS-2025-000123",
        return_url="https://dvc.example.vn/vnpay/return",
    )


@pytest.fixture
def sim() -> Iterator[VnpayGatewaySimulator]:
    simulator = VnpayGatewaySimulator(hash_secret=VNPAY_SECRET, clock=lambda: at(CREATED))
    with mount(simulator, URL):
        yield simulator


def client(now: datetime = CREATED, **options: object) -> VnpayGateway:
    return VnpayGateway(
        tmn_code="HNTEST01",
        hash_secret=VNPAY_SECRET,
        base_url=URL,
        clock=lambda: at(now),
        retry=fast_retry(),
        **options,  # type: ignore[arg-type]
    )


def paid_order(sim: VnpayGatewaySimulator, vnpay: VnpayGateway) -> tuple[datetime, str]:
    intent = vnpay.create_payment(vector_request())
    assert intent.redirect_url is not None
    assert 200 == requests.get(intent.redirect_url, timeout=5).status_code
    callback = sim.pay("HS2025000123")
    return intent.created_at, callback.query["vnp_TransactionNo"]


def test_vector_b_payment_url() -> None:
    intent = client().create_payment(vector_request())
    expected = f"{URL}/paymentv2/vpcpay.html?{VECTOR_B_STRING}&vnp_SecureHash={VECTOR_B_HASH}"
    assert expected == intent.redirect_url
    assert (CREATED, CREATED + timedelta(minutes=15)) == (intent.created_at, intent.expires_at)
    assert "HS2025000123" == intent.order_ref


@pytest.mark.parametrize("host_tz", ["UTC", "Etc/GMT+7", "America/New_York"])
def test_payment_url_uses_gmt7_whatever_the_host_zone(
    host_tz: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 23:30 UTC on 1 January is 06:30 on 2 January in Hanoi, wherever the server runs.
    monkeypatch.setenv("TZ", host_tz)
    time.tzset()
    try:
        late = datetime(2025, 1, 1, 23, 30, tzinfo=UTC)
        url = client(now=late).payment_url(vector_request())
    finally:
        monkeypatch.undo()
        time.tzset()
    params = dict(parse_qsl(urlsplit(url).query))
    assert "20250102063000" == params["vnp_CreateDate"]
    assert "20250102064500" == params["vnp_ExpireDate"]


def test_payment_url_with_bank_code_and_production_pay_host() -> None:
    vnpay = client(pay_url="https://pay.vnpay.vn/vpcpay.html")
    url = vnpay.payment_url(vector_request(), bank_code="VNPAYQR", client_ip="10.0.0.7")
    assert url.startswith(
        "https://pay.vnpay.vn/vpcpay.html?vnp_Amount=5000000&vnp_BankCode=VNPAYQR"
    )
    params = dict(parse_qsl(urlsplit(url).query))
    assert "10.0.0.7" == params["vnp_IpAddr"]
    assert params == {**vnpay.verify_callback(params).raw}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"client_ip": "dvc.example.vn"}, "client_ip"), ({"bank_code": "VN BANK"}, "bank_code")],
)
def test_bad_input_is_refused_before_sending(
    sim: VnpayGatewaySimulator, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        client().payment_url(vector_request(), **kwargs)
    assert field == raised.value.field


def test_amount_over_twelve_digits_is_refused() -> None:
    request = PaymentRequest(
        dossier_code="HS1", amount=10**10, description="x", return_url="https://a.vn/r"
    )
    with pytest.raises(ValidationError) as raised:
        client().payment_url(request)
    assert "amount" == raised.value.field


def test_verify_callback_parses_the_ipn(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    _created_at, number = paid_order(sim, vnpay)
    note = vnpay.verify_callback(sim.orders["HS2025000123"].callback.query)  # type: ignore[union-attr]
    assert ("HS2025000123", 50_000, PaymentStatus.PAID) == (
        note.order_ref,
        note.amount,
        note.status,
    )
    assert (number, "00", CREATED) == (note.gateway_txn_id, note.vendor_code, note.paid_at)


@pytest.mark.parametrize(
    "change",
    [
        {"vnp_SecureHash": None},
        {"vnp_SecureHash": ""},
        {"vnp_SecureHash": "0" * 128},
        {"vnp_Amount": "9900000"},
        {"vnp_ResponseCode": "00", "vnp_TxnRef": "HS2025000999"},
        {"vnp_NewField": "added"},
    ],
)
def test_verify_callback_refuses_tampering(
    sim: VnpayGatewaySimulator, change: dict[str, str]
) -> None:
    vnpay = client()
    paid_order(sim, vnpay)
    params = dict(sim.orders["HS2025000123"].callback.query)  # type: ignore[union-attr]
    for key, value in change.items():
        if value is None:
            params.pop(key)
        else:
            params[key] = value
    with pytest.raises(SignatureError) as raised:
        vnpay.verify_callback(params)
    assert "vnpay" == raised.value.provider
    assert VNPAY_SECRET not in str(raised.value)


def test_callback_of_another_terminal_is_refused() -> None:
    other = VnpayGatewaySimulator(tmn_code="OTHER001", hash_secret=VNPAY_SECRET)
    with mount(other, URL):
        intent = client().create_payment(vector_request())
        params = dict(parse_qsl(urlsplit(intent.redirect_url or "").query))
        params["vnp_TmnCode"] = "OTHER001"
        params["vnp_SecureHash"] = wire.sign(VNPAY_SECRET, wire.signing_string(params))
        with pytest.raises(SignatureError, match="terminal"):
            client().verify_callback(params)


def test_callback_special_characters_verify_with_either_encoder() -> None:
    params = {
        "vnp_TmnCode": "HNTEST01",
        "vnp_TxnRef": "A1",
        "vnp_Amount": "100",
        "vnp_OrderInfo": "a*b~c",
        "vnp_ResponseCode": "00",
        "vnp_TransactionStatus": "00",
    }
    for encoder in ("java", "python"):
        signed = {
            **params,
            "vnp_SecureHash": wire.sign(VNPAY_SECRET, wire.signing_string(params, encoder)),
        }
        assert 1 == client().verify_callback(signed).amount


def test_query_sends_vector_c(sim: VnpayGatewaySimulator) -> None:
    vnpay = client(
        now=datetime(2025, 1, 2, 10, 31, tzinfo=VN_TZ), request_ids=lambda: "REQ20250102103100"
    )
    with mount(sim, URL) as mock:
        with pytest.raises(NotFound) as raised:
            vnpay.query("HS2025000123", created_at=CREATED)
        sent = json.loads(mock.calls[0].request.body)
    assert {
        "vnp_RequestId": "REQ20250102103100",
        "vnp_Version": "2.1.0",
        "vnp_Command": "querydr",
        "vnp_TmnCode": "HNTEST01",
        "vnp_TxnRef": "HS2025000123",
        "vnp_OrderInfo": "Truy van GD HS2025000123",
        "vnp_TransactionDate": "20250102101500",
        "vnp_CreateDate": "20250102103100",
        "vnp_IpAddr": "127.0.0.1",
        "vnp_SecureHash": VECTOR_C_HASH,
    } == sent
    assert ("91", "not_found") == (raised.value.vendor_code, raised.value.code)


def test_query_reports_the_payment(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    created_at, number = paid_order(sim, vnpay)
    report = vnpay.query("HS2025000123", created_at=created_at)
    assert (PaymentStatus.PAID, 50_000, number) == (
        report.status,
        report.amount,
        report.gateway_txn_id,
    )
    assert ("00", CREATED) == (report.vendor_code, report.paid_at)


def test_query_needs_the_creation_date(sim: VnpayGatewaySimulator) -> None:
    with pytest.raises(ValidationError) as raised:
        client().query("HS2025000123")
    assert "created_at" == raised.value.field
    assert [] == sim.seen


def test_query_with_the_wrong_creation_date_finds_nothing(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    paid_order(sim, vnpay)
    with pytest.raises(NotFound):
        vnpay.query("HS2025000123", created_at=CREATED + timedelta(seconds=1))


def test_query_retries_a_timeout_with_a_fresh_request_id(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    created_at, _ = paid_order(sim, vnpay)
    sim.faults.add("transaction", TimeoutBeforeProcessing(1.0))
    ids = iter(["Q1", "Q2"])
    vnpay = client(request_ids=lambda: next(ids))
    with mount(sim, URL) as mock:
        report = vnpay.query("HS2025000123", created_at=created_at)
        sent = [json.loads(c.request.body)["vnp_RequestId"] for c in mock.calls]
    assert PaymentStatus.PAID == report.status
    assert ["Q1", "Q2"] == sent
    assert 2 == len(sim.requests_to("transaction"))


def test_wrong_secret_is_refused_by_vnpay(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    created_at, _ = paid_order(sim, vnpay)
    wrong = VnpayGateway(tmn_code="HNTEST01", hash_secret="WRONG-SECRET-000", base_url=URL)
    with pytest.raises(AuthError) as raised:
        wrong.query("HS2025000123", created_at=created_at)
    assert ("97", "bad_signature") == (raised.value.vendor_code, raised.value.code)
    assert "WRONG-SECRET-000" not in str(raised.value) + (raised.value.body_excerpt or "")


def test_forged_response_is_refused() -> None:
    import responses

    answer = {
        "vnp_ResponseId": "R1",
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": "HNTEST01",
        "vnp_TxnRef": "HS2025000123",
        "vnp_Amount": "5000000",
        "vnp_TransactionStatus": "00",
    }
    answer["vnp_SecureHash"] = wire.sign(
        "IMPOSTOR-SECRET-0", wire.joined(answer, wire.QUERY_RESPONSE_HASH_FIELDS)
    )
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, f"{URL}/merchant_webapi/api/transaction", json=answer)
        with pytest.raises(SignatureError):
            client().query("HS2025000123", created_at=CREATED)
        del answer["vnp_SecureHash"]
        mock.replace(responses.POST, f"{URL}/merchant_webapi/api/transaction", json=answer)
        with pytest.raises(SignatureError):
            client().query("HS2025000123", created_at=CREATED)


def refund_request(created_at: datetime, number: str, **changes: object) -> RefundRequest:
    fields: dict[str, object] = {
        "order_ref": "HS2025000123",
        "amount": 50_000,
        "original_amount": 50_000,
        "refund_ref": "RF20250103090000",
        "gateway_txn_id": number,
        "paid_created_at": created_at,
        "reason": "Hoàn lệ phí HS2025000123",
        "requested_by": "canbo01",
    }
    fields.update(changes)
    return RefundRequest(**fields)  # type: ignore[arg-type]


def test_refund_sends_vector_d(sim: VnpayGatewaySimulator) -> None:
    created_at, number = paid_order(sim, client())
    assert "14422574" == number
    vnpay = client(now=datetime(2025, 1, 3, 9, 0, tzinfo=VN_TZ))
    with mount(sim, URL) as mock:
        refund = vnpay.refund(refund_request(created_at, number))
        sent = json.loads(mock.calls[0].request.body)
    assert VECTOR_D_HASH == sent["vnp_SecureHash"]
    assert ("02", "5000000", "canbo01") == (
        sent["vnp_TransactionType"],
        sent["vnp_Amount"],
        sent["vnp_CreateBy"],
    )
    assert (RefundStatus.PENDING, "00", 50_000) == (
        refund.status,
        refund.vendor_code,
        refund.amount,
    )
    assert [50_000] == [e.data["amount"] for e in sim.ledger.entries("refund")]
    assert PaymentStatus.REFUNDED == vnpay.query("HS2025000123", created_at=created_at).status


def test_partial_refund_is_type_03(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    created_at, number = paid_order(sim, vnpay)
    with mount(sim, URL) as mock:
        vnpay.refund(refund_request(created_at, number, amount=20_000))
        sent = json.loads(mock.calls[0].request.body)
    assert ("03", "2000000") == (sent["vnp_TransactionType"], sent["vnp_Amount"])


def test_refund_beyond_the_payment_is_refused(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    created_at, number = paid_order(sim, vnpay)
    vnpay.refund(refund_request(created_at, number, amount=40_000, refund_ref="RF1"))
    with pytest.raises(Rejected) as raised:
        vnpay.refund(refund_request(created_at, number, amount=20_000, refund_ref="RF2"))
    assert ("95", "refund_refused") == (raised.value.vendor_code, raised.value.code)
    assert 1 == sim.ledger.count("refund")


def test_refund_reusing_a_key_is_a_duplicate(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    created_at, number = paid_order(sim, vnpay)
    vnpay.refund(refund_request(created_at, number, amount=10_000))
    with pytest.raises(Duplicate) as raised:
        vnpay.refund(refund_request(created_at, number, amount=10_000))
    assert ("94", "duplicate") == (raised.value.vendor_code, raised.value.code)
    assert 1 == sim.ledger.count("refund")


def test_refund_answer_lost_after_commit_is_not_repeated(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    created_at, number = paid_order(sim, vnpay)
    sim.faults.add("transaction", TimeoutAfterCommit(1.0))
    refund = vnpay.refund(refund_request(created_at, number))
    assert (RefundStatus.PENDING, "94") == (refund.status, refund.vendor_code)
    assert 2 == len(sim.requests_to("transaction"))
    assert 1 == sim.ledger.count("refund")


def test_refund_always_lost_is_outcome_unknown_with_the_key(sim: VnpayGatewaySimulator) -> None:
    vnpay = client()
    created_at, number = paid_order(sim, vnpay)
    sim.faults.add("transaction", Reset(), times=3)
    with pytest.raises(OutcomeUnknown) as raised:
        vnpay.refund(refund_request(created_at, number))
    assert "RF20250103090000" == raised.value.idempotency_key
    assert 0 == sim.ledger.count("refund")


def test_cancel_is_unsupported() -> None:
    with pytest.raises(UnsupportedOperation):
        client().cancel("HS2025000123")


def test_secret_never_reaches_logs_or_repr(
    sim: VnpayGatewaySimulator, caplog: pytest.LogCaptureFixture
) -> None:
    vnpay = client()
    caplog.set_level(logging.DEBUG)
    created_at, number = paid_order(sim, vnpay)
    vnpay.query("HS2025000123", created_at=created_at)
    vnpay.refund(refund_request(created_at, number))
    assert VNPAY_SECRET not in caplog.text + repr(vnpay)
    assert "querydr" in caplog.text


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_VNPAY_TMN_CODE", "HNTEST01")
    monkeypatch.setenv("CONNECTORS_VNPAY_HASH_SECRET", VNPAY_SECRET)
    settings = load_settings(VnpayGatewaySettings)
    vnpay = VnpayGateway.from_settings(settings)
    assert ("HNTEST01", "https://sandbox.vnpayment.vn") == (vnpay.tmn_code, vnpay.base_url)
    assert "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html" == vnpay.pay_url
    assert VNPAY_SECRET not in repr(settings)


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ConfigError) as raised:
        VnpayGateway(tmn_code="HNTEST01", hash_secret="")
    assert "hash_secret" == raised.value.field
    with pytest.raises(ConfigError) as raised:
        VnpayGateway(tmn_code="HN TEST", hash_secret="x")
    assert "tmn_code" == raised.value.field


def test_payer_contact_is_sent_as_bill_fields(sim: VnpayGatewaySimulator) -> None:
    request = PaymentRequest(
        dossier_code="HS1",
        amount=10_000,
        description="Le phi",
        return_url="https://a.vn/r",
        payer=Payer(name="Nguyen Van A", phone="0912 345 678", email="a@example.vn"),
    )
    url = client().payment_url(request)
    params = dict(parse_qsl(urlsplit(url).query))
    assert ("0912345678", "a@example.vn") == (params["vnp_Bill_Mobile"], params["vnp_Bill_Email"])
    assert 200 == requests.get(url, timeout=5).status_code  # signed with them
    with pytest.raises(ValidationError) as raised:
        client().payment_url(
            PaymentRequest(
                dossier_code="HS2",
                amount=1,
                description="x",
                return_url="https://a.vn/r",
                payer=Payer(email="not an address"),
            )
        )
    assert "payer.email" == raised.value.field


def test_query_refuses_a_malformed_order_ref(sim: VnpayGatewaySimulator) -> None:
    with pytest.raises(ValidationError) as raised:
        client().query("HS 1/2", created_at=CREATED)
    assert "order_ref" == raised.value.field
    assert [] == sim.seen
