"""No secret and no citizen's data in any span or metric: every domain driven against its
simulator with values that would be found (a name, a phone number, a tax code, a text),
success and failure paths alike, and everything recorded searched for them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, suppress

import pytest
import requests

from connectors.banks.base import PaymentRequest
from connectors.banks.ipn import IpnHandler
from connectors.core import ConnectorError, MemorySeenStore
from connectors.einvoice import Buyer, Line, Receipt, Seller
from connectors.ihanoi import FeedbackStatus, WebhookReceiver
from connectors.ihanoi.contract import IhanoiFeedback
from connectors.providers import provider
from connectors.sms import Message
from connectors.testing import CommitThenStatus, Status, mount
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from tests.telemetry.adapters import mobifone, viettel
from tests.telemetry.capture import Captured

NAME = "Nguyễn Văn Canary"
PHONE = "0912345678"
TAX_CODE = "0101234565"
TEXT = "CANARY-TEXT lời nhắn riêng"
DOSSIER = "HS2026999001"
FORBIDDEN = (NAME, "Canary", PHONE, "84912345678", "912345678", TAX_CODE, "CANARY-TEXT")


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def _einvoice(stack: ExitStack) -> None:
    sim, invoices = viettel(stack)
    receipt = Receipt(
        seller=Seller(name="UBND Phường Thử", tax_code="0100109106", address="Số 1 Phố Thử"),
        buyer=Buyer(name=NAME, tax_code=TAX_CODE, phone=PHONE),
        template="EBL01",
        symbol="26T",
        lines=(Line.fee("Lệ phí " + TEXT, 50_000),),
        dossier_code=DOSSIER,
    )
    invoices.issue(receipt, idempotency_key=f"{DOSSIER}:receipt")
    sim.faults.add("issue", CommitThenStatus(500, b'{"errorCode": "CANARY-TEXT"}'), times=5)
    with suppress(ConnectorError):  # retried with its key; maybe found, maybe not
        invoices.issue(receipt, idempotency_key=f"{DOSSIER}:receipt2")


def _sms(stack: ExitStack) -> None:
    sim, sms = mobifone(stack, "sms-password-canary")
    params = {"dossier": DOSSIER, "amount": "50.000", "code": "CANARY-TEXT"}
    assert sms.send(
        Message(PHONE, template_id="paid", params=params), idempotency_key="S1"
    ).accepted
    sim.faults.add("send", Status(500, b"CANARY-TEXT " + PHONE.encode()))
    with pytest.raises(ConnectorError):  # an unkeyed write: its outcome is unknown
        sms.send(Message(PHONE, template_id="paid", params=params), idempotency_key="S2")


def _banks(stack: ExitStack) -> None:
    entry = provider("payments", "vnpay")
    sim = entry.make_simulator(sleep=lambda _s: None)
    stack.enter_context(mount(sim, "https://vnpay.sim.test"))
    gateway = entry.client_class()(base_url="https://vnpay.sim.test", **entry.credentials)
    intent = gateway.create_payment(
        PaymentRequest(
            dossier_code=DOSSIER,
            amount=50_000,
            description=f"{DOSSIER} {NAME} {PHONE}",
            return_url="https://portal.example.test/return",
        )
    )
    requests.get(intent.redirect_url, allow_redirects=False, timeout=5).close()
    handler = IpnHandler(
        gateway,
        expected_amount=lambda _ref: 50_000,
        on_payment=lambda _n: None,
        store=MemorySeenStore(),
    )
    callback = sim.pay(intent.order_ref, outcome="success")
    handler.handle_request(callback)
    handler.handle_request(callback)  # a duplicate
    handler.handle_request(sim.tamper(callback, amount=5_000_000))  # forged
    gateway.query(intent.order_ref, created_at=intent.created_at)  # a vendor call


def _ihanoi(stack: ExitStack) -> None:
    sim = IhanoiFeedbackSimulator(sleep=lambda _s: None)
    stack.enter_context(mount(sim, "https://ihanoi.sim.test"))
    secret = "whsec-canary-secret"
    sim.register_webhook("http://127.0.0.1:9/unused", secret)
    feedback_id = sim.citizen_submits(
        title=f"Hỏi về hồ sơ {DOSSIER}", description=TEXT, full_name=NAME, phone=PHONE
    )
    receiver = WebhookReceiver(secret, lambda _event: None)
    headers, body = sim.webhooks.request_for(sim.event_for(feedback_id, event_id="evt-c1"))
    receiver.handle(headers, body)
    receiver.handle({**headers, "X-Signature": "v1=" + "0" * 64}, body)
    client = IhanoiFeedback(base_url="https://ihanoi.sim.test", token=sim.token)
    client.answer(
        feedback_id,
        f"{NAME} ơi, {TEXT}",
        agency_code="UBND-PHUONG-MAU",
        status=FeedbackStatus.ANSWERED,
        idempotency_key=f"{DOSSIER}:status",
    )
    sim.faults.add("update_feedback", Status(400, TEXT.encode()))
    with pytest.raises(ConnectorError):
        client.answer(feedback_id, TEXT, agency_code="UBND-PHUONG-MAU", idempotency_key="K2")


def test_nothing_personal_or_secret_is_recorded(stack: ExitStack, otel: Captured) -> None:
    for drive in (_einvoice, _sms, _banks, _ihanoi):
        drive(stack)
    domains = {span.attributes.get("connectors.domain") for span in otel.spans()}
    assert {"banks", "einvoice", "sms", "ihanoi"} <= domains
    verdicts = {p.attributes["connectors.verdict"] for p in otel.points("connectors.callbacks")}
    assert {"verified", "duplicate", "forged"} <= verdicts
    outcomes = {p.attributes["connectors.outcome"] for p in otel.points("connectors.vendor.calls")}
    assert {"ok", "rejected"} <= outcomes
    recorded = otel.everything()
    for value in (*FORBIDDEN, "sms-password-canary", "whsec-canary-secret", DOSSIER):
        assert value not in recorded, value
