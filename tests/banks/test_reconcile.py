"""Reconciliation: each verdict, de-duplication of evidence, output forms, and properties."""

from __future__ import annotations

import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.banks.base import PaymentNotification, PaymentStatus, PaymentStatusReport
from connectors.banks.matching import (
    BankTransfer,
    ExpectedPayment,
    MatchOutcome,
    PaymentState,
    TransferDirection,
    TransferMatcher,
)
from connectors.banks.reconcile import (
    TABLE_HEADER,
    ReconciliationReport,
    RowStatus,
    reconcile,
)
from connectors.banks.sepay import SepayWebhook
from connectors.banks.vietqr import (
    bank_by_short_name,
    build_vietqr,
    parse_vietqr,
    render_png,
    transfer_purpose,
)
from connectors.core.errors import ValidationError
from connectors.testing import serve
from connectors.testing.simulators.banks.sepay import SepayTransactionsSimulator
from connectors.vn.time import VN_TZ

AT = datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ)
ACCOUNT = "0123456789"


def bank(
    transfer_id: str,
    content: str,
    amount: int,
    *,
    at: datetime = AT,
    direction: TransferDirection = TransferDirection.IN,
    account: str = ACCOUNT,
) -> BankTransfer:
    return BankTransfer(
        transfer_id, account, amount, content, at, direction=direction, source="sepay"
    )


def vnpay(
    order_ref: str, amount: int, status: PaymentStatus = PaymentStatus.PAID
) -> PaymentNotification:
    return PaymentNotification(
        gateway="vnpay",
        order_ref=order_ref,
        amount=amount,
        status=status,
        vendor_code="00",
        gateway_txn_id="14422574",
        paid_at=AT,
    )


# -- each verdict --------------------------------------------------------------------------


def test_every_verdict_in_one_report() -> None:
    expected = [
        ExpectedPayment("HS-0001", 50_000),  # ok
        ExpectedPayment("HS-0002", 30_000),  # short
        ExpectedPayment("HS-0003", 20_000),  # nothing
        ExpectedPayment("HS-0004", 10_000),  # twice
        ExpectedPayment("HS-0005", 10_000),  # over
    ]
    received = [
        bank("1", "hs0001 le phi", 50_000),
        bank("2", "HS 0002", 20_000),
        bank("3", "HS-0004", 10_000),
        bank("4", "IBFT HS0004", 10_000, at=AT + timedelta(days=1)),
        bank("5", "HS0005", 15_000),
        bank("6", "chuyen tien", 7_000),
    ]
    report = reconcile(expected, received)
    verdicts = [(row.status, row.dossier_code, row.received, row.note) for row in report.rows]
    assert [
        (RowStatus.OK, "HS-0001", 50_000, "portal still shows it open"),
        (RowStatus.AMOUNT_MISMATCH, "HS-0002", 20_000, "short by 10.000 ₫"),
        (RowStatus.MISSING_PAYMENT, "HS-0003", 0, "not paid yet"),
        (RowStatus.PAID_TWICE, "HS-0004", 20_000, "2 payments for one fee: refund the excess"),
        (RowStatus.AMOUNT_MISMATCH, "HS-0005", 15_000, "over by 5.000 ₫"),
        (RowStatus.ORPHAN, None, 7_000, "names no expected dossier"),
    ] == verdicts
    totals = report.totals
    assert (120_000, 112_000, 105_000, 7_000) == (
        totals.expected,
        totals.received,
        totals.matched,
        totals.orphan,
    )
    assert (30_000, 15_000) == (totals.outstanding, totals.excess)
    assert {
        "ok": 1,
        "missing_payment": 1,
        "amount_mismatch": 2,
        "paid_twice": 1,
        "orphan": 1,
    } == totals.by_status
    assert ["HS-0002", "HS-0003", "HS-0004", "HS-0005", None] == [
        row.dossier_code for row in report.problems
    ]
    assert date(2025, 1, 2) == report.row_for("HS-0004").paid_on


def test_paid_in_parts_is_ok() -> None:
    report = reconcile(
        [ExpectedPayment("HS-0001", 50_000, state=PaymentState.PAID)],
        [bank("1", "HS0001", 30_000), bank("2", "HS0001 lan 2", 20_000)],
    )
    row = report.row_for("HS-0001")
    assert (RowStatus.OK, "paid in 2 parts", 2) == (row.status, row.note, len(row.events))


