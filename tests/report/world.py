"""A small commune on the simulators with a clock the test moves: dossiers paid by VNPay or
by VietQR transfer, receipts from Viettel S-Invoice, SMS from MobiFone, feedback in iHanoi,
all through the outbox; the portal records reconciliations and feedback for the report.

Every adapter is the library's own, reached through `connectors.providers` where its class
name is being changed; every simulator runs in process (`mount`).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from connectors.banks.base import PaymentNotification, PaymentRequest, PaymentStatus
from connectors.banks.ipn import IpnHandler
from connectors.banks.matching import BankTransfer, ExpectedPayment, PaymentState
from connectors.banks.reconcile import reconcile
from connectors.core import MemorySeenStore, RetryPolicy
from connectors.core.errors import NotFound, ProviderError
from connectors.delivery import Flow, SqliteOutbox, Step, StepContext, Worker
from connectors.einvoice import Buyer, Line, Receipt, Seller
from connectors.ihanoi import Feedback
from connectors.ihanoi.contract import IhanoiFeedback
from connectors.providers import provider
from connectors.report import ReportRecords
from connectors.sms import Message
from connectors.sms.mobifone import MobifoneSms
from connectors.testing import mount
from connectors.testing.simulators.einvoice.viettel import ViettelInvoiceSimulator
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from connectors.testing.simulators.sms.mobifone import MobifoneSmsSimulator
from connectors.vn.time import VN_TZ, now_vn
from tests.delivery.conftest import FakeClock
from tests.telemetry.adapters import FAST, TIMEOUTS, mobifone, viettel

ACCOUNT = "0123456789"
AGENCY = "UBND-PHUONG-MAU"


def at(day: date, hour: int, minute: int = 0) -> float:
    """Unix seconds of `hour:minute` on `day` in Vietnam."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN_TZ).timestamp()


@dataclass
class Dossier:
    code: str
    fee: int
    phone: str
    method: str  # "vnpay" or "vietqr"
    order_ref: str | None = None
    paid: bool = False


@dataclass
class World:
    """The simulators, the adapters, the portal's state and the clock."""

    clock: FakeClock
    outbox: SqliteOutbox
    records: ReportRecords
    vnpay_sim: Any
    sepay_sim: Any
    invoice_sim: ViettelInvoiceSimulator
    sms_sim: MobifoneSmsSimulator
    ihanoi_sim: IhanoiFeedbackSimulator
    vnpay: Any
    invoices: Any
    sms: MobifoneSms
    ihanoi: IhanoiFeedback
    ipn: IpnHandler | None = None
    worker: Worker | None = None
    flow: Flow | None = None
    dossiers: dict[str, Dossier] = field(default_factory=dict)
    notifications: list[PaymentNotification] = field(default_factory=list)
    handled_transfers: set[str] = field(default_factory=set)

    # -- what citizens do ----------------------------------------------------------------

    def pay_by_vnpay(self, dossier: Dossier) -> None:
        intent = self.vnpay.create_payment(
            PaymentRequest(
                dossier_code=dossier.code,
                amount=dossier.fee,
                description=f"{dossier.code} le phi",
                return_url="https://portal.example.test/return",
            )
        )
        dossier.order_ref = intent.order_ref
        requests.get(intent.redirect_url, allow_redirects=False, timeout=5).close()
        callback = self.vnpay_sim.pay(intent.order_ref, outcome="success")
        assert self.ipn is not None
        self.ipn.handle_request(callback)
        self.ipn.handle_request(callback)  # the gateway sends its IPN twice

    def transfer(self, amount: int, content: str) -> None:
        """A citizen's bank transfer to the commune's account; the portal reads it from the
        bank's statement (the SePay simulator's booked transfers)."""
        self.sepay_sim.transfer(account=ACCOUNT, amount=amount, content=content)
        for booked in self.sepay_sim.transfers():
            if booked.transfer_id not in self.handled_transfers:
                self.handled_transfers.add(booked.transfer_id)
                self.on_transfer(booked)

    # -- what the portal does ------------------------------------------------------------

    def expected_amount(self, order_ref: str) -> int | None:
        found = [d for d in self.dossiers.values() if d.order_ref == order_ref]
        return found[0].fee if found else None

    def on_payment(self, notification: PaymentNotification) -> None:
        self.notifications.append(notification)
        if notification.status is PaymentStatus.PAID:
            [dossier] = [d for d in self.dossiers.values() if d.order_ref == notification.order_ref]
            self.record_payment(dossier, "vnpay", notification.gateway_txn_id or "")

    def on_transfer(self, transfer: BankTransfer) -> None:
        for dossier in self.dossiers.values():
            if dossier.code in transfer.content and transfer.amount >= dossier.fee:
                self.record_payment(dossier, "vietqr", transfer.transfer_id)

    def record_payment(self, dossier: Dossier, gateway: str, transaction_id: str) -> None:
        """The payment and the fee flow it starts, in one transaction (a FeePaid event)."""
        if dossier.paid:
            return
        dossier.paid = True
        event = {
            "dossier": dossier.code,
            "amount": dossier.fee,
            "fee_lines": [{"name": "Le phi", "amount": dossier.fee}],
            "gateway": gateway,
            "transaction_id": transaction_id,
            "paid_at": now_vn(self.clock).isoformat(),
            "citizen": f"citizen-{dossier.code}",
        }
        assert self.flow is not None
        with self.outbox.transaction() as tx:
            self.flow.start(tx, dossier.code, event)

    def run_worker(self, passes: int = 1, every: float = 3600.0) -> None:
        """Run the worker until nothing is due, `passes` times, `every` seconds apart."""
        for number in range(passes):
            if number:
                self.clock.advance(every)
            assert self.worker is not None
            self.worker.run(until_idle=True)

    def reconcile_day(self, day: date, expected: list[str]) -> None:
        """The day's reconciliation: its expected fees against the gateway's notifications
        and the bank's transfers of that day, recorded for the report."""
        payments = [
            ExpectedPayment(
                code,
                self.dossiers[code].fee,
                state=PaymentState.PAID if self.dossiers[code].paid else PaymentState.OPEN,
                order_refs=(self.dossiers[code].order_ref,)
                if self.dossiers[code].order_ref
                else (),
            )
            for code in expected
        ]
        transfers = [t for t in self.sepay_sim.transfers() if t.transferred_at.date() == day]
        notes = [
            n
            for n in self.notifications
            if n.order_ref in {p.order_refs[0] for p in payments if p.order_refs}
        ]
        report = reconcile(payments, [*notes, *transfers], accounts={ACCOUNT})
        self.records.record_reconciliation(report, day=day)

    def record_feedback(self, feedback: Feedback) -> None:
        self.records.record_feedback(feedback)


