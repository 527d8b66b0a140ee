"""MoMo wire format: spec section 5 vectors E and F, the result-code table."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from connectors.banks.base import PaymentErrorCode, PaymentStatus
from connectors.banks.momo import wire
from tests.banks.gateways import MOMO_ACCESS, MOMO_SECRET

VECTOR_E_BODY = {
    "amount": 50000,
    "extraData": "",
    "ipnUrl": "https://dvc.example.vn/momo/ipn",
    "orderId": "HS2025000123",
    "orderInfo": "Nop le phi ho so HS2025000123",
    "partnerCode": "MOMO",
    "redirectUrl": "https://dvc.example.vn/momo/return",
    "requestId": "HS2025000123-1",
    "requestType": "captureWallet",
}
VECTOR_E_RAW = (
    "accessKey=F8BBA842ECF85&amount=50000&extraData=&ipnUrl=https://dvc.example.vn/momo/ipn"
    "&orderId=HS2025000123&orderInfo=Nop le phi ho so HS2025000123&partnerCode=MOMO"
    "&redirectUrl=https://dvc.example.vn/momo/return&requestId=HS2025000123-1"
    "&requestType=captureWallet"
)
VECTOR_E_SIGNATURE = "44d90e1a36f9fe66414f2ccaddc5fdda9fb018418a8a63ddac140baacf389df2"

VECTOR_F_BODY = {
    "partnerCode": "MOMO",
    "orderId": "HS2025000123",
    "requestId": "HS2025000123-1",
    "amount": 50000,
    "orderInfo": "Nop le phi ho so HS2025000123",
    "orderType": "momo_wallet",
    "transId": 4088878653,
    "resultCode": 0,
    "message": "Successful.",
    "payType": "qr",
    "responseTime": 1735787700000,
    "extraData": "",
}
VECTOR_F_RAW = (
    "accessKey=F8BBA842ECF85&amount=50000&extraData=&message=Successful.&orderId=HS2025000123"
    "&orderInfo=Nop le phi ho so HS2025000123&orderType=momo_wallet&partnerCode=MOMO"
    "&payType=qr&requestId=HS2025000123-1&responseTime=1735787700000&resultCode=0"
    "&transId=4088878653"
)
VECTOR_F_SIGNATURE = "fa53f906f6e9c6faf1b539e0194e37a2d5e8e432e5e1f3eef0950028b8ebeb5b"


def test_vector_e_create_signature() -> None:
    raw = wire.raw_signature(VECTOR_E_BODY, wire.CREATE_FIELDS, MOMO_ACCESS)
    assert VECTOR_E_RAW == raw
    assert VECTOR_E_SIGNATURE == wire.sign(MOMO_SECRET, raw)


def test_vector_f_ipn_signature() -> None:
    raw = wire.raw_signature(VECTOR_F_BODY, wire.IPN_FIELDS, MOMO_ACCESS)
    assert VECTOR_F_RAW == raw
    assert VECTOR_F_SIGNATURE == wire.sign(MOMO_SECRET, raw)


def test_access_key_in_the_body_is_ignored() -> None:
    forged = {**VECTOR_F_BODY, "accessKey": "attacker"}
    assert VECTOR_F_RAW == wire.raw_signature(forged, wire.IPN_FIELDS, MOMO_ACCESS)


def test_values_are_raw_utf8() -> None:
    raw = wire.raw_signature({"orderInfo": "Lệ phí & thuế"}, ("accessKey", "orderInfo"), "AK12")
    assert "accessKey=AK12&orderInfo=Lệ phí & thuế" == raw
    expected = hmac.new(b"sk", raw.encode("utf-8"), hashlib.sha256).hexdigest()
    assert expected == wire.sign("sk", raw)


def test_field_orders_are_alphabetical() -> None:
    for fields in (wire.CREATE_FIELDS, wire.IPN_FIELDS, wire.QUERY_FIELDS, wire.REFUND_FIELDS):
        assert sorted(fields) == list(fields)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (0, PaymentStatus.PAID),
        (9000, PaymentStatus.PAID),
        (1000, PaymentStatus.PENDING),
        (7000, PaymentStatus.PENDING),
        (8000, PaymentStatus.PENDING),
        (1006, PaymentStatus.CANCELLED),
        (1003, PaymentStatus.CANCELLED),
        (1005, PaymentStatus.EXPIRED),
        (1001, PaymentStatus.FAILED),
        (99, PaymentStatus.FAILED),
    ],
)
def test_result_codes_map_to_the_common_status(code: int, status: PaymentStatus) -> None:
    assert status == wire.payment_status(code)


def test_two_step_capture_does_not_count_9000_as_paid() -> None:
    assert PaymentStatus.PENDING == wire.payment_status(9000, frozenset({0}))


@pytest.mark.parametrize(
    ("code", "common"),
    [
        (13, PaymentErrorCode.BAD_SIGNATURE),
        (11, PaymentErrorCode.AUTH),
        (10, PaymentErrorCode.TEMPORARY),
        (22, PaymentErrorCode.INVALID_AMOUNT),
        (41, PaymentErrorCode.DUPLICATE),
        (42, PaymentErrorCode.NOT_FOUND),
        (1080, PaymentErrorCode.REFUND_REFUSED),
        (12345, PaymentErrorCode.UNKNOWN),
    ],
)
def test_error_codes_map_to_the_common_vocabulary(code: int, common: PaymentErrorCode) -> None:
    assert common == wire.error_code(code)