def test_marked_paid_without_money() -> None:
    report = reconcile([ExpectedPayment("HS-0001", 1, state=PaymentState.PAID)])
    row = report.row_for("HS-0001")
    assert (RowStatus.MISSING_PAYMENT, "marked paid in the portal but no money found") == (
        row.status,
        row.note,
    )


def test_ambiguous_money_is_an_orphan_naming_the_dossiers() -> None:
    report = reconcile(
        [ExpectedPayment("HS-0001", 1), ExpectedPayment("HS-0002", 1)],
        [bank("1", "HS0001 HS0002", 2)],
    )
    orphan = report.rows[-1]
    assert (RowStatus.ORPHAN, "names several dossiers: HS-0001, HS-0002") == (
        orphan.status,
        orphan.note,
    )


# -- evidence merging and ignoring ---------------------------------------------------------


def test_ipn_and_status_query_of_one_payment_count_once() -> None:
    status = PaymentStatusReport(
        gateway="vnpay",
        order_ref="HS0001",
        status=PaymentStatus.PAID,
        vendor_code="00",
        amount=50_000,
        gateway_txn_id="14422574",
    )
    ipn = vnpay("HS0001", 50_000)
    report = reconcile([ExpectedPayment("HS-0001", 50_000)], [ipn, status, ipn])
    row = report.row_for("HS-0001")
    assert RowStatus.OK == row.status
    assert 1 == len(row.events)
    assert (ipn, status, ipn) == row.events[0].sources
    assert "gateway:vnpay:HS0001" == row.events[0].key


def test_reports_disagreeing_on_the_amount_are_flagged() -> None:
    status = PaymentStatusReport("vnpay", "HS0001", PaymentStatus.PAID, "00", amount=40_000)
    report = reconcile([ExpectedPayment("HS-0001", 50_000)], [status, vnpay("HS0001", 50_000)])
    row = report.row_for("HS-0001")
    assert (RowStatus.OK, 50_000, True) == (row.status, row.received, row.amounts_disagree)
    assert "portal still shows it open; reports disagree on the amount" == row.note


def test_same_transfer_from_webhook_and_pull_counts_once() -> None:
    transfer = bank("92704", "HS0001", 50_000)
    pulled = bank("92704", "HS0001", 50_000)
    report = reconcile([ExpectedPayment("HS-0001", 50_000)], [transfer, pulled])
    assert (RowStatus.OK, 50_000) == (report.rows[0].status, report.totals.received)


def test_order_refs_link_gateway_payments_without_the_code() -> None:
    expected = [ExpectedPayment("HS-0001", 50_000, order_refs=("A7Q9Z1",))]
    report = reconcile(expected, [vnpay("A7Q9Z1", 50_000)])
    assert RowStatus.OK == report.row_for("HS-0001").status


def test_non_money_inputs_are_ignored_with_a_reason() -> None:
    failed = vnpay("HS0001", 50_000, PaymentStatus.FAILED)
    out = bank("1", "HS0001", 5, direction=TransferDirection.OUT)
    elsewhere = bank("2", "HS0001", 5, account="999")
    no_amount = PaymentStatusReport("momo", "HS0001", PaymentStatus.PAID, "0")
    report = reconcile(
        [ExpectedPayment("HS-0001", 50_000)],
        [failed, out, elsewhere, no_amount],
        accounts={ACCOUNT},
    )
    assert [
        (failed, "gateway status failed"),
        (out, "money going out"),
        (elsewhere, "account 999 is not ours"),
        (no_amount, "the gateway report has no amount"),
    ] == [(item.item, item.reason) for item in report.ignored]
    assert RowStatus.MISSING_PAYMENT == report.rows[0].status


def test_lapsed_open_payments_are_listed_to_query() -> None:
    expires = AT + timedelta(minutes=15)
    expected = [
        ExpectedPayment("HS-0001", 1, expires_at=expires),
        ExpectedPayment("HS-0002", 1, expires_at=expires),
        ExpectedPayment("HS-0003", 1, expires_at=expires + timedelta(hours=1)),
        ExpectedPayment("HS-0004", 1, expires_at=expires, state=PaymentState.PAID),
        ExpectedPayment("HS-0005", 1),
    ]
    report = reconcile(expected, [bank("1", "HS0002", 1)], as_of=expires)
    assert ("HS-0001",) == report.to_query
    assert () == reconcile(expected).to_query


