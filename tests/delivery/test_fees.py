"""`FeePaid`: checked when made and when read back, and a lossless JSON round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.banks import PaymentNotification, PaymentStatus
from connectors.core import ValidationError
from connectors.delivery import FeeLine, FeePaid
from connectors.vn.time import VN_TZ

codes = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9./_-]{0,40}\Z")
names = st.text(st.characters(min_codepoint=32, exclude_characters="\x7f"), min_size=1).filter(
    str.strip
)
amounts = st.integers(min_value=1, max_value=10**12)
moments = st.builds(
    lambda naive, minutes: naive.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2099, 12, 30)),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)
lines = st.lists(st.builds(FeeLine, names.map(lambda n: n[:500]), amounts), min_size=1, max_size=5)


@st.composite
def fees(draw: st.DrawFn) -> FeePaid:
    paid = draw(lines)
    return FeePaid(
        dossier_code=draw(codes),
        amount=sum(line.amount for line in paid),
        lines=tuple(paid),
        gateway=draw(st.sampled_from(["vnpay", "momo", "payos", "vietqr", "sepay"])),
        transaction_id=draw(names.map(lambda n: n[:100])),
        paid_at=draw(moments),
        citizen=draw(names.map(lambda n: n[:100])),
    )


def valid(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "dossier_code": "HS2026000101",
        "amount": 28_000,
        "lines": (FeeLine("Lệ phí chứng thực", 20_000), FeeLine("Phí sao y", 8_000)),
        "gateway": "vnpay",
        "transaction_id": "14123456",
        "paid_at": datetime(2026, 3, 2, 9, 15, tzinfo=VN_TZ),
        "citizen": "CD000101",
    }
    return {**values, **changes}


@given(fees())
def test_the_outbox_payload_round_trips_through_json(fee: FeePaid) -> None:
    stored = json.loads(json.dumps(fee.to_payload()))
    again = FeePaid.from_payload(stored)
    assert fee == again
    assert timedelta(hours=7) == again.paid_at.utcoffset()
    assert isinstance(again.amount, int)
    assert again.amount == sum(line.amount for line in again.lines)


@given(moments)
def test_paid_at_is_kept_as_the_same_moment_in_gmt7(moment: datetime) -> None:
    fee = FeePaid(**valid(paid_at=moment))
    assert moment == fee.paid_at
    assert timedelta(hours=7) == fee.paid_at.utcoffset()


@given(lines, st.integers(min_value=1, max_value=10**6), st.booleans())
def test_an_amount_other_than_the_lines_sum_is_refused(
    paid: list[FeeLine], off: int, more: bool
) -> None:
    total = sum(line.amount for line in paid)
    amount = total + off if more or total <= off else total - off
    with pytest.raises(ValidationError) as caught:
        FeePaid(**valid(amount=amount, lines=paid))
    assert "lines" == caught.value.field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 28_000.0}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": "28000"}, "amount"),
        ({"amount": Decimal(28_000)}, "amount"),
        ({"amount": 0, "lines": ()}, "amount"),
        ({"lines": ()}, "lines"),
        ({"lines": ("Lệ phí", 28_000)}, "lines"),
        ({"dossier_code": "HS:1"}, "dossier_code"),
        ({"dossier_code": "HS 1"}, "dossier_code"),
        ({"dossier_code": ""}, "dossier_code"),
        ({"gateway": "VN Pay"}, "gateway"),
        ({"transaction_id": " "}, "transaction_id"),
        ({"citizen": "CD\n1"}, "citizen"),
        ({"paid_at": datetime(2026, 3, 2, 9, 15)}, "paid_at"),
        ({"paid_at": "2026-03-02T09:15:00+07:00"}, "paid_at"),
    ],
)
def test_each_field_is_checked_and_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        FeePaid(**valid(**changes))
    assert field == caught.value.field


@pytest.mark.parametrize(
    ("name", "amount", "field"),
    [("", 1_000, "name"), ("Lệ phí", 0, "amount"), ("Lệ phí", 1.5, "amount")],
)
def test_a_fee_line_is_checked(name: str, amount: Any, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        FeeLine(name, amount)
    assert field == caught.value.field


def payload(**changes: Any) -> dict[str, Any]:
    return {**FeePaid(**valid()).to_payload(), **changes}


@pytest.mark.parametrize(
    ("stored", "field"),
    [
        ({k: v for k, v in payload().items() if k != "citizen"}, "citizen"),
        (payload(phone="0912345678"), "phone"),
        (payload(amount="28000"), "amount"),
        (payload(lines=[{"name": "Lệ phí", "amount": 28_000.0}]), "lines.0.amount"),
        (payload(lines=[{"name": "Lệ phí"}]), "lines.0"),
        (payload(lines="Lệ phí"), "lines"),
        (payload(paid_at="2026-03-02 9h15"), "paid_at"),
        (payload(paid_at="2026-03-02T09:15:00"), "paid_at"),
        (payload(paid_at=1772417700), "paid_at"),
    ],
)
def test_a_stored_payload_is_checked_again(stored: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        FeePaid.from_payload(stored)
    assert field == caught.value.field


def test_a_payload_must_be_an_object() -> None:
    with pytest.raises(ValidationError) as caught:
        FeePaid.from_payload(["HS2026000101"])  # type: ignore[arg-type]
    assert "payload" == caught.value.field


def notification(**changes: Any) -> PaymentNotification:
    values: dict[str, Any] = {
        "gateway": "momo",
        "order_ref": "HS2026000101-1",
        "amount": 28_000,
        "status": PaymentStatus.PAID,
        "vendor_code": "0",
        "gateway_txn_id": "4088878653",
        "paid_at": datetime(2026, 3, 2, 2, 15, tzinfo=UTC),
    }
    return PaymentNotification(**{**values, **changes})


def test_from_a_verified_notification() -> None:
    fee = FeePaid.from_notification(
        notification(),
        dossier_code="HS2026000101",
        lines=valid()["lines"],
        citizen="CD000101",
    )
    at = datetime(2026, 3, 2, 9, 15, tzinfo=VN_TZ)
    assert FeePaid(**valid(gateway="momo", transaction_id="4088878653", paid_at=at)) == fee


def test_a_notification_without_id_or_time_uses_the_order_ref_and_the_time_received() -> None:
    received = datetime(2026, 3, 2, 9, 16, tzinfo=VN_TZ)
    fee = FeePaid.from_notification(
        notification(gateway_txn_id=None, paid_at=None),
        dossier_code="HS2026000101",
        lines=valid()["lines"],
        citizen="CD000101",
        received_at=received,
    )
    assert ("HS2026000101-1", received) == (fee.transaction_id, fee.paid_at)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"status": PaymentStatus.CANCELLED}, "status"), ({"amount": 280_000}, "lines")],
)
def test_only_a_paid_notification_for_the_lines_makes_a_fee(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        FeePaid.from_notification(
            notification(**changes),
            dossier_code="HS2026000101",
            lines=valid()["lines"],
            citizen="CD000101",
        )
    assert field == caught.value.field
