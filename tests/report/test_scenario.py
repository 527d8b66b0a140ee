"""Three days of a commune on the simulators, a clock the test moves: every figure of the
report checked against what the simulated vendors recorded, and the telemetry against the
in-memory exporter.

Monday: two VNPay payments and one VietQR transfer go through; one transfer is short, one
names no dossier, one dossier is never paid. Two feedbacks come in (one due in three
hours). Tuesday: the receipt vendor is down for an hour; one citizen's phone number is
invalid (dead letter); one SMS's answer is lost (unknown outcome); both feedbacks are
answered, one late; a third comes in. Wednesday: MobiFone throttles one SMS (to retry);
nobody reconciles.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

from connectors.delivery import JobState
from connectors.ihanoi import FeedbackStatus
from connectors.report import ReconciliationCounts, daily_report, reports
from connectors.testing import Status, TimeoutAfterCommit, TooManyRequests
from connectors.vn.time import VN_TZ
from tests.report.world import AGENCY, Dossier, World, at, build_world
from tests.telemetry.capture import Captured

MON, TUE, WED = date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)


@dataclass
class Ledgers:
    """What the simulated vendors hold at one moment."""

    payments: int
    transfers: int
    receipts: int
    sms: int

    @classmethod
    def of(cls, world: World) -> Ledgers:
        paid = [
            e for e in world.vnpay_sim.ledger.entries("payment") if e.data["outcome"] == "success"
        ]
        return cls(
            len(paid),
            len(world.sepay_sim.transfers()),
            len(world.invoice_sim.ledger.entries("invoice")),
            len(world.sms_sim.ledger.entries()),
        )

    def since(self, before: Ledgers) -> Ledgers:
        return Ledgers(
            self.payments - before.payments,
            self.transfers - before.transfers,
            self.receipts - before.receipts,
            self.sms - before.sms,
        )


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ)


def _add(world: World, code: str, fee: int, method: str, phone: str = "0912000001") -> Dossier:
    dossier = Dossier(code, fee, phone, method)
    world.dossiers[code] = dossier
    return dossier


def _pay(world: World, dossier: Dossier, amount: int | None = None) -> None:
    if dossier.method == "vnpay":
        world.pay_by_vnpay(dossier)
    else:
        world.transfer(amount or dossier.fee, f"MBVCB.123.{dossier.code} le phi")


def _submit(world: World, title: str, due: datetime) -> str:
    feedback_id = world.ihanoi_sim.citizen_submits(title=title, description="Khi nào có biên lai?")
    assigned = world.ihanoi.update_status(
        feedback_id, FeedbackStatus.ASSIGNED, agency_code=AGENCY, due_at=due
    )
    world.record_feedback(assigned)
    return feedback_id


def _answer(world: World, feedback_id: str) -> None:
    world.record_feedback(
        world.ihanoi.answer(feedback_id, "Biên lai đã gửi qua SMS.", agency_code=AGENCY)
    )


@pytest.fixture
def scenario(
    tmp_path: Path, otel: Captured
) -> Iterator[tuple[World, dict[date, Ledgers], list[str]]]:
    with ExitStack() as stack:
        world = build_world(stack, tmp_path, MON)
        by_day: dict[date, Ledgers] = {}
        feedback: list[str] = []

        # Monday
        before = Ledgers.of(world)
        a1, a2 = (
            _add(world, "HS2026000001", 50_000, "vnpay"),
            _add(world, "HS2026000002", 20_000, "vnpay"),
        )
        a3, a4 = (
            _add(world, "HS2026000003", 75_000, "vietqr"),
            _add(world, "HS2026000004", 100_000, "vietqr"),
        )
        _add(world, "HS2026000005", 8_000, "vnpay")  # never paid
        for dossier in (a1, a2, a3):
            _pay(world, dossier)
        _pay(world, a4, amount=50_000)  # short
        world.transfer(30_000, "CHUYEN TIEN")  # names no dossier
        world.clock.advance(300)
        world.run_worker()
        world.clock.now = at(MON, 9)
        feedback.append(_submit(world, "Hỏi hồ sơ 1", _moment(TUE, 9)))
        world.clock.now = at(MON, 10)
        feedback.append(_submit(world, "Hỏi hồ sơ 2", _moment(MON, 12)))
        world.clock.now = at(MON, 18)
        world.reconcile_day(MON, [f"HS202600000{n}" for n in range(1, 6)])
        by_day[MON] = Ledgers.of(world).since(before)

        # Tuesday
        world.clock.now = at(TUE, 8)
        before = Ledgers.of(world)
        b1 = _add(world, "HS2026000011", 50_000, "vnpay")
        b2 = _add(world, "HS2026000012", 20_000, "vnpay", phone="0241234")  # not a mobile
        b3 = _add(world, "HS2026000013", 75_000, "vietqr")
        for dossier in (b1, b2, b3):
            _pay(world, dossier)
        world.invoice_sim.faults.add("issue", Status(503), times=2)  # B1's receipt, twice
        world.sms_sim.faults.add("send", TimeoutAfterCommit(hold=0.1))  # B3's SMS
        world.clock.advance(300)
        world.clock.now = at(TUE, 8, 5)
        world.run_worker()
        world.clock.now = at(TUE, 8, 30)
        _answer(world, feedback[0])  # due Tuesday 09:00: in time
        world.clock.now = at(TUE, 9, 5)
        world.run_worker()  # B1's receipt, then its SMS
        world.clock.now = at(TUE, 10)
        _answer(world, feedback[1])  # due Monday 12:00: late
        world.clock.now = at(TUE, 11)
        feedback.append(_submit(world, "Hỏi hồ sơ 3", _moment(WED, 8)))  # never answered
        world.clock.now = at(TUE, 18)
        world.reconcile_day(TUE, [b1.code, b2.code, b3.code])
        by_day[TUE] = Ledgers.of(world).since(before)

        # Wednesday
        world.clock.now = at(WED, 8)
        before = Ledgers.of(world)
        c1, c2 = (
            _add(world, "HS2026000021", 50_000, "vnpay"),
            _add(world, "HS2026000022", 20_000, "vietqr"),
        )
        _pay(world, c1)
        _pay(world, c2)
        world.sms_sim.faults.add("send", TooManyRequests(retry_after=1))  # C1's SMS, first
        world.clock.now = at(WED, 8, 5)
        world.run_worker()
        world.clock.now = at(WED, 9)
        by_day[WED] = Ledgers.of(world).since(before)
        yield world, by_day, feedback


def test_every_figure_matches_the_simulators_ledgers(
    scenario: tuple[World, dict[date, Ledgers], list[str]], tmp_path: Path, otel: Captured
) -> None:
    world, ledgers, feedback = scenario
    mon, tue, wed = reports(tmp_path / "outbox.db", MON, WED)

    # payments confirmed, by gateway: the gateway's paid orders and the bank's full transfers
    for report, ledger in ((mon, ledgers[MON]), (tue, ledgers[TUE]), (wed, ledgers[WED])):
        assert ledger.payments == report.payments.get("vnpay", 0), report.day
    assert {"vnpay": 2, "vietqr": 1} == mon.payments
    assert 3 == ledgers[MON].transfers  # A3 in full, A4 short, one naming nobody
    assert {"vnpay": 2, "vietqr": 1} == tue.payments
    assert {"vnpay": 1, "vietqr": 1} == wed.payments

    # receipts issued: the e-invoice vendor's ledger, day by day; delays by the clock
    assert [ledgers[d].receipts for d in (MON, TUE, WED)] == [r.receipts for r in (mon, tue, wed)]
    assert (300.0, 300.0, 300.0) == (mon.delay.median, mon.delay.p95, mon.delay.longest)
    # Tuesday: B2 and B3 at 08:05, B1 after the outage at 09:05 (65 minutes)
    assert (3, 300.0, 3900.0, 3900.0) == (
        tue.delay.count,
        tue.delay.median,
        tue.delay.p95,
        tue.delay.longest,
    )
    assert (300.0, 300.0) == (wed.delay.median, wed.delay.longest)

    # SMS: sent are in MobiFone's ledger; the unknown one is there too; dead and failed not
    sent_codes = {
        code
        for entry in world.sms_sim.ledger.entries()
        for code in world.dossiers
        if code in str(entry.data.get("text", ""))
    }
    assert {"HS2026000001", "HS2026000002", "HS2026000003"} <= sent_codes
    assert (3, 0, 0) == (mon.sms_sent, mon.sms_failed, mon.sms_dead)
    assert (1, 0, 1) == (tue.sms_sent, tue.sms_failed, tue.sms_dead)
    assert ledgers[TUE].sms == tue.sms_sent + 1  # + B3's, whose answer was lost
    assert "HS2026000013" in sent_codes
    assert "HS2026000012" not in sent_codes
    assert (1, 1, 0) == (wed.sms_sent, wed.sms_failed, wed.sms_dead)
    assert "HS2026000021" not in sent_codes  # throttled: still to retry
    assert len(world.sms_sim.requests_to("send")) > ledgers[WED].sms
    assert ledgers[WED].sms == wed.sms_sent

    # unknown outcomes awaiting reconciliation: B3's SMS, from Tuesday on
    assert [0, 1, 1] == [r.unknown for r in (mon, tue, wed)]
    [unknown] = world.outbox.jobs(JobState.UNKNOWN)
    assert "HS2026000013:sms" == unknown.key

    # reconciliation: from the bank's and the gateway's records
    transfers = world.sepay_sim.transfers()
    short = [t for t in transfers if "HS2026000004" in t.content and t.amount < 100_000]
    nobody = [t for t in transfers if not any(code in t.content for code in world.dossiers)]
    assert (1, 1) == (len(short), len(nobody))
    assert ReconciliationCounts(underpaid=1, unpaid=1, unmatched=1) == mon.reconciliation
    assert ReconciliationCounts() == tue.reconciliation
    assert None is wed.reconciliation

    # feedback: iHanoi's own due and answer times
    first, second, third = (world.ihanoi_sim.feedback(f) for f in feedback)
    assert first.resolved_at is not None
    assert first.due_at is not None
    assert first.resolved_at <= first.due_at
    assert second.resolved_at is not None
    assert second.due_at is not None
    assert second.resolved_at > second.due_at
    assert third.resolved_at is None
    assert (0, 0, 1) == (mon.feedback_answered, mon.feedback_in_time, mon.feedback_overdue)
    assert (2, 1, 0) == (tue.feedback_answered, tue.feedback_in_time, tue.feedback_overdue)
    assert (0, 0, 1) == (wed.feedback_answered, wed.feedback_in_time, wed.feedback_overdue)

    # one day alone reads the same as within the run
    assert tue == daily_report(tmp_path / "outbox.db", TUE)


def test_telemetry_saw_the_same_days(
    scenario: tuple[World, dict[date, Ledgers], list[str]], otel: Captured
) -> None:
    world, ledgers, _ = scenario
    receipts = sum(ledger.receipts for ledger in ledgers.values())
    [delay] = otel.points("connectors.fee.payment_to_receipt")
    assert receipts == delay.count
    assert 300 * 7 + 3900 == delay.value  # as the report's delays
    assert 1 == otel.total("connectors.outbox.dead_letters", **{"connectors.job.kind": "fee_sms"})
    assert 1 == otel.total(
        "connectors.outbox.unknown_outcomes", **{"connectors.job.kind": "fee_sms"}
    )
    paid_by_ipn = sum(ledger.payments for ledger in ledgers.values())
    assert paid_by_ipn == otel.total("connectors.callbacks", **{"connectors.verdict": "verified"})
    assert paid_by_ipn == otel.total("connectors.callbacks", **{"connectors.verdict": "duplicate"})
    issued = otel.total(
        "connectors.vendor.calls",
        **{"connectors.domain": "einvoice", "connectors.operation": "issue"},
    )
    assert len(world.invoice_sim.requests_to("issue")) >= issued >= receipts
    statuses = {s.attributes.get("http.response.status_code") for s in otel.spans("viettel issue")}
    assert 503 in statuses
