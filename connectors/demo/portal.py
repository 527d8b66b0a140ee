"""The demo's portal: its dossier table, and what it does when money arrives.

It keeps its dossiers in the same SQLite file as the outbox, so recording a payment and
enqueueing the work that follows (receipt, SMS, status) is one transaction: the pattern a
real portal should follow. Payment callbacks come from the gateways' IPN handlers and the
bank-transfer webhook; each confirmed payment becomes a `FeePaid` event that starts the
fee flow exactly once. The event names the citizen by reference: the flow's steps look the
name and phone number up here (`Dossiers.citizen`) when they run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from connectors.banks import PaymentNotification, PaymentStatus
from connectors.banks.matching import BankTransfer, MatchOutcome, TransferMatcher
from connectors.delivery import Citizen, FeeFlow, FeeLine, FeePaid, SqliteOutbox
from connectors.demo.scenario import Dossier

__all__ = ["DossierRow", "Dossiers", "Portal"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS dossiers (
    code TEXT PRIMARY KEY,
    citizen TEXT NOT NULL,
    citizen_ref TEXT NOT NULL,
    phone TEXT NOT NULL,
    fee_name TEXT NOT NULL,
    fee INTEGER NOT NULL,
    method TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'open',
    order_ref TEXT UNIQUE,
    paid_amount INTEGER NOT NULL DEFAULT 0,
    gateway_txn_id TEXT,
    feedback_id TEXT
)
"""

_COLUMNS = (
    "code, citizen, citizen_ref, phone, fee_name, fee, method, state, order_ref, paid_amount,"
    " gateway_txn_id, feedback_id"
)
_FIND_BY = {
    "order_ref": f"SELECT {_COLUMNS} FROM dossiers WHERE order_ref = ?",  # noqa: S608
    "code": f"SELECT {_COLUMNS} FROM dossiers WHERE code = ?",  # noqa: S608
}


@dataclass(frozen=True)
class DossierRow:
    code: str
    citizen: str
    citizen_ref: str
    phone: str
    fee_name: str
    fee: int
    method: str
    state: str
    order_ref: str | None
    paid_amount: int
    gateway_txn_id: str | None
    feedback_id: str | None


class Dossiers:
    """The portal's dossier table, in the outbox's SQLite file."""

    def __init__(self, outbox: SqliteOutbox) -> None:
        self.outbox = outbox
        with outbox.transaction() as tx:
            tx.connection.execute(_SCHEMA)

    def register(self, dossiers: Iterable[Dossier]) -> None:
        with self.outbox.transaction() as tx:
            tx.connection.executemany(
                "INSERT OR IGNORE INTO dossiers"
                " (code, citizen, citizen_ref, phone, fee_name, fee, method)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (d.code, d.citizen, d.citizen_ref, d.phone, d.fee_name, d.fee, d.method)
                    for d in dossiers
                ],
            )

    def set_order_ref(self, code: str, order_ref: str) -> None:
        with self.outbox.transaction() as tx:
            tx.connection.execute(
                "UPDATE dossiers SET order_ref = ? WHERE code = ?", (order_ref, code)
            )

    def set_state(self, order_ref: str, state: str) -> None:
        """A final state other than paid (cancelled, failed, expired) for an open dossier."""
        with self.outbox.transaction() as tx:
            tx.connection.execute(
                "UPDATE dossiers SET state = ? WHERE order_ref = ? AND state = 'open'",
                (state, order_ref),
            )

    def set_phone(self, code: str, phone: str) -> None:
        """A corrected phone number (the SMS step reads the number when it runs)."""
        with self.outbox.transaction() as tx:
            tx.connection.execute("UPDATE dossiers SET phone = ? WHERE code = ?", (phone, code))

    def link_feedback(self, code: str, feedback_id: str) -> None:
        with self.outbox.transaction() as tx:
            tx.connection.execute(
                "UPDATE dossiers SET feedback_id = ? WHERE code = ?", (feedback_id, code)
            )

    def rows(self) -> list[DossierRow]:
        with self.outbox.transaction() as tx:
            found = tx.connection.execute(
                f"SELECT {_COLUMNS} FROM dossiers ORDER BY code"  # noqa: S608
            ).fetchall()
        return [DossierRow(*r) for r in found]

    def row(self, code: str) -> DossierRow:
        return next(row for row in self.rows() if row.code == code)

    def citizen(self, citizen_ref: str) -> Citizen:
        """The citizen `citizen_ref` names, as the table holds them now (the fee flow's
        `citizen_lookup`: a corrected phone number is read here when the SMS is sent)."""
        with self.outbox.transaction() as tx:
            name, phone = tx.connection.execute(
                "SELECT citizen, phone FROM dossiers WHERE citizen_ref = ?", (citizen_ref,)
            ).fetchone()
        return Citizen(name=name, phone=phone)

    def feedback_of(self, fee: FeePaid) -> str | None:
        """The citizen's iHanoi feedback about the dossier, if one is linked."""
        return self.row(fee.dossier_code).feedback_id

    def expected_amount(self, order_ref: str) -> int | None:
        with self.outbox.transaction() as tx:
            found = tx.connection.execute(
                "SELECT fee FROM dossiers WHERE order_ref = ?", (order_ref,)
            ).fetchone()
        return None if found is None else int(found[0])


