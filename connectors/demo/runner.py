"""`connectors demo`: 24 dossiers through every bundled simulator, end to end.

Payments by VNPay, MoMo, payOS and VietQR transfer (some paid, some cancelled, one
underpaid, one never paid), IPNs that arrive twice and one forged, a receipt vendor that
times out once after committing, an SMS whose answer is lost after MobiFone sent it (the
job waits for staff, who check MobiFone's sent report and resolve it), one invalid phone
number, and a citizen's iHanoi feedback answered. The outbox carries each paid dossier
through receipt, SMS and status. The run ends with a summary, the reconciliation report,
files in the output folder, and its invariants checked on the simulators' ledgers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import Progress

from connectors.banks.matching import ExpectedPayment, TransferMatcher
from connectors.banks.reconcile import ReconciliationReport
from connectors.core import ConnectorError, RetryPolicy
from connectors.delivery import FeeFlow, JobState, ResolveAction, Worker
from connectors.demo.citizens import pay_at_gateways, send_feedback, transfer_by_vietqr
from connectors.demo.portal import Portal
from connectors.demo.report import (
    Findings,
    check_invariants,
    reconciliation,
    reconciliation_table,
    summary_table,
)
from connectors.demo.scenario import (
    ACCOUNT,
    CORRECTED_PHONE,
    INVALID_PHONE_DOSSIER,
    dossiers,
)
from connectors.demo.steps import build_fee_flow
from connectors.demo.world import World, connect_portal, start_world
from connectors.einvoice.gdt import check_returned
from connectors.ihanoi import FeedbackExchange
from connectors.report import ReportRecords, for_run
from connectors.testing import TimeoutAfterCommit
from connectors.vn import now_vn

__all__ = ["DemoResult", "run"]

_STATE_FILES = ("outbox.db", "ipn-vnpay.db", "ipn-momo.db", "ipn-payos.db", "ihanoi-seen.db")


@dataclass
class DemoResult:
    """How the run went: the checks, the dead letters it reports, the files it wrote."""

    dossiers: int
    paid: int
    seconds: float
    findings: Findings
    files: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    """Dead letters reported during the run and retried after staff fixed the cause."""
    reconciled: list[str] = field(default_factory=list)
    """Jobs whose outcome was unknown, resolved by staff after checking the vendor."""

    @property
    def ok(self) -> bool:
        return self.findings.ok

    @property
    def failures(self) -> list[str]:
        return [f"{c.name}: {c.detail}" for c in self.findings.checks if not c.ok]


def _fresh(output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    for name in _STATE_FILES:
        for suffix in ("", "-wal", "-shm"):
            (output / f"{name}{suffix}").unlink(missing_ok=True)


def _drain_outbox(world: World, worker: Worker, console: Console, *, deadline: float) -> None:
    """Run the worker until nothing is pending, showing jobs finished out of jobs known."""
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("outbox jobs", total=None)
        while time.monotonic() < deadline:
            report = worker.run_once()
            counts = world.outbox.counts()
            finished = counts[JobState.DONE] + counts[JobState.DEAD]
            progress.update(task, completed=finished, total=sum(counts.values()))
            if not counts[JobState.PENDING] and not counts[JobState.LEASED]:
                return
            if not report.handled:
                time.sleep(0.05)


def _write_receipt_files(world: World, flow: FeeFlow, output: Path, code: str) -> list[str]:
    """The first paid dossier's receipt as the vendor holds it: PDF and signed XML."""
    job = world.outbox.get(f"{code}:receipt")
    if job is None or job.state is not JobState.DONE:
        return []
    pdf = world.invoices.download(job.key, "pdf")
    xml = world.invoices.download(job.key, "xml")
    credentials = world.invoice_sim.credentials
    check_returned(
        flow.receipt_for(flow.fee_of(job)),
        xml,
        trusted_certificate=credentials.certificate if credentials else None,
    )
    (output / f"receipt-{code}.pdf").write_bytes(pdf)
    (output / f"receipt-{code}.xml").write_bytes(xml)
    return [f"receipt-{code}.pdf", f"receipt-{code}.xml"]


