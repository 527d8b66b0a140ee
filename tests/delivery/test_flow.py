"""The fee flow: one job per step, chained in the same transaction, keys stable on replay."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from connectors.core import ValidationError
from connectors.delivery import (
    JobState,
    SqliteOutbox,
    Step,
    StepContext,
    Worker,
    fee_flow,
)
from connectors.testing import TimeoutAfterCommit, mount

from .conftest import FakeClock
from .vendor import EffectClient, EffectVendor

URL = "https://effects.vendor.test"


def vendor_step(name: str, client: EffectClient, seen: list[StepContext]) -> Step:
    def run(ctx: StepContext) -> Mapping[str, Any]:
        seen.append(ctx)
        return client.create(ctx.key, {"step": ctx.step, "earlier": dict(ctx.results)})

    def lookup(ctx: StepContext) -> Mapping[str, Any] | None:
        return client.lookup(ctx.key)

    return Step(name, run, lookup)


def test_fee_flow_runs_receipt_then_sms_then_status_with_earlier_results(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    vendor = EffectVendor()
    seen: list[StepContext] = []
    with mount(vendor, URL):
        client = EffectClient(URL)
        flow = fee_flow(
            issue_receipt=vendor_step("receipt", client, seen),
            notify_citizen=vendor_step("sms", client, seen),
            push_status=vendor_step("status", client, seen),
        )
        with outbox.transaction() as tx:
            flow.start(tx, "HS-2026-000123", {"amount": 50_000, "phone": "0912345678"})
        flow.start(outbox, "HS-2026-000123", {"amount": 1})  # a repeated event: no-op
        worker = Worker(outbox, flow.tasks(), owner="w", clock=clock)
        worker.run(until_idle=True)

    keys = [entry.key for entry in vendor.ledger.entries("effect")]
    assert ["HS-2026-000123:receipt", "HS-2026-000123:sms", "HS-2026-000123:status"] == keys
    assert ["receipt", "sms", "status"] == [ctx.step for ctx in seen]
    assert {"amount": 50_000, "phone": "0912345678"} == dict(seen[2].event)
    assert {"receipt": {"number": 1, "key": "HS-2026-000123:receipt"}} == seen[1].results
    assert {"sms", "receipt"} == set(seen[2].results)
    assert {JobState.DONE: 3} == {s: n for s, n in outbox.counts().items() if n}


def test_a_lost_answer_mid_flow_is_found_by_lookup_and_the_flow_goes_on(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    vendor = EffectVendor()
    vendor.faults.add("create", TimeoutAfterCommit(hold=0))
    seen: list[StepContext] = []
    with mount(vendor, URL):
        client = EffectClient(URL)
        flow = fee_flow(
            issue_receipt=vendor_step("receipt", client, seen),
            notify_citizen=vendor_step("sms", client, seen),
            push_status=vendor_step("status", client, seen),
        )
        flow.start(outbox, "HS-9", {})
        worker = Worker(outbox, flow.tasks(), owner="w", clock=clock)
        worker.run(until_idle=True)
        [pending] = outbox.jobs(JobState.PENDING)
        clock.now = pending.next_attempt_at
        report = worker.run(until_idle=True)

    assert 1 == report.found_by_lookup
    assert 3 == vendor.ledger.count("effect")
    assert 1 == vendor.ledger.count("effect", "HS-9:receipt")


def test_fee_flow_checks_its_steps_and_subjects(outbox: SqliteOutbox) -> None:
    step = Step("receipt", lambda ctx: {})
    with pytest.raises(ValueError, match="must be named"):
        fee_flow(issue_receipt=step, notify_citizen=step, push_status=step)
    flow = fee_flow(
        issue_receipt=step,
        notify_citizen=Step("sms", lambda ctx: {}),
        push_status=Step("status", lambda ctx: {}),
    )
    with pytest.raises(ValidationError) as caught:
        flow.start(outbox, "HS:1", {})
    assert "subject" == caught.value.field
