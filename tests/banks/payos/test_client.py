"""The payOS client against its simulator: create, status, cancel, webhook, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest

from connectors.banks.base import (
    CallbackOutcome,
    Payer,
    PaymentRequest,
    PaymentStatus,
    RefundRequest,
    UnsupportedOperation,
)
from connectors.banks.payos import PayosGateway, wire
from connectors.core.errors import (
    AuthError,
    Duplicate,
    NotFound,
    ProviderError,
    SignatureError,
    ValidationError,
)
from connectors.testing import TimeoutAfterCommit, mount
from connectors.testing.simulators.banks.payos import PayosGatewaySimulator
from connectors.vn.time import VN_TZ
from tests.banks.gateways import PAYOS_API_KEY, PAYOS_CHECKSUM, fast_retry

URL = "https://payos.sim.test"
NOW = datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ)


@pytest.fixture
def sim() -> Iterator[PayosGatewaySimulator]:
    simulator = PayosGatewaySimulator(
        api_key=PAYOS_API_KEY, checksum_key=PAYOS_CHECKSUM, clock=NOW.timestamp
    )
    with mount(simulator, URL):
        yield simulator


def client(**options: object) -> PayosGateway:
    fields: dict[str, object] = {
        "client_id": "sim-client",
        "api_key": PAYOS_API_KEY,
        "checksum_key": PAYOS_CHECKSUM,
        "base_url": URL,
        "clock": NOW.timestamp,
        "retry": fast_retry(),
    }
    fields.update(options)
    return PayosGateway(**fields)  # type: ignore[arg-type]


def request(**changes: object) -> PaymentRequest:
    fields: dict[str, object] = {
        "dossier_code": "HS2025000123",
        "order_ref": "2025000123",
        "amount": 50_000,
        "description": "HS2025000123 lệ phí hộ tịch công dân",
        "return_url": "https://dvc.example.vn/payos/return",
    }
    fields.update(changes)
    return PaymentRequest(**fields)  # type: ignore[arg-type]


def test_create_sends_the_signed_link(sim: PayosGatewaySimulator) -> None:
    with mount(sim, URL) as mock:
        intent = client().create_payment(request(payer=Payer(name="Nguyen Van A")))
        call = mock.calls[0].request
    sent = json.loads(call.body)
    assert ("sim-client", PAYOS_API_KEY) == (call.headers["x-client-id"], call.headers["x-api-key"])
    assert "HS2025000123 le phi ho ti" == sent["description"]  # ASCII, 25 characters at most
    expected = wire.sign(PAYOS_CHECKSUM, wire.data_string(sent, wire.CREATE_FIELDS))
    assert expected == sent["signature"]
    assert (2025000123, 50_000, "Nguyen Van A") == (
        sent["orderCode"],
        sent["amount"],
        sent["buyerName"],
    )
    assert int((NOW.timestamp()) + 15 * 60) == sent["expiredAt"]
    assert "2025000123" == intent.order_ref
    assert (intent.qr_payload or "").startswith("000201010212")
    assert "540550000" in (intent.qr_payload or "")  # tag 54: the amount, whole VND
    assert 1 == sim.ledger.count("order", "2025000123")


def test_order_ref_must_be_an_order_code(sim: PayosGatewaySimulator) -> None:
    with pytest.raises(ValidationError) as raised:
        client().create_payment(request(order_ref="HS2025000123"))
    assert "order_ref" == raised.value.field
    assert [] == sim.seen


def test_order_code_is_made_when_none_is_given(sim: PayosGatewaySimulator) -> None:
    intent = client(order_codes=lambda: 77).create_payment(request(order_ref=None))
    assert "77" == intent.order_ref


def test_create_retried_after_commit_fetches_the_existing_link(sim: PayosGatewaySimulator) -> None:
    sim.faults.add("create", TimeoutAfterCommit(1.0))
    intent = client().create_payment(request())
    assert 2 == len(sim.requests_to("create"))
    assert 1 == len(sim.requests_to("info"))
    assert 1 == sim.ledger.count("order")
    link_id = sim.links["2025000123"].link_id
    assert link_id == intent.gateway_ref
    assert f"https://pay.payos.vn/web/{link_id}" == intent.redirect_url


def test_second_create_for_an_order_code_is_a_duplicate(sim: PayosGatewaySimulator) -> None:
    client().create_payment(request())
    with pytest.raises(Duplicate) as raised:
        client().create_payment(request())
    assert "231" == raised.value.vendor_code


def test_wrong_api_key_is_refused(sim: PayosGatewaySimulator) -> None:
    wrong = PayosGateway(
        client_id="sim-client", api_key="wrong-key-123", checksum_key="x" * 8, base_url=URL
    )
    with pytest.raises(AuthError) as raised:
        wrong.create_payment(request())
    assert 401 == raised.value.http_status
    assert "wrong-key-123" not in str(raised.value) + (raised.value.body_excerpt or "")


def test_webhook_verifies_and_parses(sim: PayosGatewaySimulator) -> None:
    client().create_payment(request())
    callback = sim.pay("2025000123")
    note = client().verify_webhook(callback.body)
    assert ("2025000123", 50_000, PaymentStatus.PAID, "00") == (
        note.order_ref,
        note.amount,
        note.status,
        note.vendor_code,
    )
    assert NOW == note.paid_at
    assert (note.gateway_txn_id or "").startswith("FT")


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p["data"].update(amount=1),
        lambda p: p["data"].update(desc="Thanh cong"),
        lambda p: p.pop("signature"),
        lambda p: p.update(data="x"),
        lambda p: p["data"].pop("counterAccountName"),
    ],
)
def test_tampered_webhook_is_refused(sim: PayosGatewaySimulator, mutate: object) -> None:
    client().create_payment(request())
    payload = sim.pay("2025000123").json()
    mutate(payload)  # type: ignore[operator]
    with pytest.raises(SignatureError):
        client().verify_webhook(json.dumps(payload).encode())


def test_webhook_answers() -> None:
    payos = client()
    accepted = payos.callback_answer(CallbackOutcome.ACCEPTED)
    assert (200, b'{"success":true}') == (accepted.status, accepted.body)
    assert 400 == payos.callback_answer(CallbackOutcome.INVALID_SIGNATURE).status


def test_status_and_cancel(sim: PayosGatewaySimulator) -> None:
    payos = client()
    payos.create_payment(request())
    assert PaymentStatus.PENDING == payos.query("2025000123").status
    with mount(sim, URL) as mock:
        report = payos.cancel("2025000123", reason="Công dân hủy")
        sent = json.loads(mock.calls[0].request.body)
    assert {"cancellationReason": "Cong dan huy"} == sent
    assert (PaymentStatus.CANCELLED, "CANCELLED") == (report.status, report.vendor_code)
    assert 1 == sim.ledger.count("cancel")
    with pytest.raises(KeyError):
        sim.pay("2025000404")
    with pytest.raises(ValueError, match="CANCELLED"):
        sim.pay("2025000123")


def test_a_paid_link_cannot_be_cancelled(sim: PayosGatewaySimulator) -> None:
    payos = client()
    payos.create_payment(request())
    sim.pay("2025000123")
    with pytest.raises(ProviderError) as raised:
        payos.cancel("2025000123")
    assert "20" == raised.value.vendor_code


def test_unknown_link(sim: PayosGatewaySimulator) -> None:
    with pytest.raises(NotFound):
        client().query("999")


def test_forged_answer_is_refused(sim: PayosGatewaySimulator) -> None:
    client().create_payment(request())
    impostor = client(checksum_key="other-checksum-key")
    with pytest.raises(SignatureError):
        impostor.query("2025000123")


def test_citizen_cancelling_gets_the_unsigned_redirect(sim: PayosGatewaySimulator) -> None:
    client().create_payment(request())
    callback = sim.pay("2025000123", outcome="cancelled")
    assert ("GET", "CANCELLED") == (callback.method, callback.query["status"])
    with pytest.raises(SignatureError):
        client().parse_notification(method="GET", query=callback.query, body=b"", headers={})


def test_confirm_webhook_registers_the_url(sim: PayosGatewaySimulator) -> None:
    import requests

    response = requests.post(
        f"{URL}/confirm-webhook",
        json={"webhookUrl": "http://127.0.0.1:8000/payos"},
        headers={"x-client-id": "sim-client", "x-api-key": PAYOS_API_KEY},
        timeout=5,
    )
    assert "00" == response.json()["code"]
    assert "http://127.0.0.1:8000/payos" == sim.webhook_url


def test_refund_is_unsupported(sim: PayosGatewaySimulator) -> None:
    with pytest.raises(UnsupportedOperation):
        client().refund(RefundRequest(order_ref="1", amount=1, original_amount=1, refund_ref="R1"))


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.banks.payos import PayosGatewaySettings
    from connectors.core.config import load_settings
    from connectors.core.errors import ConfigError

    monkeypatch.setenv("CONNECTORS_PAYOS_CLIENT_ID", "sim-client")
    monkeypatch.setenv("CONNECTORS_PAYOS_API_KEY", PAYOS_API_KEY)
    with pytest.raises(ConfigError) as raised:
        load_settings(PayosGatewaySettings)
    assert "checksum_key" == raised.value.field
    monkeypatch.setenv("CONNECTORS_PAYOS_CHECKSUM_KEY", PAYOS_CHECKSUM)
    payos = PayosGateway.from_settings(load_settings(PayosGatewaySettings))
    assert "https://api-merchant.payos.vn" == payos.base_url
    assert PAYOS_CHECKSUM not in repr(payos)
    assert PAYOS_API_KEY not in repr(payos)


def test_query_refuses_a_malformed_order_ref(sim: PayosGatewaySimulator) -> None:
    with pytest.raises(ValidationError) as raised:
        client().query("../admin")
    assert "order_ref" == raised.value.field
    assert [] == sim.seen


def test_webhook_for_an_unknown_order_still_gets_a_2xx() -> None:
    """payOS's confirm-webhook test payload names an order the portal never made."""
    from connectors.banks.ipn import IpnHandler
    from tests.banks.payos.test_wire import WEBHOOK_DATA

    payload = {
        "code": "00",
        "desc": "success",
        "success": True,
        "data": WEBHOOK_DATA,
        "signature": wire.sign(PAYOS_CHECKSUM, wire.data_string(WEBHOOK_DATA)),
    }
    received: list[object] = []
    handler = IpnHandler(client(), expected_amount=lambda _r: None, on_payment=received.append)
    answer = handler.handle(method="POST", body=json.dumps(payload, ensure_ascii=False).encode())
    assert (200, b'{"success":false,"error":"order"}') == (answer.status, answer.body)
    assert [] == received


def test_a_paid_links_signed_info_with_null_fields_verifies(sim: PayosGatewaySimulator) -> None:
    payos = client()
    payos.create_payment(request())
    sim.pay("2025000123")
    with mount(sim, URL) as mock:
        report = payos.query("2025000123")
        answer = json.loads(mock.calls[0].response.content)
    (transaction,) = answer["data"]["transactions"]
    assert None is transaction["counterAccountName"]
    assert list(transaction) != sorted(transaction)  # signed with its keys sorted anyway
    assert (PaymentStatus.PAID, 50_000) == (report.status, report.amount)
