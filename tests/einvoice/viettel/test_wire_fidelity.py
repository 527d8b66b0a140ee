"""Viettel S-Invoice as Odoo's ``l10n_vn_edi_viettel`` and Viettel's document have it (issue 11
point 3), and the ambiguous ``500 GENERAL`` on createInvoice (issue 10 point 5)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import requests

from connectors.einvoice import DocumentStatus, Line, Receipt, Seller
from connectors.einvoice.viettel.wire import invoice_payload
from connectors.testing import CommitThenStatus, mount
from connectors.testing.simulators.einvoice.viettel import ViettelInvoiceSimulator
from connectors.vn import VN_TZ
from tests.einvoice.viettel.helpers import URL, make_client

SELLER = Seller(name="UBND Phường Thử", tax_code="0100109106", address="Số 1 Phố Thử")
KEY = "key-0000000001"
WHEN = datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ)
CREATE = f"{URL}/services/einvoiceapplication/api/InvoiceAPI/InvoiceWS/createInvoice/0100109106"
GENERAL = json.dumps({"code": 500, "message": "GENERAL", "data": None}).encode()


def receipt(*lines: Line) -> Receipt:
    return Receipt(
        seller=SELLER,
        template="EBL01",
        symbol="25T",
        lines=list(lines) or [Line.fee("Lệ phí chứng thực", 50_000)],
        issued_at=WHEN,
    )


def routes(sim: ViettelInvoiceSimulator) -> list[str]:
    return [seen.route for seen in sim.seen]


def test_500_general_after_commit_is_looked_up_not_resent() -> None:
    """Issue 10.5: requests were login, create, login, create."""
    sim = ViettelInvoiceSimulator()
    sim.faults.add("issue", CommitThenStatus(500, GENERAL, "application/json"))
    sleeps: list[float] = []
    with mount(sim, URL):
        issued = make_client(sleeps=sleeps).issue(receipt(), idempotency_key=KEY)
    assert ["login", "issue", "login", "lookup"] == routes(sim)
    assert 1 == sim.ledger.count("invoice", KEY)
    assert [] == sleeps
    assert issued.number == "1"
    assert DocumentStatus.ISSUED == issued.status


def test_500_general_of_an_expired_token_logs_in_looks_up_then_resends() -> None:
    sim = ViettelInvoiceSimulator()
    sleeps: list[float] = []
    with mount(sim, URL):
        client = make_client(sleeps=sleeps)
        client.issue(receipt(), idempotency_key="key-0000000000")
        sim.expire_tokens()  # the next call answers 500 GENERAL, and nothing was created
        issued = client.issue(receipt(), idempotency_key=KEY)
    assert ["login", "issue", "issue", "login", "lookup", "issue"] == routes(sim)
    assert [90.0] == sleeps  # Viettel may still be processing: wait before resending
    assert 1 == sim.ledger.count("invoice", KEY)
    assert "2" == issued.number


def test_the_search_status_is_the_payment_status() -> None:
    sim = ViettelInvoiceSimulator()
    with mount(sim, URL) as mock:
        client = make_client()
        client.issue(receipt(), idempotency_key=KEY)
        got = client.get(KEY)
        cancelled = client.cancel(KEY, "Lập sai")
        after = client.status(KEY)
        search_body = next(
            c.response.text
            for c in mock.calls
            if "searchInvoiceByTransactionUuid" in (c.request.url or "")
        )
    item = json.loads(search_body)["result"][0]
    assert "Đã thanh toán" == item["status"]  # we issue as paid: paymentStatus true
    assert "Đã thanh toán" == got.raw["status"]
    assert DocumentStatus.ISSUED == got.status
    assert DocumentStatus.CANCELLED == cancelled.status  # from Viettel's own answer
    assert DocumentStatus.ISSUED == after  # the search cannot tell; documented
    assert 1 == sim.ledger.count("cancel", KEY)


def test_discount_is_a_percentage_and_the_amount_goes_in_item_discount() -> None:
    by_rate = Line(name="Phí A", quantity=1, unit_price=50_000, tax_rate="KCT", discount_rate=10)
    by_amount = Line(name="Phí B", quantity=2, unit_price=25_000, tax_rate="KCT", discount=5_000)
    body = invoice_payload(receipt(by_rate, by_amount), transaction_uuid=KEY, issued_at=WHEN)
    first, second = body["itemInfo"]
    assert (10, None, 50_000, 45_000) == (
        first["discount"],
        first.get("itemDiscount"),
        first["itemTotalAmountWithoutTax"],
        first["itemTotalAmountAfterDiscount"],
    )
    assert (10, 5_000, 50_000, 45_000) == (
        second["discount"],
        second["itemDiscount"],
        second["itemTotalAmountWithoutTax"],
        second["itemTotalAmountAfterDiscount"],
    )
    sim = ViettelInvoiceSimulator()
    with mount(sim, URL):
        issued = make_client().issue(receipt(by_rate, by_amount), idempotency_key=KEY)
    assert 90_000 == sim.invoices[KEY].total
    assert issued.number == "1"


def raw_create(body: dict[str, Any], sim: ViettelInvoiceSimulator) -> requests.Response:
    token = next(iter(sim.tokens))
    return requests.post(CREATE, json=body, cookies={"access_token": token}, timeout=5)


def test_the_old_discount_as_an_amount_is_refused() -> None:
    sim = ViettelInvoiceSimulator()
    line = Line(name="Phí", quantity=1, unit_price=50_000, tax_rate="KCT", discount=5_000)
    body = invoice_payload(receipt(line), transaction_uuid="key-0000000002", issued_at=WHEN)
    item = body["itemInfo"][0]
    item["discount"] = 5_000  # what the adapter used to send: the amount, not the %
    del item["itemDiscount"]
    with mount(sim, URL):
        make_client().issue(receipt(), idempotency_key=KEY)
        response = raw_create(body, sim)
    assert 400 == response.status_code
    assert "BAD_REQUEST_DISCOUNT" == response.json()["message"]
    assert 1 == sim.ledger.count("invoice")


def test_a_missing_required_field_is_refused() -> None:
    sim = ViettelInvoiceSimulator()
    body = invoice_payload(receipt(), transaction_uuid="key-0000000002", issued_at=WHEN)
    del body["generalInvoiceInfo"]["paymentStatus"]
    with mount(sim, URL):
        make_client().issue(receipt(), idempotency_key=KEY)
        response = raw_create(body, sim)
    assert (400, "BAD_REQUEST") == (response.status_code, response.json()["message"])
    assert "paymentStatus" in response.json()["data"]
    assert 1 == sim.ledger.count("invoice")


def test_create_sends_what_odoo_sends() -> None:
    body = invoice_payload(receipt(), transaction_uuid=KEY, issued_at=WHEN)
    general = body["generalInvoiceInfo"]
    assert (1, True, True) == (
        general["validation"],
        general["paymentStatus"],
        general["cusGetInvoiceRight"],
    )
    assert [{"paymentMethodName": "TM/CK"}] == body["payments"]


def test_odoos_way_of_sending_the_form_in_the_query_works_too() -> None:
    from dataclasses import replace as changed

    from connectors.einvoice.viettel import ViettelInvoice
    from connectors.einvoice.viettel.wire import DEFAULT_PROFILE

    sim = ViettelInvoiceSimulator()
    with mount(sim, URL) as mock:
        base = make_client()
        client = ViettelInvoice(
            base.settings,
            profile=changed(DEFAULT_PROFILE, form_in_query=True),
            transport=base.transport,
        )
        client.issue(receipt(), idempotency_key=KEY)
        cancelled = client.cancel(KEY, "Lập sai")
        cancel = next(c.request for c in mock.calls if "cancelTransaction" in (c.request.url or ""))
    assert DocumentStatus.CANCELLED == cancelled.status
    assert "reasonDelete=" in (cancel.url or "")
    assert not cancel.body
    assert 1 == sim.ledger.count("cancel", KEY)
