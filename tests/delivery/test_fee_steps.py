"""`fee_steps` over adapters built from a configuration, against the bundled simulators:
counted on the vendors' ledgers, never on what the portal believes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from connectors.commune import Adapters, CommuneConfig, build, load
from connectors.delivery import (
    Citizen,
    FeeFlow,
    FeeLine,
    FeePaid,
    JobState,
    SqliteOutbox,
    Worker,
    WorkerReport,
    fee_steps,
)
from connectors.delivery.fee_steps import resends_safely
from connectors.sms import RoutingSender
from connectors.testing import Status, TimeoutAfterCommit
from connectors.vn.time import VN_TZ
from tests.commune.simulated import serve_commune

from .conftest import FakeClock

CODE, REF = "HS2026000101", "CD000101"


def paid(**changes: Any) -> FeePaid:
    values: dict[str, Any] = {
        "dossier_code": CODE,
        "amount": 20_000,
        "lines": (FeeLine("Lệ phí chứng thực", 20_000),),
        "gateway": "vnpay",
        "transaction_id": "14123456",
        "paid_at": datetime(2026, 3, 2, 9, 15, tzinfo=VN_TZ),
        "citizen": REF,
    }
    return FeePaid(**{**values, **changes})


@dataclass
class Portal:
    """The vendors' simulators, the commune's adapters, and the portal's own records."""

    config: CommuneConfig
    adapters: Adapters
    outbox: SqliteOutbox
    clock: FakeClock
    sims: dict[str, Any]
    people: dict[str, Citizen]
    feedback_id: str | None = None

    def fees(self, **options: Any) -> FeeFlow:
        values: dict[str, Any] = {
            "invoices": self.adapters.invoices,
            "sms": self.adapters.sms,
            "seller": self.config.seller,
            "citizen_lookup": self.people.__getitem__,
            "feedback": self.adapters.feedback,
            "feedback_for": lambda fee: self.feedback_id,
            "agency_code": self.config.commune.agency_code,
        }
        return fee_steps(**{**values, **options})

    def run(self, fees: FeeFlow) -> WorkerReport:
        return Worker(self.outbox, fees.tasks(), owner="w", clock=self.clock).run(until_idle=True)

    def run_due(self, fees: FeeFlow, *, rounds: int = 5) -> WorkerReport:
        """Run, moving the clock to each retry, until nothing is pending."""
        report = self.run(fees)
        for _ in range(rounds):
            pending = self.outbox.jobs(JobState.PENDING)
            if not pending:
                break
            self.clock.now = max(job.next_attempt_at for job in pending)
            report = self.run(fees)
        return report

    @property
    def receipts(self) -> list[Any]:
        return list(self.sims["einvoice.viettel"].ledger.entries("invoice"))

    @property
    def texts(self) -> list[Any]:
        return list(self.sims["sms.mobifone"].sent())


@pytest.fixture
def portal(tmp_path: Path, outbox: SqliteOutbox, clock: FakeClock) -> Iterator[Portal]:
    chosen = [("einvoice", "viettel"), ("sms", "mobifone"), ("feedback", "ihanoi")]
    with ExitStack() as stack:
        commune = serve_commune(stack, tmp_path, chosen)
        config = load(commune.write(einvoice="viettel", sms=["mobifone"]), environ=commune.environ)
        adapters = stack.enter_context(build(config, outbox=outbox))
        people = {REF: Citizen("Nguyễn Văn Thử", "0912345678")}
        yield Portal(config, adapters, outbox, clock, commune.simulators, people)


