"""Every inbound callback gets one verdict: verified, duplicate, forged or stale."""

from __future__ import annotations

import pytest

from connectors.core import MemorySeenStore, SignatureError
from connectors.core.telemetry import callback_refused, callback_verdict
from connectors.core.webhooks import EventGate, StaleTimestamp, check_timestamp
from connectors.ihanoi import WebhookReceiver
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from tests.telemetry.capture import Captured

SECRET = "whsec-telemetry-not-a-real-secret"
NOW = 1_735_787_460
CALLBACKS = "connectors.callbacks"


def _verdicts(otel: Captured) -> dict[tuple[str, str], float]:
    return {
        (p.attributes["connectors.receiver"], p.attributes["connectors.verdict"]): p.value
        for p in otel.points(CALLBACKS)
    }


def test_ihanoi_webhooks_get_each_verdict(otel: Captured) -> None:
    sim = IhanoiFeedbackSimulator(clock=lambda: float(NOW), sleep=lambda _s: None)
    sim.register_webhook("http://127.0.0.1:9/unused", SECRET)
    feedback_id = sim.citizen_submits(title="Hồ sơ chậm", description="Chậm trả (thử)")
    handled: list[str] = []
    receiver = WebhookReceiver(
        SECRET, lambda event: handled.append(event.event_id), clock=lambda: float(NOW)
    )
    headers, body = sim.webhooks.request_for(sim.event_for(feedback_id, event_id="evt-1"))
    assert "processed" == receiver.handle(headers, body).outcome
    assert "duplicate" == receiver.handle(headers, body).outcome
    forged = {**headers, "X-Signature": "v1=" + "0" * 64}
    assert 401 == receiver.handle(forged, body).status
    old = sim.webhooks.request_for(
        sim.event_for(feedback_id, event_id="evt-2"), timestamp=NOW - 301
    )
    assert 401 == receiver.handle(*old).status
    assert ["evt-1"] == handled
    assert {
        ("ihanoi", "verified"): 1,
        ("ihanoi", "duplicate"): 1,
        ("ihanoi", "forged"): 1,
        ("ihanoi", "stale"): 1,
    } == _verdicts(otel)


def test_a_gate_counts_under_its_namespace(otel: Captured) -> None:
    gate = EventGate(MemorySeenStore(), namespace="sepay")
    assert gate.run("T1", lambda: None)
    assert not gate.run("T1", lambda: None)
    assert {("sepay", "verified"): 1, ("sepay", "duplicate"): 1} == _verdicts(otel)


def test_a_timestamp_outside_the_window_is_stale_and_a_signature_error() -> None:
    with pytest.raises(StaleTimestamp) as raised:
        check_timestamp(NOW - 600, tolerance=300, now=NOW, provider="sepay")
    assert isinstance(raised.value, SignatureError)
    with pytest.raises(SignatureError) as missing:
        check_timestamp(None, provider="sepay")
    assert not isinstance(missing.value, StaleTimestamp)


def test_a_receiver_reports_a_refusal_by_its_error(otel: Captured) -> None:
    callback_refused("vnpay", SignatureError("signature mismatch"))
    callback_refused("vnpay", StaleTimestamp("too old"))
    assert {("vnpay", "forged"): 1, ("vnpay", "stale"): 1} == _verdicts(otel)
    with pytest.raises(ValueError, match="verdict must be one of"):
        callback_verdict("vnpay", "accepted")
