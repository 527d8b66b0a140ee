"""Reconciliation (đối soát): what the portal expects against what the money channels report.

    report = reconcile(expected_payments, [*bank_transfers, *notifications, *status_reports],
                       as_of=now_vn())
    print(report.to_json())

Inputs are typed and the function is pure. Money evidence is de-duplicated first: a bank
transfer by (source, transfer id), a gateway payment by (gateway, order reference), so an
IPN and a later status query of the same payment count once. Each piece of money is then
linked to a dossier: by the gateway order references the portal recorded for it, else by the
dossier code found in the transfer content or order reference (`matching.find_codes`).

One row per expected dossier, one per piece of money linked to none:

| status | meaning |
|---|---|
| `ok` | received exactly the fee (possibly in several parts) |
| `missing_payment` | nothing received (still open, or marked paid without money) |
| `amount_mismatch` | received more or less than the fee |
| `paid_twice` | two or more payments adding up to at least twice the fee |
| `orphan` | money naming no known dossier (or several) |

Inputs that are not money received (outgoing transfers, transfers to other accounts,
gateway reports that are not "paid") are listed in `ignored`, so every input appears exactly
once in the report. All amounts are whole VND; dates are GMT+7.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from connectors.banks.base import PaymentNotification, PaymentStatus, PaymentStatusReport
from connectors.banks.matching import (
    BankTransfer,
    ExpectedPayment,
    PaymentState,
    TransferDirection,
    find_codes,
)
from connectors.core.errors import ValidationError
from connectors.vn.money import format_vnd
from connectors.vn.time import to_vn

__all__ = [
    "TABLE_HEADER",
    "Ignored",
    "MoneyEvent",
    "ReconciliationReport",
    "ReportRow",
    "RowStatus",
    "Totals",
    "reconcile",
]

Evidence = BankTransfer | PaymentNotification | PaymentStatusReport

TABLE_HEADER = (
    "Status",
    "Dossier",
    "Expected",
    "Received",
    "Difference",
    "Paid on",
    "Via",
    "Note",
)
"""Column titles of `ReconciliationReport.table()`."""


class RowStatus(enum.StrEnum):
    """The verdict on one dossier (or one orphan payment)."""

    OK = "ok"
    MISSING_PAYMENT = "missing_payment"
    AMOUNT_MISMATCH = "amount_mismatch"
    PAID_TWICE = "paid_twice"
    ORPHAN = "orphan"


@dataclass(frozen=True, slots=True)
class MoneyEvent:
    """One payment received, merged from every report of it (`sources`).

    `channel` is the bank notifier or gateway ("sepay", "vnpay"...); `reference` its id
    (transfer id, or gateway order reference); `text` what was searched for the dossier
    code (transfer content or order reference); `at` aware GMT+7 when known.
    """

    key: str
    channel: str
    reference: str
    amount: int
    at: datetime | None
    text: str
    sources: tuple[Evidence, ...] = field(compare=False)

    @property
    def amounts_disagree(self) -> bool:
        """True when the reports merged here give different amounts (`amount` is the
        canonical report's: a notification's, else a transfer's, else a status query's)."""
        return len({_amount(source) for source in self.sources}) > 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (sources are summarised by their kind)."""
        return {
            "key": self.key,
            "channel": self.channel,
            "reference": self.reference,
            "amount": self.amount,
            "at": None if self.at is None else self.at.isoformat(),
            "text": self.text,
            "reported_by": [type(source).__name__ for source in self.sources],
            "amounts_disagree": self.amounts_disagree,
        }


