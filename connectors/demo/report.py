"""What the demo shows at the end, and the invariants it checks on the simulators' ledgers.

The invariants are counted from what each simulated vendor recorded, never from what the
portal believes: every paid dossier has exactly one receipt and one SMS (unless its SMS is
a dead letter the report names, or at most one while it waits for reconciliation); no
unpaid dossier has either; nothing is left in the outbox but reported dead letters and jobs
to reconcile; duplicated and forged callbacks changed nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich.table import Table

from connectors.banks.base import PaymentNotification
from connectors.banks.matching import BankTransfer, ExpectedPayment, PaymentState
from connectors.banks.reconcile import TABLE_HEADER, ReconciliationReport, reconcile
from connectors.delivery import Job, JobState
from connectors.demo.portal import DossierRow, Portal
from connectors.demo.scenario import ACCOUNT, DOSSIER_CODE
from connectors.demo.world import World
from connectors.vn import format_vnd

__all__ = [
    "Check",
    "Findings",
    "check_invariants",
    "reconciliation",
    "reconciliation_table",
    "summary_table",
]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass
class Findings:
    """What the ledgers hold per dossier, and the checks made on them."""

    receipts: Counter[str] = field(default_factory=Counter)
    sms: Counter[str] = field(default_factory=Counter)
    dead: list[Job] = field(default_factory=list)
    unknown: list[Job] = field(default_factory=list)
    """Jobs still waiting for reconciliation (their effect may or may not exist)."""
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append(Check(name, ok, detail))


def _ledger_counts(world: World) -> tuple[Counter[str], Counter[str]]:
    receipts: Counter[str] = Counter()
    for entry in world.invoice_sim.ledger.entries("invoice"):
        receipts[entry.key.partition(":")[0]] += 1
    sms: Counter[str] = Counter()
    for entry in world.sms_sim.ledger.entries():
        found = DOSSIER_CODE.search(str(entry.data.get("text", "")))
        if found:
            sms[found.group()] += 1
    return receipts, sms


def check_invariants(world: World, portal: Portal, feedback_id: str) -> Findings:
    rows = world.dossiers.rows()
    receipts, sms = _ledger_counts(world)
    counts = world.outbox.counts()
    dead = world.outbox.jobs(JobState.DEAD)
    unknown = world.outbox.jobs(JobState.UNKNOWN)
    dead_sms = {job.key.partition(":")[0] for job in dead if job.key.endswith(":sms")}
    unknown_sms = {job.key.partition(":")[0] for job in unknown if job.key.endswith(":sms")}
    findings = Findings(receipts=receipts, sms=sms, dead=dead, unknown=unknown)
    paid = [row.code for row in rows if row.state == "paid"]
    unpaid = [row.code for row in rows if row.state != "paid"]

    wrong = [code for code in paid if receipts[code] != 1]
    findings.add(
        "one receipt per paid dossier",
        not wrong,
        f"{len(paid)} paid, {sum(receipts[c] for c in paid)} receipts in the vendor's ledger"
        + (f"; wrong: {wrong}" if wrong else ""),
    )

    def sms_expected(code: str) -> set[int]:
        if code in unknown_sms:  # it may or may not have been sent: never twice
            return {0, 1}
        return {0} if code in dead_sms else {1}

    wrong = [code for code in paid if sms[code] not in sms_expected(code)]
    findings.add(
        "one SMS per paid dossier (unless still a reported dead letter or to reconcile)",
        not wrong,
        f"{sum(sms[c] for c in paid)} SMS in the MobiFone ledger, {len(dead_sms)} dead, "
        f"{len(unknown_sms)} to reconcile" + (f"; wrong: {wrong}" if wrong else ""),
    )
    wrong = [code for code in unpaid if receipts[code] or sms[code]]
    findings.add(
        "nothing issued for unpaid dossiers",
        not wrong,
        f"{len(unpaid)} unpaid (cancelled, underpaid or never paid)"
        + (f"; wrong: {wrong}" if wrong else ""),
    )
    leftover = counts[JobState.PENDING] + counts[JobState.LEASED]
    findings.add(
        "outbox drained but for reported dead letters and jobs to reconcile",
        leftover == 0,
        f"{counts[JobState.DONE]} done, {counts[JobState.DEAD]} dead, "
        f"{counts[JobState.UNKNOWN]} to reconcile, {leftover} left",
    )
    per_payment = Counter((n.gateway, n.order_ref, n.status) for n in portal.notifications)
    twice = [key for key, n in per_payment.items() if n > 1]
    findings.add(
        "each gateway payment reached the portal once",
        not twice,
        f"{len(portal.notifications)} notifications handed to the portal"
        + (f"; twice: {twice}" if twice else ""),
    )
    answers = world.ihanoi_sim.answers_for(feedback_id)
    findings.add(
        "the citizen's iHanoi feedback was answered once",
        len(answers) == 1,
        f"feedback {feedback_id}: {len(answers)} answer(s)",
    )
    return findings


def reconciliation(rows: list[DossierRow], world: World, portal: Portal) -> ReconciliationReport:
    """Expected fees against what the gateways and the bank reported."""
    expected = [
        ExpectedPayment(
            row.code,
            row.fee,
            state=PaymentState.PAID if row.state == "paid" else PaymentState.OPEN,
            order_refs=(row.order_ref,) if row.order_ref else (),
        )
        for row in rows
    ]
    received: list[BankTransfer | PaymentNotification] = [
        *portal.notifications,
        *world.sepay_sim.transfers(),
    ]
    return reconcile(expected, received, accounts={ACCOUNT})


def summary_table(rows: list[DossierRow], findings: Findings, world: World) -> Table:
    table = Table(title="Dossiers", show_lines=False)
    for column in ("dossier", "paid by", "fee (VND)", "state", "receipt", "SMS", "status"):
        table.add_column(column)
    dead_keys = {job.key for job in findings.dead}
    unknown_keys = {job.key for job in findings.unknown}
    for row in rows:
        job = world.outbox.get(f"{row.code}:receipt")
        receipt = ""
        if job is not None and job.result:
            receipt = f"{job.result.get('symbol')} {job.result.get('number')}"
        sms = {0: "-", 1: "sent"}.get(findings.sms[row.code], f"{findings.sms[row.code]}x")
        if f"{row.code}:sms" in dead_keys:
            sms = "[red]dead letter[/red]"
        elif f"{row.code}:sms" in unknown_keys:
            sms = "[yellow]to reconcile[/yellow]"
        state = {"paid": "[green]paid[/green]"}.get(row.state, row.state)
        table.add_row(
            row.code,
            row.method,
            format_vnd(row.fee).removesuffix(" ₫"),
            state,
            receipt,
            sms,
            _status(world.outbox.get(f"{row.code}:status")),
        )
    return table


def _status(job: Job | None) -> str:
    """What the status step did: nothing yet, or pushed (and the iHanoi feedback answered)."""
    if job is None or job.state is not JobState.DONE:
        return ""
    return "pushed + iHanoi" if job.result and job.result.get("feedback") else "pushed"


def reconciliation_table(report: ReconciliationReport) -> Table:
    table = Table(*TABLE_HEADER, title="Reconciliation (VND)")
    for cells in report.table():
        table.add_row(*(str(cell) for cell in cells))
    return table