def test_refuses_duplicates_and_foreign_inputs() -> None:
    with pytest.raises(ValidationError) as caught:
        reconcile([ExpectedPayment("HS-0001", 1), ExpectedPayment("hs 0001", 2)])
    assert "dossier_code" == caught.value.field
    with pytest.raises(ValidationError) as foreign:
        reconcile([], ["HS0001 50000"])  # type: ignore[list-item]
    assert "received" == foreign.value.field


# -- output forms --------------------------------------------------------------------------


def test_table_cells() -> None:
    report = reconcile(
        [ExpectedPayment("HS-0001", 1_250_000), ExpectedPayment("HS-0002", 30_000)],
        [bank("1", "HS0001", 1_250_000), vnpay("HS0002", 20_000)],
    )
    assert 8 == len(TABLE_HEADER)
    assert [
        (
            "ok",
            "HS-0001",
            "1.250.000 ₫",
            "1.250.000 ₫",
            "0 ₫",
            "2025-01-02",
            "sepay",
            "portal still shows it open",
        ),
        (
            "amount_mismatch",
            "HS-0002",
            "30.000 ₫",
            "20.000 ₫",
            "-10.000 ₫",
            "2025-01-02",
            "vnpay",
            "short by 10.000 ₫",
        ),
    ] == report.table()


def test_json_form() -> None:
    report = reconcile(
        [ExpectedPayment("HS-0001", 50_000)], [bank("1", "HS0001", 50_000)], as_of=AT
    )
    data = json.loads(report.to_json())
    assert report.to_dict() == data
    assert "2025-01-02T10:15:00+07:00" == data["as_of"]
    assert {
        "status": "ok",
        "dossier_code": "HS-0001",
        "expected": 50_000,
        "received": 50_000,
        "difference": 0,
        "paid_on": "2025-01-02",
        "portal_state": "open",
        "note": "portal still shows it open",
        "events": [
            {
                "key": "transfer:sepay:1",
                "channel": "sepay",
                "reference": "1",
                "amount": 50_000,
                "at": "2025-01-02T10:15:00+07:00",
                "text": "HS0001",
                "reported_by": ["BankTransfer"],
                "amounts_disagree": False,
            }
        ],
    } == data["rows"][0]
    assert 50_000 == data["totals"]["received"]


# -- properties ----------------------------------------------------------------------------

codes = st.integers(min_value=0, max_value=999_999).map(lambda n: f"HS-{n:06d}")
amounts = st.integers(min_value=1, max_value=5_000_000)


@st.composite
def scenario(
    draw: st.DrawFn,
) -> tuple[list[ExpectedPayment], list[BankTransfer | PaymentNotification | PaymentStatusReport]]:
    dossier_codes = draw(st.lists(codes, max_size=8, unique=True))
    expected = [
        ExpectedPayment(code, draw(amounts), state=draw(st.sampled_from(list(PaymentState))))
        for code in dossier_codes
    ]
    pool = [*dossier_codes, "HS-999999x", "KHONG RO"]
    received: list[BankTransfer | PaymentNotification | PaymentStatusReport] = []
    for n in range(draw(st.integers(min_value=0, max_value=12))):
        mention = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2))
        text = " ".join(mention)
        kind = draw(st.sampled_from(["bank", "bank", "ipn", "status"]))
        amount = draw(amounts)
        if kind == "bank":
            received.append(
                bank(
                    str(draw(st.integers(0, 6))) if draw(st.booleans()) else f"t{n}",
                    f"IBFT {text} CT",
                    amount,
                    direction=draw(st.sampled_from(list(TransferDirection))),
                )
            )
        elif kind == "ipn":
            status = draw(st.sampled_from([PaymentStatus.PAID, PaymentStatus.FAILED]))
            received.append(vnpay(text.replace(" ", ""), amount, status))
        else:
            received.append(
                PaymentStatusReport(
                    "vnpay", text.replace(" ", ""), PaymentStatus.PAID, "00", amount=amount
                )
            )
    return expected, received


@given(scenario())
def test_every_input_appears_exactly_once(
    case: tuple[
        list[ExpectedPayment], list[BankTransfer | PaymentNotification | PaymentStatusReport]
    ],
) -> None:
    expected, received = case
    report = reconcile(expected, received)
    dossier_rows = [row.dossier_code for row in report.rows if row.dossier_code is not None]
    assert sorted(p.dossier_code for p in expected) == sorted(dossier_rows)
    placed = [id(source) for row in report.rows for e in row.events for source in e.sources]
    placed += [id(item.item) for item in report.ignored]
    assert sorted(id(item) for item in received) == sorted(placed)


