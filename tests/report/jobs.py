"""Outbox jobs in chosen states at chosen times, through the store's own API."""

from __future__ import annotations

from datetime import date
from typing import Any

from connectors.delivery import JobResult, NewJob, OutboxStore
from connectors.vn.time import now_vn
from tests.delivery.conftest import FakeClock
from tests.report.world import at

OWNER = "report-test"


def fee_event(code: str, gateway: str, clock: FakeClock, **extra: Any) -> dict[str, Any]:
    return {
        "subject": code,
        "event": {
            "dossier": code,
            "amount": 50_000,
            "gateway": gateway,
            "paid_at": now_vn(clock).isoformat(),
            "citizen": f"citizen-{code}",
            **extra,
        },
        "results": {},
    }


def settle(store: OutboxStore, clock: FakeClock, key: str, outcome: str, after: float) -> None:
    """Advance `after` seconds, then take job `key` and record `outcome`: done, dead,
    unknown, or failed (to retry in an hour)."""
    clock.advance(after)
    job = store.get(key)
    assert job is not None
    [leased] = [j for j in store.lease(OWNER, limit=100, lease_seconds=60) if j.key == key]
    assert store.start(leased.id, OWNER, lease_seconds=60) is not None
    if outcome == "done":
        assert store.complete(leased.id, OWNER, JobResult({"ok": True}))
    elif outcome == "dead":
        assert store.fail(leased.id, OWNER, error="Rejected: no", retry_at=None)
    elif outcome == "unknown":
        assert store.park(leased.id, OWNER, error="OutcomeUnknown: lost")
    else:
        assert store.fail(leased.id, OWNER, error="RateLimited: 429", retry_at=clock() + 3600)


def one_day(store: OutboxStore, clock: FakeClock, day: date, *, commune: str | None = None) -> None:
    """Two VNPay payments and one MoMo: receipts after 2, 4 and 10 minutes; one SMS sent,
    one dead, one failed; one unknown status push."""
    extra = {} if commune is None else {"commune": commune}
    clock.now = at(day, 9)
    for number, (gateway, delay, sms) in enumerate(
        (("vnpay", 120, "done"), ("vnpay", 240, "dead"), ("momo", 600, "failed"))
    ):
        code = f"HS{day:%m%d}{commune or 'X'}{number}"
        store.enqueue(
            NewJob("fee_receipt", f"{code}:receipt", fee_event(code, gateway, clock, **extra))
        )
        settle(store, clock, f"{code}:receipt", "done", delay)
        store.enqueue(NewJob("fee_sms", f"{code}:sms", fee_event(code, gateway, clock, **extra)))
        settle(store, clock, f"{code}:sms", sms, 1)
        clock.now = at(day, 9)
    code = f"HS{day:%m%d}{commune or 'X'}9"
    store.enqueue(NewJob("fee_status", f"{code}:status", fee_event(code, "vnpay", clock, **extra)))
    settle(store, clock, f"{code}:status", "unknown", 1)
