"""An SMS whose outcome is unknown waits for a person; it is never sent twice (issue 10,
point 4). The real MobiFone adapter against its simulator: smsg has no request id, so the
adapter raises `OutcomeUnknown` when MobiFone accepts the message but the answer is lost.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from connectors.core import RetryPolicy, Timeouts
from connectors.delivery import (
    Flow,
    JobState,
    ResolveAction,
    SqliteOutbox,
    Step,
    StepContext,
    Worker,
)
from connectors.simulators import SMS_BRANDNAME, SMS_TEMPLATE
from connectors.sms import Brandname, Message, Template, TemplateRegistry
from connectors.sms.mobifone import MobifoneSms
from connectors.testing import TimeoutAfterCommit, TimeoutBeforeProcessing, mount
from connectors.testing.simulators.sms import MobifoneSmsSimulator

from .conftest import FakeClock

URL = "https://sms.mobifone.test"
USER, PASSWORD = "portal-test", "fake-sms-password"


@pytest.fixture
def mobifone() -> Iterator[MobifoneSmsSimulator]:
    sim = MobifoneSmsSimulator(
        brandnames=[SMS_BRANDNAME],
        templates={SMS_BRANDNAME: [SMS_TEMPLATE]},
        username=USER,
        password=PASSWORD,
    )
    with mount(sim, URL):
        yield sim


def sms_flow(statuses: list[Mapping[str, Any]]) -> Flow:
    client = MobifoneSms(
        base_url=URL,
        username=USER,
        password=PASSWORD,
        templates=TemplateRegistry(
            [Brandname(SMS_BRANDNAME)], [Template("paid", SMS_TEMPLATE, SMS_BRANDNAME)]
        ),
        brandname=SMS_BRANDNAME,
        timeouts=Timeouts(connect=1.0, read=1.0, total=5.0),
        retry=RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0),
    )

    def notify(ctx: StepContext) -> Mapping[str, Any]:
        message = Message(
            "0912345678",
            template_id="paid",
            params={"dossier": ctx.subject, "amount": "50.000", "code": "ABC123"},
        )
        result = client.send(message, idempotency_key=ctx.key)
        return {"accepted": result.accepted}

    def push_status(ctx: StepContext) -> Mapping[str, Any]:
        statuses.append(dict(ctx.results))
        return {"pushed": True}

    # MobiFone smsg cannot de-duplicate a key and has no lookup: neither is declared.
    return Flow("paid", [Step("sms", notify), Step("status", push_status)])


def test_an_sms_whose_answer_was_lost_is_parked_then_resolved_by_staff(
    outbox: SqliteOutbox, clock: FakeClock, mobifone: MobifoneSmsSimulator
) -> None:
    mobifone.faults.add("send", TimeoutAfterCommit(hold=0))
    statuses: list[Mapping[str, Any]] = []
    flow = sms_flow(statuses)
    flow.start(outbox, "HS-2026-000123", {})
    worker = Worker(outbox, flow.tasks(), owner="w", clock=clock)

    first = worker.run_once()
    for _ in range(10):  # days go by: nothing re-sends it
        clock.advance(6 * 3600)
        worker.run(until_idle=True)
    assert 1 == first.parked
    assert 1 == len(mobifone.ledger.entries()), "one SMS, never a second"
    [parked] = outbox.jobs(JobState.UNKNOWN)
    assert ("HS-2026-000123:sms", True) == (parked.key, parked.outcome_unknown)
    assert (parked.last_error or "").startswith("OutcomeUnknown")
    assert [] == statuses, "the flow waits for the person"

    outbox.resolve(
        parked.key,
        ResolveAction.DONE,
        reason="listed in MobiFone's sent report",
        by="staff-lan",
        result={"accepted": True, "checked": "sent report"},
    )
    report = worker.run(until_idle=True)
    assert 2 == report.done
    assert 1 == len(mobifone.ledger.entries())
    assert [{"sms": {"accepted": True, "checked": "sent report"}}] == statuses
    done = outbox.get(parked.key)
    assert done is not None
    assert JobState.DONE == done.state
    [decision] = done.resolutions
    assert ("staff-lan", "listed in MobiFone's sent report") == (decision.by, decision.reason)


def test_a_parked_sms_resolved_retry_is_sent_again_with_its_key(
    outbox: SqliteOutbox, clock: FakeClock, mobifone: MobifoneSmsSimulator
) -> None:
    mobifone.faults.add("send", TimeoutBeforeProcessing(hold=0))  # it never reached MobiFone
    statuses: list[Mapping[str, Any]] = []
    flow = sms_flow(statuses)
    flow.start(outbox, "HS-2026-000124", {})
    worker = Worker(outbox, flow.tasks(), owner="w", clock=clock)
    assert 1 == worker.run(until_idle=True).parked, "the adapter cannot tell: unknown"
    assert 0 == len(mobifone.ledger.entries())
    outbox.resolve(
        "HS-2026-000124:sms",
        ResolveAction.RETRY,
        reason="citizen did not receive it; MobiFone report shows it failed",
        by="staff-an",
    )
    report = worker.run(until_idle=True)
    assert 2 == report.done
    assert 1 == len(mobifone.ledger.entries()), "sent once, after the person checked"
    sent = mobifone.requests_to("send")
    assert 2 == len(sent)
    assert [{"sms": {"accepted": True}}] == statuses
