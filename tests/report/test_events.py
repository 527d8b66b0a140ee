"""The one place that reads job payloads: FeePaid's keys, the demo's earlier ones."""

from __future__ import annotations

from datetime import datetime

import pytest

from connectors.report.events import FeeFacts, commune_of, fee_facts, is_receipt, is_sms
from connectors.vn.time import VN_TZ

CREATED = 1_772_420_000.0


def test_a_fee_paid_event() -> None:
    paid = datetime(2026, 3, 2, 9, 15, tzinfo=VN_TZ)
    payload = {
        "subject": "HS2026000001",
        "event": {
            "dossier": "HS2026000001",
            "amount": 50_000,
            "fee_lines": [{"name": "Lệ phí", "amount": 50_000}],
            "gateway": "momo",
            "transaction_id": "T1",
            "paid_at": paid.isoformat(),
            "citizen": "C-17",
        },
    }
    expected = FeeFacts("HS2026000001", "momo", 50_000, paid.timestamp(), None)
    assert expected == fee_facts(payload, CREATED)


def test_the_demos_earlier_event_is_read_too() -> None:
    payload = {
        "subject": "HS2026000101",
        "event": {
            "citizen": "Nguyễn Văn Thử",
            "phone": "0912000101",
            "fee": 8_000,
            "amount": 8_000,
            "fee_name": "Lệ phí",
            "gateway": "vnpay",
        },
    }
    assert FeeFacts("HS2026000101", "vnpay", 8_000, CREATED, None) == fee_facts(payload, CREATED)


@pytest.mark.parametrize(
    ("event", "amount", "paid_at"),
    [
        ({"fee": 20_000, "paid_at": "not a time"}, 20_000, CREATED),
        ({"amount": 2.0e4, "paid_at": "2026-03-02T09:00:00"}, 20_000, CREATED),  # naive: ignored
        ({"amount": True}, None, CREATED),
        ({"amount": "20000"}, None, CREATED),
    ],
)
def test_odd_values_fall_back(event: dict[str, object], amount: int | None, paid_at: float) -> None:
    facts = fee_facts({"subject": "HS1", "event": event}, CREATED)
    assert (amount, paid_at, "unknown") == (facts.amount, facts.paid_at, facts.gateway)


def test_the_commune_is_the_events_then_the_payloads() -> None:
    assert "ba-dinh" == commune_of({"event": {"commune": "ba-dinh"}, "commune": "x"})
    assert "x" == commune_of({"event": {}, "commune": "x"})
    assert None is commune_of({"event": "not a mapping"})


def test_kinds() -> None:
    assert (True, False) == (is_receipt("fee_receipt"), is_receipt("fee_sms"))
    assert (True, False) == (is_sms("status_sms"), is_sms("fee_status"))