@given(scenario())
def test_totals_add_up(
    case: tuple[
        list[ExpectedPayment], list[BankTransfer | PaymentNotification | PaymentStatusReport]
    ],
) -> None:
    expected, received = case
    report = reconcile(expected, received)
    totals = report.totals
    assert sum(p.amount for p in expected) == totals.expected
    assert sum(row.received for row in report.rows) == totals.received
    assert sum(e.amount for row in report.rows for e in row.events) == totals.received
    assert totals.matched + totals.orphan == totals.received
    assert totals.expected - totals.matched == totals.outstanding - totals.excess
    assert len(report.rows) == sum(totals.by_status.values())
    for row in report.rows:
        if row.status is RowStatus.OK:
            assert row.received == row.expected
        if row.status is RowStatus.MISSING_PAYMENT:
            assert (0, ()) == (row.received, row.events)
        if row.status is RowStatus.AMOUNT_MISMATCH:
            assert row.received != row.expected
        if row.status is RowStatus.PAID_TWICE:
            assert len(row.events) >= 2
            assert row.received >= 2 * row.expected


@given(scenario(), st.randoms(use_true_random=False))
def test_input_order_does_not_matter(
    case: tuple[
        list[ExpectedPayment], list[BankTransfer | PaymentNotification | PaymentStatusReport]
    ],
    rng: random.Random,
) -> None:
    expected, received = case
    shuffled_expected, shuffled_received = list(expected), list(received)
    rng.shuffle(shuffled_expected)
    rng.shuffle(shuffled_received)
    first: ReconciliationReport = reconcile(expected, received)
    second = reconcile(shuffled_expected, shuffled_received)
    strip = [{k: v for k, v in row.items() if k != "events"} for row in first.to_dict()["rows"]]
    again = [{k: v for k, v in row.items() if k != "events"} for row in second.to_dict()["rows"]]
    assert strip == again
    assert first.totals == second.totals


def test_demo_path_qr_transfer_webhook_match_report(tmp_path: Path) -> None:
    """The end-to-end steps the demo takes, with every piece real and on loopback."""
    account = ACCOUNT
    vpbank = bank_by_short_name("VPBank")
    payload = build_vietqr(
        bin=vpbank.bin,
        account=account,
        amount=50_000,
        purpose=transfer_purpose("HS2025000123", "Le phi"),
    )
    render_png(payload, tmp_path / "HS2025000123.png")
    assert (tmp_path / "HS2025000123.png").read_bytes().startswith(b"\x89PNG")
    expected = [
        ExpectedPayment("HS2025000123", 50_000),
        ExpectedPayment("HS2025000124", 30_000),
        ExpectedPayment("HS2025000125", 20_000),
    ]
    matcher = TransferMatcher(expected, accounts={account})
    receiver = SepayWebhook(hmac_secret="fake-demo-secret")
    sim = SepayTransactionsSimulator(hmac_secret="fake-demo-secret", sleep=lambda _s: None)
    qr = parse_vietqr(payload)
    sim.transfer(account=qr.account, amount=qr.amount or 0, content=f"MBVCB.1.{qr.purpose}")
    sim.transfer(account=account, amount=20_000, content="IBFT hs 2025000124 nop phi")
    with serve(receiver.wsgi_app(matcher.match)) as url:
        deliveries = sim.deliver(url + "/hooks/sepay")
    assert all(d.delivered for d in deliveries)
    assert [MatchOutcome.MATCHED, MatchOutcome.UNDERPAID] == [r.outcome for r in matcher.results]
    report = reconcile(matcher.payments, sim.transfers(), accounts={account})
    assert [
        ("HS2025000123", RowStatus.OK),
        ("HS2025000124", RowStatus.AMOUNT_MISMATCH),
        ("HS2025000125", RowStatus.MISSING_PAYMENT),
    ] == [(row.dossier_code, row.status) for row in report.rows]
    assert (100_000, 70_000, 30_000) == (
        report.totals.expected,
        report.totals.received,
        report.totals.outstanding,
    )


def test_public_api() -> None:
    import connectors.banks.reconcile as module

    assert {
        "TABLE_HEADER",
        "Ignored",
        "MoneyEvent",
        "ReconciliationReport",
        "ReportRow",
        "RowStatus",
        "Totals",
        "reconcile",
    } == set(module.__all__)
    assert all(hasattr(module, name) for name in module.__all__)
