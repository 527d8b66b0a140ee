"""The banks domain models: validation before sending, ASCII-safe text, integer amounts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

import connectors.banks.base as base
from connectors.banks.base import (
    ASCII_SAFE_CHARS,
    CallbackRequest,
    PaymentErrorCode,
    PaymentIntent,
    PaymentNotification,
    PaymentRequest,
    PaymentStatus,
    RefundRequest,
    ascii_safe,
    check_amount,
)
from connectors.banks.codes import PAYMENT_ERRORS
from connectors.core.errors import (
    AuthError,
    Duplicate,
    NotFound,
    ProviderUnavailable,
    Rejected,
    ValidationError,
)
from connectors.vn.time import VN_TZ

SAFE = re.compile(f"[{ASCII_SAFE_CHARS}]*")


def request(**changes: object) -> PaymentRequest:
    fields: dict[str, object] = {
        "dossier_code": "HS-2025-000123",
        "amount": 50_000,
        "description": "Nộp lệ phí hồ sơ #HS-2025-000123",
        "return_url": "https://dvc.example.vn/pay/return",
    }
    fields.update(changes)
    return PaymentRequest(**fields)  # type: ignore[arg-type]


def test_ascii_safe_strips_diacritics_and_special_characters() -> None:
    assert "Nop le phi ho so HS-2025-000123" == ascii_safe("Nộp lệ phí hồ sơ #HS-2025-000123")
    assert "Dang ky ket hon" == ascii_safe("  Đăng ký\tkết   hôn!! ")
    assert "a b" == ascii_safe("a*~'()!b")
    assert "Pena Angstrom cafe" == ascii_safe("Peña Ångström café")
    assert "Le phi 2" == ascii_safe("Lệ phí ２")  # full-width digit


@given(st.text(max_size=400), st.integers(min_value=1, max_value=300))
def test_ascii_safe_output_is_always_safe_and_bounded(text: str, limit: int) -> None:
    error: ValidationError | None = None
    cleaned = ""
    try:
        cleaned = ascii_safe(text, max_length=limit)
    except ValidationError as exc:
        error = exc
    if error is not None:
        assert "description" == error.field
        return
    assert SAFE.fullmatch(cleaned)
    assert 0 < len(cleaned) <= limit
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned
    assert cleaned == ascii_safe(cleaned, max_length=limit)  # idempotent


@given(st.text(alphabet="!@#$%^&*()[]{}<>?;'\"~`|\\=+ \t\n", max_size=30))
def test_ascii_safe_refuses_text_with_nothing_left(text: str) -> None:
    with pytest.raises(ValidationError) as raised:
        ascii_safe(text, field_name="reason")
    assert "reason" == raised.value.field


@given(st.integers(min_value=1, max_value=10**15))
def test_check_amount_accepts_positive_ints(amount: int) -> None:
    assert amount == check_amount(amount)


@given(
    st.one_of(
        st.integers(max_value=0),
        st.floats(allow_nan=True),
        st.decimals(allow_nan=False),
        st.booleans(),
        st.text(max_size=5),
        st.none(),
    )
)
def test_check_amount_refuses_everything_else(value: object) -> None:
    with pytest.raises(ValidationError) as raised:
        check_amount(value, field_name="original_amount")
    assert "original_amount" == raised.value.field


def test_payment_request_cleans_the_description() -> None:
    assert "Nop le phi ho so HS-2025-000123" == request().description


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"dossier_code": "HS 2025"}, "dossier_code"),
        ({"dossier_code": ""}, "dossier_code"),
        ({"amount": 0}, "amount"),
        ({"amount": 50_000.0}, "amount"),
        ({"amount": True}, "amount"),
        ({"description": "!!!"}, "description"),
        ({"return_url": "ftp://x"}, "return_url"),
        ({"return_url": "https://dvc.example.vn/a b"}, "return_url"),
        ({"notify_url": "dvc.example.vn/ipn"}, "notify_url"),
        ({"expires_in": timedelta(seconds=30)}, "expires_in"),
        ({"expires_in": timedelta(days=8)}, "expires_in"),
        ({"order_ref": "HS/1"}, "order_ref"),
    ],
)
def test_payment_request_names_the_bad_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        request(**changes)
    assert field == raised.value.field


def test_refund_request_validates_before_sending() -> None:
    ok = RefundRequest(
        order_ref="HS2025000123",
        amount=20_000,
        original_amount=50_000,
        refund_ref="RF1",
        reason="Hoàn lệ phí",
        requested_by="cán bộ 01",
    )
    assert (True, "Hoan le phi", "can bo 01") == (ok.is_partial, ok.reason, ok.requested_by)
    cases: list[tuple[dict[str, object], str]] = [
        ({"amount": 60_000}, "amount"),
        ({"refund_ref": "RF 1"}, "refund_ref"),
        ({"order_ref": ""}, "order_ref"),
        ({"gateway_txn_id": "12 34"}, "gateway_txn_id"),
        ({"paid_created_at": datetime(2025, 1, 2, 10, 15)}, "paid_created_at"),
    ]
    for changes, field in cases:
        fields: dict[str, object] = {
            "order_ref": "HS2025000123",
            "amount": 50_000,
            "original_amount": 50_000,
            "refund_ref": "RF1",
        }
        fields.update(changes)
        with pytest.raises(ValidationError) as raised:
            RefundRequest(**fields)  # type: ignore[arg-type]
        assert field == raised.value.field


def test_times_are_expressed_in_gmt7() -> None:
    utc = datetime(2025, 1, 2, 3, 15, tzinfo=UTC)
    intent = PaymentIntent(
        gateway="vnpay",
        order_ref="HS1",
        dossier_code="HS1",
        amount=1,
        created_at=utc,
        expires_at=utc + timedelta(minutes=15),
        redirect_url="https://pay.example/x",
    )
    assert datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ) == intent.created_at
    assert timedelta(hours=7) == intent.created_at.utcoffset()
    with pytest.raises(ValidationError) as raised:
        PaymentNotification(
            "vnpay", "HS1", 1, PaymentStatus.PAID, "00", paid_at=datetime(2025, 1, 2)
        )
    assert "paid_at" == raised.value.field
    with pytest.raises(ValidationError) as raised:
        PaymentIntent("vnpay", "HS1", "HS1", 1, utc, utc)
    assert "redirect_url" == raised.value.field


def test_event_key_separates_outcomes_of_one_payment() -> None:
    paid = PaymentNotification("momo", "HS1", 5, PaymentStatus.PAID, "0", gateway_txn_id="77")
    failed = PaymentNotification("momo", "HS1", 5, PaymentStatus.FAILED, "1001")
    assert "HS1:paid:77" == paid.event_key
    assert "HS1:failed:" == failed.event_key


def test_notification_amount_must_be_int() -> None:
    with pytest.raises(ValidationError) as raised:
        PaymentNotification("momo", "HS1", 5.0, PaymentStatus.PAID, "0")  # type: ignore[arg-type]
    assert "amount" == raised.value.field


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (PaymentErrorCode.AUTH, AuthError),
        (PaymentErrorCode.BAD_SIGNATURE, AuthError),
        (PaymentErrorCode.NOT_FOUND, NotFound),
        (PaymentErrorCode.DUPLICATE, Duplicate),
        (PaymentErrorCode.INVALID_AMOUNT, Rejected),
        (PaymentErrorCode.TEMPORARY, ProviderUnavailable),
    ],
)
def test_provider_error_maps_the_common_code(code: PaymentErrorCode, cls: type) -> None:
    error = PAYMENT_ERRORS.error(code, "no", provider="vnpay", vendor_code="91")
    assert type(error) is cls
    assert (code.value, "91", "vnpay") == (error.code, error.vendor_code, error.provider)


def test_status_finality() -> None:
    assert {PaymentStatus.PENDING, PaymentStatus.UNKNOWN} == {
        s for s in PaymentStatus if not s.is_final
    }


def test_callback_request_json() -> None:
    assert {"a": 1} == CallbackRequest("POST", body=b'{"a": 1}').json()


def test_public_names_exist() -> None:
    assert sorted(base.__all__) == base.__all__
    for name in base.__all__:
        assert hasattr(base, name), name