def test_one_receipt_one_sms_and_the_feedback_answered(portal: Portal) -> None:
    portal.feedback_id = portal.sims["feedback.ihanoi"].citizen_submits(
        title=f"Hỏi về hồ sơ {CODE}", description="Khi nào có biên lai?", dossier_code=CODE
    )
    fees = portal.fees()
    with portal.outbox.transaction() as tx:
        fees.start(tx, paid())
    fees.start(portal.outbox, paid(transaction_id="again"))  # a second IPN: a no-op
    portal.run(fees)

    [receipt] = portal.receipts
    assert f"{CODE}:receipt" == receipt.key
    done = portal.outbox.get(f"{CODE}:receipt")
    assert done is not None
    assert done.result is not None
    [text] = portal.texts
    assert "0912345678" == text.data["recipient"]
    code = done.result["lookup_code"] or done.result["number"]
    expected = f"Ho so {CODE} da thanh toan 20.000 dong. Ma tra cuu bien lai: {code}"
    assert expected == text.data["text"]
    [answer] = portal.sims["feedback.ihanoi"].answers_for(portal.feedback_id)
    assert str(done.result["number"]) in str(answer.data)
    assert {JobState.DONE: 3} == {s: n for s, n in portal.outbox.counts().items() if n}
    assert paid() == FeeFlow.fee_of(done)


def test_a_number_corrected_before_the_step_runs_is_the_one_texted(portal: Portal) -> None:
    fees = portal.fees()
    fees.start(portal.outbox, paid())
    portal.people[REF] = Citizen("Nguyễn Văn Thử", "0987000101")  # staff correct it
    portal.run(fees)
    assert ["0987000101"] == [text.data["recipient"] for text in portal.texts]


def test_a_number_corrected_after_a_failed_sms_reaches_the_retried_sms(portal: Portal) -> None:
    portal.people[REF] = Citizen("Nguyễn Văn Thử", "0241234")  # not a mobile number
    fees = portal.fees()
    fees.start(portal.outbox, paid())
    portal.run(fees)
    dead = portal.outbox.get(f"{CODE}:sms")
    assert dead is not None
    assert JobState.DEAD == dead.state
    assert (dead.last_error or "").startswith("InvalidPhoneNumber")
    assert [] == portal.texts

    portal.people[REF] = Citizen("Nguyễn Văn Thử", "0912000103")  # staff correct it
    portal.outbox.revive(f"{CODE}:sms")
    portal.run(fees)
    retried = portal.outbox.get(f"{CODE}:sms")
    assert retried is not None
    assert (JobState.DONE, 2) == (retried.state, retried.attempts)
    assert ["0912000103"] == [text.data["recipient"] for text in portal.texts]


def test_a_lost_receipt_answer_is_looked_up_before_any_resend(portal: Portal) -> None:
    """The vendor issued the receipt, its answer was lost and the lookup failed too: the
    job's outcome is unknown. Its next attempt looks the receipt up by key and finds it."""
    sim = portal.sims["einvoice.viettel"]
    sim.faults.add("issue", TimeoutAfterCommit(hold=1.5))
    sim.faults.add("lookup", Status(503), times=3)
    fees = portal.fees()
    fees.start(portal.outbox, paid())
    portal.run(fees)
    unsure = portal.outbox.get(f"{CODE}:receipt")
    assert unsure is not None
    assert (JobState.PENDING, True) == (unsure.state, unsure.outcome_unknown)
    assert 1 == len(portal.receipts)

    report = portal.run_due(fees)
    assert 1 == len(sim.requests_to("issue")), "never sent again"
    [receipt] = portal.receipts
    assert f"{CODE}:receipt" == receipt.key
    found = portal.outbox.get(f"{CODE}:receipt")
    assert found is not None
    assert JobState.DONE == found.state
    assert (1, 2) == (report.found_by_lookup, found.attempts)
    assert 1 == len(portal.texts)