def run(*, output: Path, console: Console | None = None) -> DemoResult:
    """Run the whole demo on loopback simulators; files go to `output`."""
    console = console or Console()
    started = time.monotonic()
    _fresh(output)
    cases = dossiers()
    matcher = TransferMatcher(
        [ExpectedPayment(d.code, d.fee) for d in cases if d.method == "vietqr"],
        accounts={ACCOUNT},
    )

    def log(line: str) -> None:
        console.print(f"  {line}", style="dim", markup=False, no_wrap=True, overflow="ellipsis")

    with ExitStack() as stack:
        world = start_world(stack, output)
        flow = build_fee_flow(world)
        portal = Portal(world.dossiers, flow, matcher)
        endpoints = connect_portal(stack, world, portal)
        world.dossiers.register(cases)
        world.invoice_sim.faults.add("issue", TimeoutAfterCommit(hold=1.5))
        world.sms_sim.faults.add("send", TimeoutAfterCommit(hold=1.5))
        console.print(f"[bold]{len(cases)} dossiers[/bold]; simulators on 127.0.0.1")

        console.print("Citizens pay at VNPay, MoMo and payOS")
        pay_at_gateways(world, endpoints, cases, log)
        console.print("Citizens transfer by VietQR; the bank notifies the portal")
        files = transfer_by_vietqr(world, endpoints, cases, log)
        asking = next(d for d in cases if d.method == "momo" and d.outcome == "paid")
        feedback_id = send_feedback(world, asking, log)

        console.print("The outbox issues receipts, texts citizens and pushes statuses")
        worker = Worker(
            world.outbox,
            flow.tasks(),
            lease_seconds=30,
            max_age=30,
            backoff=RetryPolicy(base_delay=0.1, max_delay=0.5),
        )
        deadline = time.monotonic() + 40
        _drain_outbox(world, worker, console, deadline=deadline)
        repaired = _repair_dead_letters(world, log)
        reconciled = _reconcile_unknown(world, log)
        if repaired or reconciled:
            _drain_outbox(world, worker, console, deadline=deadline)
        for line in worker_errors(world):
            log(line)
        sent = len(world.invoice_sim.requests_to("issue"))
        issued = len(world.invoice_sim.ledger.entries("invoice"))
        lookups = len(world.invoice_sim.requests_to("lookup"))
        log(
            f"receipt vendor: one answer lost after it committed; {sent} issue requests, "
            f"{lookups} lookup by transactionUuid, {issued} receipts"
        )

        rows = world.dossiers.rows()
        findings = check_invariants(world, portal, feedback_id)
        first_paid = next((row.code for row in rows if row.state == "paid"), None)
        if first_paid is not None:
            try:
                files += _write_receipt_files(world, flow, output, first_paid)
            except ConnectorError as exc:
                findings.add(
                    "the vendor's signed receipt XML matches what was sent", False, str(exc)
                )
            else:
                findings.add(
                    "the vendor's signed receipt XML matches what was sent",
                    True,
                    f"{first_paid}: schema, totals, parties and seller signature checked",
                )
        console.print(summary_table(rows, findings, world))
        settled = reconciliation(rows, world, portal)
        console.print(reconciliation_table(settled))
        _report_the_day(world, settled, feedback_id, console)
        for job in findings.dead:
            console.print(f"[yellow]dead letter[/yellow] {job.key}: {job.last_error}")
        for job in findings.unknown:
            console.print(f"[yellow]to reconcile[/yellow] {job.key}: {job.last_error}")
        for check in findings.checks:
            mark = "[green]ok[/green]" if check.ok else "[red]FAILED[/red]"
            console.print(f"{mark} {check.name} ({check.detail})")
        paid = sum(1 for row in rows if row.state == "paid")
    return DemoResult(
        len(cases), paid, time.monotonic() - started, findings, files, repaired, reconciled
    )


def _report_the_day(
    world: World, settled: ReconciliationReport, feedback_id: str | None, console: Console
) -> None:
    """Keep what the outbox does not hold (the reconciliation's counts, the feedback's
    times) beside it, then print the day's operations report (`connectors report`)."""
    with ReportRecords(world.outbox.path) as records:
        records.record_reconciliation(settled, day=now_vn().date())
        exchange = world.adapters.feedback
        if feedback_id and isinstance(exchange, FeedbackExchange):
            records.record_feedback(exchange.get_feedback(feedback_id))
    for_run(world.outbox.path, console=console)


def _repair_dead_letters(world: World, log: Callable[[str], None]) -> list[str]:
    """Report each dead letter; where staff can fix the cause (a mistyped phone number),
    fix it and put the job back with its key, as `connectors outbox retry` does."""
    repaired = []
    for job in world.outbox.jobs(JobState.DEAD):
        log(f"dead letter {job.key}: {job.last_error}")
        if job.key == f"{INVALID_PHONE_DOSSIER}:sms":
            world.dossiers.set_phone(INVALID_PHONE_DOSSIER, CORRECTED_PHONE)
            world.outbox.revive(job.key)
            log(f"staff corrected the phone number of {INVALID_PHONE_DOSSIER}; job retried")
            repaired.append(job.key)
    return repaired


def _reconcile_unknown(world: World, log: Callable[[str], None]) -> list[str]:
    """Settle each job whose outcome is unknown as staff would: check the vendor's own
    record (here MobiFone's sent report: the simulator's ledger), then resolve the job,
    done if the SMS is there, retry if not, as `connectors outbox resolve` does."""
    reconciled = []
    for job in world.outbox.jobs(JobState.UNKNOWN):
        log(f"to reconcile {job.key}: {job.last_error}")
        dossier = job.key.partition(":")[0]
        sent = [
            entry
            for entry in world.sms_sim.ledger.entries()
            if dossier in str(entry.data.get("text", ""))
        ]
        if sent:
            world.outbox.resolve(
                job.key,
                ResolveAction.DONE,
                reason=f"in MobiFone's sent report ({len(sent)} SMS for {dossier})",
                by="demo-staff",
                result={"provider": "mobifone", "checked": "sent report"},
            )
            log(f"staff found the SMS in MobiFone's sent report; {job.key} recorded as done")
        else:
            world.outbox.resolve(
                job.key,
                ResolveAction.RETRY,
                reason="not in MobiFone's sent report",
                by="demo-staff",
            )
            log(f"staff found no SMS in MobiFone's sent report; {job.key} sent again")
        reconciled.append(job.key)
    return reconciled


def worker_errors(world: World) -> list[str]:
    """Jobs that needed more than one attempt or a person's decision, and why."""
    lines = []
    for job in world.outbox.jobs(JobState.DONE, limit=1000):
        if job.resolutions:
            last = job.resolutions[-1]
            lines.append(
                f"{job.key}: resolved '{last.action}' by {last.by} ({last.reason}); "
                f"earlier failure: {job.last_error}"
            )
        elif job.attempts > 1:
            lines.append(
                f"{job.key}: done after {job.attempts} attempts; earlier failure: {job.last_error}"
            )
    return lines
