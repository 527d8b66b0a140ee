"""A span per outbox job, its outcome read off the worker's report; dead letters, unknown
outcomes and the payment-to-receipt delay as metrics."""

from __future__ import annotations

from pathlib import Path

from opentelemetry.trace import SpanKind

from connectors.core import Idempotency, RequestSpec, RetryPolicy, Timeouts, Transport
from connectors.core.errors import ProviderUnavailable, ReadTimeout, Rejected
from connectors.delivery import Job, JobResult, NewJob, SqliteOutbox, Task, Worker
from connectors.testing import SimResponse, Simulator, mount
from tests.delivery.conftest import FakeClock
from tests.telemetry.capture import Captured

URL = "https://sms.sim.test"
JOBS = "connectors.outbox.jobs"


class Echo(Simulator):
    def __init__(self) -> None:
        super().__init__()
        self.add_route("POST", "/send", lambda _r: SimResponse.json({"ok": True}), name="send")


def _fails(exc: Exception) -> Task:
    def run(job: Job) -> JobResult:
        raise exc

    return Task(run=run)


def test_each_outcome_is_one_span_and_one_count(tmp_path: Path, otel: Captured) -> None:
    clock = FakeClock()
    transport = Transport(
        "echo", timeouts=Timeouts(1, 1, 5), retry=RetryPolicy(sleep=lambda _s: None)
    )

    def send(job: Job) -> JobResult:
        transport.request(
            RequestSpec("POST", f"{URL}/send"),
            operation="send",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=job.key,
        )
        return JobResult({"sent": True})

    tasks = {
        "notify": Task(run=send),
        "flaky": _fails(ProviderUnavailable("busy", provider="sms")),
        "refused": _fails(Rejected("bad template", provider="sms")),
        "lost": _fails(ReadTimeout("no answer", provider="sms")),
    }
    found = {"found": Task(run=send, lookup=lambda job: JobResult({"found": True}))}
    with SqliteOutbox(tmp_path / "outbox.db", clock=clock) as outbox, mount(Echo(), URL):
        for kind in tasks:
            outbox.enqueue(NewJob(kind, f"HS1:{kind}", {"subject": "HS1"}))
        worker = Worker(outbox, tasks, clock=clock, sleep=lambda _s: None)
        report = worker.run_once()
        # "found": its first attempt is cut short (lease lapsed mid-attempt), then looked up
        outbox.enqueue(NewJob("found", "HS2:found", {}))
        [job] = outbox.lease("dead-worker", limit=1, lease_seconds=10, kinds=["found"])
        outbox.start(job.id, "dead-worker", lease_seconds=10)
        clock.advance(11)
        report.add(Worker(outbox, found, clock=clock).run_once())
    assert (2, 1, 1, 1, 1) == (
        report.done,
        report.retried,
        report.dead,
        report.parked,
        report.found_by_lookup,
    )
    spans = {s.name: s for s in otel.spans("outbox ")}
    outcomes = {name: s.attributes["connectors.outcome"] for name, s in spans.items()}
    assert {
        "outbox notify": "done",
        "outbox flaky": "retry",
        "outbox refused": "dead",
        "outbox lost": "unknown",
        "outbox found": "done",
    } == outcomes
    assert True is spans["outbox found"].attributes["connectors.job.found_by_lookup"]
    assert 2 == spans["outbox found"].attributes["connectors.job.attempt"]
    assert SpanKind.INTERNAL == spans["outbox notify"].kind
    # the vendor call made inside the job is the job span's child
    [call] = otel.spans("echo ")
    assert spans["outbox notify"].context.span_id == call.parent.span_id
    assert 1 == otel.total(JOBS, **{"connectors.job.kind": "flaky", "connectors.outcome": "retry"})
    assert 1 == otel.total("connectors.outbox.dead_letters", **{"connectors.job.kind": "refused"})
    assert 1 == otel.total("connectors.outbox.unknown_outcomes", **{"connectors.job.kind": "lost"})
    assert 5 == otel.total("connectors.outbox.job.duration")


def test_a_receipt_done_records_its_delay_since_the_payment(tmp_path: Path, otel: Captured) -> None:
    clock = FakeClock()
    tasks = {"fee_receipt": Task(run=lambda job: JobResult({"number": "1"}))}
    with SqliteOutbox(tmp_path / "outbox.db", clock=clock) as outbox:
        outbox.enqueue(NewJob("fee_receipt", "HS1:receipt", {}))
        clock.advance(90.0)  # the worker comes by a minute and a half after the payment
        Worker(outbox, tasks, clock=clock).run_once()
    [point] = otel.points("connectors.fee.payment_to_receipt")
    assert (1, 90.0) == (point.count, point.value)
    assert {"connectors.job.kind": "fee_receipt"} == point.attributes
