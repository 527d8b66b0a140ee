"""Reconciliation that asks the gateways about lapsed payments before calling them unpaid.

`reconcile` is pure: it lists in `to_query` the open dossiers whose payment window has
passed with nothing received. `reconcile_and_query` asks the gateway about each (through the
portal's `query`, e.g. `lambda p: vnpay.query(p.order_refs[-1], created_at=...)`) and
reconciles again with the answers, so a payment whose IPN never arrived shows up as paid.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import datetime

from connectors.banks.base import PaymentStatusReport
from connectors.banks.matching import ExpectedPayment
from connectors.banks.reconcile import Evidence, ReconciliationReport, reconcile
from connectors.core.errors import ConnectorError

__all__ = ["reconcile_and_query"]

Query = Callable[[ExpectedPayment], PaymentStatusReport | None]


def reconcile_and_query(
    expected: Iterable[ExpectedPayment],
    received: Iterable[Evidence] = (),
    *,
    query: Query,
    as_of: datetime,
    accounts: Collection[str] | None = None,
    on_error: Callable[[ExpectedPayment, ConnectorError], None] | None = None,
) -> ReconciliationReport:
    """`reconcile`, then query each payment in `to_query` and reconcile with the answers.

    A query that fails (`ConnectorError`) leaves that dossier as it was and is passed to
    `on_error`, so one unreachable gateway never hides the rest of the report.
    """
    payments = list(expected)
    evidence = list(received)
    first = reconcile(payments, evidence, as_of=as_of, accounts=accounts)
    if not first.to_query:
        return first
    by_code = {payment.dossier_code: payment for payment in payments}
    answers: list[Evidence] = []
    for code in first.to_query:
        payment = by_code[code]
        try:
            report = query(payment)
        except ConnectorError as exc:
            if on_error is not None:
                on_error(payment, exc)
            continue
        if report is not None:
            answers.append(report)
    return reconcile(payments, [*evidence, *answers], as_of=as_of, accounts=accounts)