class Portal:
    """What the portal does when money arrives; thread-safe (callbacks arrive on the
    simulators' and servers' threads). Each confirmed payment is recorded and starts the
    fee flow in one transaction, once."""

    def __init__(self, dossiers: Dossiers, flow: FeeFlow, matcher: TransferMatcher) -> None:
        self.dossiers = dossiers
        self.outbox = dossiers.outbox
        self.flow = flow
        self.matcher = matcher
        self.notifications: list[PaymentNotification] = []
        self.rejected: list[str] = []
        self._lock = threading.Lock()

    def on_payment(self, notification: PaymentNotification) -> None:
        """A verified, de-duplicated, amount-checked gateway callback."""
        with self._lock:
            self.notifications.append(notification)
        if notification.status is PaymentStatus.PAID:
            self._paid(
                "order_ref",
                notification.order_ref,
                notification.amount,
                notification.gateway_txn_id,
                lambda row: FeePaid.from_notification(
                    notification,
                    dossier_code=row.code,
                    lines=[FeeLine(row.fee_name, row.fee)],
                    citizen=row.citizen_ref,
                ),
            )
        elif notification.status.is_final:
            self.dossiers.set_state(notification.order_ref, notification.status.value)

    def on_rejected(self, notification: PaymentNotification, outcome: Any) -> None:
        with self._lock:
            self.rejected.append(f"{notification.order_ref}: {outcome}")

    # -- what the bank-transfer webhook gives ---------------------------------------------

    def on_transfer(self, transfer: BankTransfer) -> None:
        result = self.matcher.match(transfer)
        payment = result.payment
        if payment is None:
            with self._lock:
                self.rejected.append(f"transfer {transfer.transfer_id}: {result.outcome}")
            return
        if result.outcome in (MatchOutcome.MATCHED, MatchOutcome.OVERPAID):
            self._paid(
                "code",
                payment.dossier_code,
                transfer.amount,
                transfer.transfer_id,
                lambda row: FeePaid(
                    dossier_code=row.code,
                    amount=row.fee,  # what is receipted (an overpayment is refunded)
                    lines=(FeeLine(row.fee_name, row.fee),),
                    gateway="vietqr",
                    transaction_id=transfer.transfer_id,
                    paid_at=transfer.transferred_at,
                    citizen=row.citizen_ref,
                ),
            )
        elif result.outcome is MatchOutcome.UNDERPAID:
            with self.outbox.transaction() as tx:
                tx.connection.execute(
                    "UPDATE dossiers SET state = 'underpaid', paid_amount = paid_amount + ?"
                    " WHERE code = ? AND state = 'open'",
                    (transfer.amount, payment.dossier_code),
                )

    def _paid(
        self,
        column: str,
        value: str,
        amount: int,
        txn_id: str | None,
        fee_paid: Callable[[DossierRow], FeePaid],
    ) -> None:
        """Record the payment and start the fee flow for `fee_paid(dossier)`, in one
        transaction, once."""
        with self.outbox.transaction() as tx:
            found = tx.connection.execute(_FIND_BY[column], (value,)).fetchone()
            row = None if found is None else DossierRow(*found)
            if row is None or row.state == "paid":
                return
            tx.connection.execute(
                "UPDATE dossiers SET state = 'paid', paid_amount = ?, gateway_txn_id = ?"
                " WHERE code = ?",
                (amount, txn_id, row.code),
            )
            self.flow.start(tx, fee_paid(row))