# -- the fee flow: receipt, then SMS ------------------------------------------------------


def _receipt(ctx: StepContext) -> Receipt:
    event: Mapping[str, Any] = ctx.event
    return Receipt(
        seller=Seller(name="UBND Phường Mẫu", tax_code="0100109106", address="Số 1 Phố Thử"),
        buyer=Buyer(name="Người nộp thử"),
        template="EBL01",
        symbol="26T",
        lines=(Line.fee("Lệ phí", int(event["amount"])),),
        dossier_code=ctx.subject,
    )


def fee_flow(world: World) -> Flow:
    """Receipt (looked up by its key after an unknown outcome), then the SMS."""

    def issue(ctx: StepContext) -> Mapping[str, Any]:
        document = world.invoices.issue(_receipt(ctx), idempotency_key=ctx.key)
        return {"number": document.number}

    def find(ctx: StepContext) -> Mapping[str, Any] | None:
        try:
            return {"number": world.invoices.get(ctx.key).number}
        except NotFound:
            return None

    def notify(ctx: StepContext) -> Mapping[str, Any]:
        dossier = world.dossiers[ctx.subject]
        params = {"dossier": ctx.subject, "amount": str(ctx.event["amount"]), "code": "ABC"}
        message = Message(dossier.phone, template_id="paid", params=params)
        result = world.sms.send(message, idempotency_key=ctx.key)
        if not result.accepted:
            if result.error is not None:
                raise result.error
            raise ProviderError(f"SMS not accepted: {result.code}", retryable=result.retryable)
        return {"message_id": result.provider_message_id}

    return Flow("fee", [Step("receipt", issue, find), Step("sms", notify)])


def build_world(stack: ExitStack, folder: Path, start: date) -> World:
    """Every simulator mounted, every adapter pointed at it, the outbox in `folder`."""
    clock = FakeClock(at(start, 8))
    vnpay_entry, sepay_entry = provider("payments", "vnpay"), provider("payments", "sepay")
    vnpay_sim = vnpay_entry.make_simulator(sleep=lambda _s: None)
    sepay_sim = sepay_entry.make_simulator(clock=clock)
    invoice_sim, invoices = viettel(stack, clock)
    # MobiFone's clock dates its sessions only: the client's own
    sms_sim, sms = mobifone(stack, "sms-password")
    ihanoi_sim = IhanoiFeedbackSimulator(sleep=lambda _s: None, clock=clock)
    for sim, url in (
        (vnpay_sim, "https://vnpay.sim.test"),
        (ihanoi_sim, "https://ihanoi.sim.test"),
    ):
        stack.enter_context(mount(sim, url))
    vnpay = vnpay_entry.client_class()(
        base_url="https://vnpay.sim.test",
        retry=FAST,
        timeouts=TIMEOUTS,
        **vnpay_entry.credentials,
    )
    outbox = stack.enter_context(SqliteOutbox(folder / "outbox.db", clock=clock))
    records = stack.enter_context(ReportRecords(folder / "outbox.db", clock=clock))
    world = World(
        clock=clock,
        outbox=outbox,
        records=records,
        vnpay_sim=vnpay_sim,
        sepay_sim=sepay_sim,
        invoice_sim=invoice_sim,
        sms_sim=sms_sim,
        ihanoi_sim=ihanoi_sim,
        vnpay=vnpay,
        invoices=invoices,
        sms=sms,
        ihanoi=IhanoiFeedback(
            base_url="https://ihanoi.sim.test", token=ihanoi_sim.token, retry=FAST, clock=clock
        ),
    )
    world.flow = fee_flow(world)
    world.worker = Worker(
        outbox,
        world.flow.tasks(),
        clock=clock,
        sleep=lambda _s: None,
        backoff=RetryPolicy(base_delay=600.0, max_delay=600.0),
        max_age=3 * 86_400.0,
    )
    world.ipn = IpnHandler(
        vnpay,
        expected_amount=world.expected_amount,
        on_payment=world.on_payment,
        store=MemorySeenStore(),
        clock=clock,
        max_age=timedelta(days=3650),
    )
    return world
