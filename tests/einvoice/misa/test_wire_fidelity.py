"""MISA meInvoice totals as every integrator sends them (issue 11 point 4), and a simulator
that refuses an invoice without them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from connectors.einvoice import Invoice, Line, Seller
from connectors.einvoice.gdt import check_returned
from connectors.einvoice.misa.wire import REQUIRED_TOTALS, decode_result_list, invoice_payload
from connectors.testing import mount
from connectors.testing.simulators.einvoice.misa import MisaInvoiceSimulator
from connectors.vn import VN_TZ
from tests.einvoice.misa.test_client import BASE, HOST, client, receipt

WHEN = datetime(2025, 6, 1, 9, 30, tzinfo=VN_TZ)


@pytest.fixture
def sim() -> Iterator[MisaInvoiceSimulator]:
    simulator = MisaInvoiceSimulator(sleep=lambda _s: None)
    with mount(simulator, HOST):
        yield simulator


def discounted() -> Invoice:
    return Invoice(
        seller=Seller(name="Công ty Thử Nghiệm", tax_code="0100109106", address="Hà Nội"),
        template="1",
        symbol="C25MAA",
        issued_at=WHEN,
        lines=[
            Line(name="Dịch vụ", quantity=2, unit_price=50_000, tax_rate="10%", discount=10_000),
            Line(name="Hàng", quantity=1, unit_price=20_000, tax_rate="8%"),
        ],
    )


def post_invoice(sim: MisaInvoiceSimulator, payload: dict[str, Any]) -> dict[str, Any]:
    token = next(iter(sim.tokens))
    response = requests.post(
        BASE + "/invoice",
        json={"SignType": 2, "InvoiceData": [payload], "PublishInvoiceData": None},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    (row,) = decode_result_list(response.json()["publishInvoiceResult"])
    return row


def test_every_total_integrators_send_is_sent() -> None:
    payload = invoice_payload(discounted(), ref_id="r-1", issue_date="2025-06-01")
    assert set(REQUIRED_TOTALS) <= payload.keys()
    totals = {name: payload[name] for name in REQUIRED_TOTALS if name != "TotalAmountInWords"}
    assert {
        "TotalSaleAmountOC": 120_000,
        "TotalDiscountAmountOC": 10_000,
        "TotalAmountWithoutVATOC": 110_000,
        "TotalVATAmountOC": 10_600,
        "TotalAmountOC": 120_600,
    } == totals
    converted = ("TotalSaleAmount", "TotalAmountWithoutVAT", "TotalVATAmount", "TotalAmount")
    assert [payload[f"{name}OC"] for name in converted] == [payload[n] for n in converted]
    first = payload["OriginalInvoiceDetail"][0]
    assert (100_000, 10_000, 90_000, 9_000) == (
        first["AmountOC"],
        first["DiscountAmountOC"],
        first["AmountWithoutVATOC"],
        first["VATAmountOC"],
    )


def test_the_old_request_without_total_amount_without_vat_is_refused(
    sim: MisaInvoiceSimulator,
) -> None:
    client().issue(receipt(), "ref-warm")
    payload = invoice_payload(receipt(), ref_id="ref-old", issue_date="2025-06-01")
    for name in ("TotalAmountWithoutVATOC", "TotalAmountWithoutVAT", "TotalSaleAmount"):
        del payload[name]  # what the adapter used to send
    row = post_invoice(sim, payload)
    assert "InvalidInvoiceData" == row["ErrorCode"]
    assert "TotalAmountWithoutVATOC" in row["DescriptionErrorCode"]
    assert 0 == sim.ledger.count("invoice", "ref-old")


def test_totals_that_do_not_add_up_are_refused(sim: MisaInvoiceSimulator) -> None:
    client().issue(receipt(), "ref-warm")
    payload = invoice_payload(receipt(), ref_id="ref-bad", issue_date="2025-06-01")
    payload["TotalAmountOC"] += 1
    row = post_invoice(sim, payload)
    assert "InvalidInvoiceData" == row["ErrorCode"]
    assert 0 == sim.ledger.count("invoice", "ref-bad")


def test_a_discounted_invoice_issues_and_its_xml_matches(sim: MisaInvoiceSimulator) -> None:
    misa = client()
    doc = discounted()
    issued = misa.issue(doc, "ref-disc")
    checked = check_returned(doc, misa.download(issued.key, "xml"))
    assert 110_000 == checked.parsed.document.totals.total_before_tax
