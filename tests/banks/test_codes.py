"""One error table for the banks domain (`PAYMENT_ERRORS`): which core error each common
code raises, whether a retry may succeed, and a vendor's refusal kept beside it."""

from __future__ import annotations

import pytest

from connectors.banks import PaymentErrorCode
from connectors.banks.codes import PAYMENT_ERRORS, Refusal
from connectors.banks.momo import wire as momo_wire
from connectors.banks.payos import wire as payos_wire
from connectors.banks.vnpay import wire as vnpay_wire
from connectors.core.errors import (
    AuthError,
    Duplicate,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Rejected,
)

TABLE = {
    PaymentErrorCode.AUTH: (AuthError, False),
    PaymentErrorCode.BAD_SIGNATURE: (AuthError, False),
    PaymentErrorCode.BAD_REQUEST: (Rejected, False),
    PaymentErrorCode.NOT_FOUND: (NotFound, False),
    PaymentErrorCode.DUPLICATE: (Duplicate, False),
    PaymentErrorCode.INVALID_AMOUNT: (Rejected, False),
    PaymentErrorCode.REFUND_REFUSED: (Rejected, False),
    PaymentErrorCode.RATE_LIMITED: (RateLimited, True),
    PaymentErrorCode.TEMPORARY: (ProviderUnavailable, True),
    PaymentErrorCode.UNKNOWN: (ProviderError, False),
}


def test_the_table_covers_every_code() -> None:
    assert set(PaymentErrorCode) == set(TABLE)


@pytest.mark.parametrize("code", list(PaymentErrorCode))
def test_each_code_raises_its_class_and_says_if_a_retry_may_succeed(
    code: PaymentErrorCode,
) -> None:
    error = PAYMENT_ERRORS.error(code, "no", provider="momo", vendor_code="42")
    assert TABLE[code] == (type(error), error.retryable)
    assert (code.value, "42", "momo") == (error.code, error.vendor_code, error.provider)


def test_a_refusal_becomes_the_error_keeping_the_raw_answer() -> None:
    refusal = Refusal(PaymentErrorCode.REFUND_REFUSED, "95", "original transaction not successful")
    error = refusal.error(title="VNPay", operation="refund", provider="vnpay", http_status=200)
    assert isinstance(error, Rejected)
    assert "VNPay refused the refund: 95 original transaction not successful" == error.message
    assert ("refund_refused", "95", "original transaction not successful", "refund", 200) == (
        error.code,
        error.vendor_code,
        error.vendor_message,
        error.operation,
        error.http_status,
    )
    bare = Refusal(PaymentErrorCode.UNKNOWN, "99").error(title="MoMo", operation="query")
    assert ("MoMo refused the query: 99", None) == (bare.message, bare.vendor_message)


@pytest.mark.parametrize(
    ("refusal", "expected"),
    [
        (
            vnpay_wire.read_answer({"vnp_ResponseCode": "95"}, 200, operation="refund", secret="x"),
            Refusal(PaymentErrorCode.REFUND_REFUSED, "95", "original transaction not successful"),
        ),
        (
            vnpay_wire.read_answer({"vnp_ResponseCode": "00"}, 503, operation="query", secret="x"),
            None,
        ),
        (
            momo_wire.read_answer({"resultCode": 41, "message": "duplicate"}, 400),
            Refusal(PaymentErrorCode.DUPLICATE, "41", "duplicate"),
        ),
        (
            momo_wire.read_answer({"resultCode": 1006}, 200, query=True),
            {"resultCode": 1006},  # a query reports the payment's own code: not a refusal
        ),
        (
            payos_wire.read_answer({"code": "231", "desc": "exists"}, 200),
            Refusal(PaymentErrorCode.DUPLICATE, "231", "exists"),
        ),
        (
            payos_wire.read_answer({"code": "231", "desc": "exists"}, 200, duplicate_ok=True),
            {"code": "231", "desc": "exists"},  # a retried create: the link already exists
        ),
        (payos_wire.read_answer("not an object", 502), None),
    ],
)
def test_each_wire_reads_its_refusals_onto_the_common_codes(
    refusal: object, expected: object
) -> None:
    assert expected == refusal