@pytest.mark.parametrize("after_sms", [True, False])
def test_whether_the_status_waits_for_the_sms_is_an_option(portal: Portal, after_sms: bool) -> None:
    """MobiFone cannot say whether a lost SMS was sent: it waits for staff. The status
    waits with it by default; with `status_after_sms=False` it follows the receipt."""
    portal.feedback_id = portal.sims["feedback.ihanoi"].citizen_submits(
        title=f"Hỏi về hồ sơ {CODE}", description="Đã nộp phí chưa?", dossier_code=CODE
    )
    portal.sims["sms.mobifone"].faults.add("send", TimeoutAfterCommit(hold=1.5))
    fees = portal.fees(status_after_sms=after_sms)
    assert (("sms",) if after_sms else ("sms", "status")) == fees.flow.after("receipt")
    fees.start(portal.outbox, paid())
    portal.run(fees)
    parked = portal.outbox.get(f"{CODE}:sms")
    assert parked is not None
    assert JobState.UNKNOWN == parked.state
    assert 1 == len(portal.texts)
    status = portal.outbox.get(f"{CODE}:status")
    answers = portal.sims["feedback.ihanoi"].answers_for(portal.feedback_id)
    if after_sms:
        assert (None, []) == (status, answers)
    else:
        assert status is not None
        assert (JobState.DONE, 1) == (status.state, len(answers))


def test_a_citizen_without_a_mobile_number_gets_no_sms(portal: Portal) -> None:
    portal.people[REF] = Citizen("Nguyễn Văn Thử", None)
    fees = portal.fees()
    fees.start(portal.outbox, paid())
    portal.run(fees)
    sms = portal.outbox.get(f"{CODE}:sms")
    assert sms is not None
    assert (JobState.DONE, False) == (sms.state, (sms.result or {}).get("sent"))
    assert ([], 1) == (portal.texts, len(portal.receipts))


def test_the_receipt_names_the_citizen_as_the_portal_holds_them(portal: Portal) -> None:
    fees = portal.fees()
    portal.people[REF] = Citizen("Trần Thị Mẫu", "0912345678", citizen_id="001090000123")
    receipt = fees.receipt_for(paid())
    assert receipt.buyer is not None
    assert ("Trần Thị Mẫu", "001090000123") == (receipt.buyer.name, receipt.buyer.citizen_id)
    assert [("Lệ phí chứng thực", 20_000)] == [
        (line.name, int(line.unit_price)) for line in receipt.lines
    ]
    assert (portal.config.seller, CODE) == (receipt.seller, receipt.dossier_code)


def test_without_feedback_there_is_no_status_step(portal: Portal) -> None:
    fees = portal.fees(feedback=None)
    assert ["fee_receipt", "fee_sms"] == list(fees.tasks())
    with pytest.raises(ValueError, match="agency_code"):
        portal.fees(agency_code="")


class _Sender:
    """A stand-in sender that says whether its vendor de-duplicates keys."""

    def __init__(self, dedupes: bool | None) -> None:
        if dedupes is not None:
            self.dedupes_keys = dedupes


def test_the_sms_step_resends_only_where_the_vendor_de_duplicates(portal: Portal) -> None:
    assert False is resends_safely(portal.adapters.sms)  # MobiFone smsg: no request id
    assert False is portal.fees().tasks()["fee_sms"].resend_safe
    assert True is portal.fees(sms_resend_safe=True).tasks()["fee_sms"].resend_safe
    keyed, unkeyed = _Sender(True), _Sender(None)
    assert (True, False) == (resends_safely(keyed), resends_safely(unkeyed))  # type: ignore[arg-type]
    both: Any = RoutingSender({"a": keyed, "b": unkeyed}, default=["a", "b"])  # type: ignore[dict-item]
    only: Any = RoutingSender({"a": keyed}, default=["a"])  # type: ignore[dict-item]
    assert (False, True) == (resends_safely(both), resends_safely(only))
    assert True is portal.fees(sms=only).tasks()["fee_sms"].resend_safe


class _Vendor:
    def __init__(self, keyed: bool) -> None:
        self.keyed = keyed


class _Client:
    """A stand-in SMS client declaring its vendor's facts (``vendor.keyed``)."""

    def __init__(self, keyed: bool) -> None:
        self.vendor = _Vendor(keyed)


@pytest.mark.parametrize("keyed", [True, False])
def test_a_clients_vendor_facts_say_whether_it_de_duplicates(keyed: bool) -> None:
    assert keyed is resends_safely(_Client(keyed))  # type: ignore[arg-type]