@dataclass(frozen=True, slots=True)
class Ignored:
    """An input that is not money received, and why."""

    item: Evidence
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "kind": type(self.item).__name__,
            "ref": _reference(self.item),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One line of the report: a dossier, or an orphan payment (`dossier_code` None)."""

    status: RowStatus
    dossier_code: str | None
    expected: int
    received: int
    events: tuple[MoneyEvent, ...]
    portal_state: PaymentState | None = None
    note: str = ""

    @property
    def amounts_disagree(self) -> bool:
        """Whether the reports of this payment give different amounts (look at them)."""
        return any(event.amounts_disagree for event in self.events)

    @property
    def difference(self) -> int:
        """Whole VND received minus expected (negative: short)."""
        return self.received - self.expected

    @property
    def paid_on(self) -> date | None:
        """The GMT+7 date of the first payment, if any payment has a time."""
        times = [event.at for event in self.events if event.at is not None]
        return min(times).date() if times else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "status": self.status.value,
            "dossier_code": self.dossier_code,
            "expected": self.expected,
            "received": self.received,
            "difference": self.difference,
            "paid_on": None if self.paid_on is None else self.paid_on.isoformat(),
            "portal_state": None if self.portal_state is None else self.portal_state.value,
            "note": self.note,
            "events": [event.to_dict() for event in self.events],
        }


@dataclass(frozen=True, slots=True)
class Totals:
    """Sums over the rows, whole VND.

    `expected` = sum of fees; `received` = all money (`matched` on dossier rows + `orphan`);
    `outstanding` = what dossiers still lack; `excess` = what they received beyond the fee.
    """

    expected: int
    received: int
    matched: int
    orphan: int
    outstanding: int
    excess: int
    by_status: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "expected": self.expected,
            "received": self.received,
            "matched": self.matched,
            "orphan": self.orphan,
            "outstanding": self.outstanding,
            "excess": self.excess,
            "by_status": dict(self.by_status),
        }


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    """The result of `reconcile`: rows, totals, ignored inputs, dossiers to query."""

    rows: tuple[ReportRow, ...]
    totals: Totals
    ignored: tuple[Ignored, ...] = ()
    to_query: tuple[str, ...] = ()
    as_of: datetime | None = None

    @property
    def problems(self) -> tuple[ReportRow, ...]:
        """The rows a person must look at (every status but `ok`)."""
        return tuple(row for row in self.rows if row.status is not RowStatus.OK)

    def row_for(self, dossier_code: str) -> ReportRow:
        """The row of one dossier; `KeyError` if the report has none."""
        for row in self.rows:
            if row.dossier_code == dossier_code:
                return row
        raise KeyError(dossier_code)

    def table(self) -> list[tuple[str, ...]]:
        """The rows as text cells under `TABLE_HEADER` (amounts as "1.250.000 ₫"), for a
        rich table or a CSV; the header is not included."""
        cells: list[tuple[str, ...]] = []
        for row in self.rows:
            channels = sorted({event.channel for event in row.events})
            cells.append(
                (
                    row.status.value,
                    row.dossier_code or "-",
                    format_vnd(row.expected),
                    format_vnd(row.received),
                    format_vnd(row.difference),
                    "" if row.paid_on is None else row.paid_on.isoformat(),
                    ", ".join(channels),
                    row.note,
                )
            )
        return cells

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the whole report."""
        return {
            "as_of": None if self.as_of is None else self.as_of.isoformat(),
            "totals": self.totals.to_dict(),
            "rows": [row.to_dict() for row in self.rows],
            "ignored": [item.to_dict() for item in self.ignored],
            "to_query": list(self.to_query),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON text (UTF-8 characters kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)


def _reference(item: Evidence) -> str:
    if isinstance(item, BankTransfer):
        return item.transfer_id
    return item.order_ref


def _event_key(item: Evidence) -> str:
    if isinstance(item, BankTransfer):
        return f"transfer:{item.source}:{item.transfer_id}"
    return f"gateway:{item.gateway}:{item.order_ref}"


def _amount(item: Evidence) -> int:
    return item.amount or 0


def _transfer_text(item: BankTransfer) -> str:
    return f"{item.code} . {item.content}" if item.code else item.content


_DISAGREE = "reports disagree on the amount"


def _canonical_order(item: Evidence) -> tuple[int, int, str]:
    """Which report of one payment speaks for it: a signed notification first, then a bank
    transfer, then a status query; the larger amount, then the text, break ties."""
    if isinstance(item, BankTransfer):
        return (1, -_amount(item), _transfer_text(item))
    rank = 0 if isinstance(item, PaymentNotification) else 2
    return (rank, -_amount(item), item.order_ref)


def _not_money(item: Evidence, accounts: Collection[str] | None) -> str | None:
    """Why `item` is not money received, or None when it is."""
    if isinstance(item, BankTransfer):
        if item.direction is not TransferDirection.IN:
            return "money going out"
        if accounts is not None and item.account not in accounts:
            return f"account {item.account} is not ours"
        return None
    if item.status is not PaymentStatus.PAID:
        return f"gateway status {item.status.value}"
    if item.amount is None:
        return "the gateway report has no amount"
    return None


def _collect(
    received: Iterable[Evidence], accounts: Collection[str] | None
) -> tuple[list[MoneyEvent], list[Ignored]]:
    merged: dict[str, list[Evidence]] = {}
    ignored: list[Ignored] = []
    for item in received:
        if not isinstance(item, BankTransfer | PaymentNotification | PaymentStatusReport):
            raise ValidationError(f"cannot reconcile a {type(item).__name__}", field="received")
        reason = _not_money(item, accounts)
        if reason is not None:
            ignored.append(Ignored(item, reason))
        else:
            merged.setdefault(_event_key(item), []).append(item)
    events = []
    for key, items in merged.items():
        canonical = min(items, key=_canonical_order)
        at: datetime | None
        if isinstance(canonical, BankTransfer):
            text = _transfer_text(canonical)
            channel, at = canonical.source, canonical.transferred_at
        else:
            text, channel = canonical.order_ref, canonical.gateway
            times = [i.paid_at for i in items if not isinstance(i, BankTransfer) and i.paid_at]
            at = min(times) if times else None
        events.append(
            MoneyEvent(
                key=key,
                channel=channel,
                reference=_reference(canonical),
                amount=_amount(canonical),
                at=None if at is None else to_vn(at),
                text=text,
                sources=tuple(items),
            )
        )
    return events, ignored


def _verdict(payment: ExpectedPayment, events: list[MoneyEvent]) -> tuple[RowStatus, str]:
    total = sum(event.amount for event in events)
    fee = payment.amount
    if not events:
        if payment.state is PaymentState.PAID:
            return RowStatus.MISSING_PAYMENT, "marked paid in the portal but no money found"
        return RowStatus.MISSING_PAYMENT, "not paid yet"
    if len(events) >= 2 and total >= 2 * fee:
        return RowStatus.PAID_TWICE, f"{len(events)} payments for one fee: refund the excess"
    if total < fee:
        return RowStatus.AMOUNT_MISMATCH, f"short by {format_vnd(fee - total)}"
    if total > fee:
        return RowStatus.AMOUNT_MISMATCH, f"over by {format_vnd(total - fee)}"
    parts = f"paid in {len(events)} parts" if len(events) > 1 else ""
    stale = "portal still shows it open" if payment.state is PaymentState.OPEN else ""
    return RowStatus.OK, "; ".join(note for note in (parts, stale) if note)


def reconcile(
    expected: Iterable[ExpectedPayment],
    received: Iterable[Evidence] = (),
    *,
    as_of: datetime | None = None,
    accounts: Collection[str] | None = None,
) -> ReconciliationReport:
    """Compare the portal's `expected` payments with the money `received`.

    - `received`: bank transfers (webhook log or statement pull), gateway notifications
      and status-query reports, in any mix and order.
    - `accounts`: the commune's account numbers; transfers to others are ignored.
    - `as_of` (aware): when given, open dossiers with nothing received whose `expires_at`
      has passed are listed in `to_query` (ask the gateway before calling them unpaid).

    `ExpectedPayment.received` is not used: the report recomputes from the evidence.
    Raises `ValidationError` when two expected payments share a dossier code.
    """
    payments: dict[str, ExpectedPayment] = {}
    by_ref: dict[str, str] = {}
    for payment in expected:
        if payment.key in payments:
            raise ValidationError(
                f"dossier code {payment.dossier_code!r} is expected twice", field="dossier_code"
            )
        payments[payment.key] = payment
        for ref in payment.order_refs:
            by_ref[ref] = payment.key
    events, ignored = _collect(received, accounts)

    linked: dict[str, list[MoneyEvent]] = {key: [] for key in payments}
    orphans: list[tuple[MoneyEvent, str]] = []
    for event in events:
        if event.key.startswith("gateway:") and event.reference in by_ref:
            linked[by_ref[event.reference]].append(event)
            continue
        found = find_codes(event.text, payments)
        if len(found) == 1:
            linked[found[0]].append(event)
        elif found:
            names = ", ".join(payments[key].dossier_code for key in found)
            orphans.append((event, f"names several dossiers: {names}"))
        else:
            orphans.append((event, "names no expected dossier"))

    rows: list[ReportRow] = []
    to_query: list[str] = []
    for key in sorted(payments, key=lambda k: payments[k].dossier_code):
        payment = payments[key]
        found_events = sorted(linked[key], key=_event_order)
        status, note = _verdict(payment, found_events)
        if any(event.amounts_disagree for event in found_events):
            note = "; ".join(part for part in (note, _DISAGREE) if part)
        rows.append(
            ReportRow(
                status=status,
                dossier_code=payment.dossier_code,
                expected=payment.amount,
                received=sum(event.amount for event in found_events),
                events=tuple(found_events),
                portal_state=payment.state,
                note=note,
            )
        )
        lapsed = (
            payment.expires_at is not None
            and as_of is not None
            and to_vn(as_of) >= payment.expires_at
        )
        if not found_events and payment.state is PaymentState.OPEN and lapsed:
            to_query.append(payment.dossier_code)
    for event, reason in sorted(orphans, key=lambda pair: _event_order(pair[0])):
        note = f"{reason}; {_DISAGREE}" if event.amounts_disagree else reason
        rows.append(ReportRow(RowStatus.ORPHAN, None, 0, event.amount, (event,), None, note))
    return ReconciliationReport(
        rows=tuple(rows),
        totals=_totals(rows),
        ignored=tuple(ignored),
        to_query=tuple(to_query),
        as_of=None if as_of is None else to_vn(as_of),
    )


def _event_order(event: MoneyEvent) -> tuple[bool, datetime | str, str]:
    return (event.at is None, event.at.isoformat() if event.at else "", event.key)


def _totals(rows: list[ReportRow]) -> Totals:
    dossier_rows = [row for row in rows if row.dossier_code is not None]
    by_status = {status.value: 0 for status in RowStatus}
    for row in rows:
        by_status[row.status.value] += 1
    return Totals(
        expected=sum(row.expected for row in rows),
        received=sum(row.received for row in rows),
        matched=sum(row.received for row in dossier_rows),
        orphan=sum(row.received for row in rows if row.dossier_code is None),
        outstanding=sum(max(-row.difference, 0) for row in dossier_rows),
        excess=sum(max(row.difference, 0) for row in dossier_rows),
        by_status=by_status,
    )
