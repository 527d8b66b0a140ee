"""The webhook receiver: only a valid, fresh, first-seen event reaches the portal, once."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import SignatureError, SqliteSeenStore
from connectors.ihanoi import EventType, FeedbackEvent, FeedbackStatus, WebhookReceiver
from connectors.ihanoi.contract import DEFAULT_PROFILE
from connectors.ihanoi.contract.wire import ContractVerifier
from connectors.testing import serve
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from tests.core.wsgi_inputs import GuardedInput, Untouchable
from tests.ihanoi.conftest import no_sleep

SECRET = "whsec-test-not-a-real-secret"
NOW = 1_735_787_460


class Portal:
    """The portal's handler: records events; can be told to fail."""

    def __init__(self, failures: int = 0, exc: BaseException | None = None) -> None:
        self.events: list[FeedbackEvent] = []
        self.failures = failures
        self.exc = exc or RuntimeError("portal database is down")

    def __call__(self, event: FeedbackEvent) -> None:
        if self.failures:
            self.failures -= 1
            raise self.exc
        self.events.append(event)


def make_sim() -> IhanoiFeedbackSimulator:
    return IhanoiFeedbackSimulator(clock=lambda: float(NOW), sleep=no_sleep)


def signed(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent, **kw: int
) -> tuple[dict[str, str], bytes]:
    sim.register_webhook("http://127.0.0.1:9/unused", SECRET)
    return sim.webhooks.request_for(event, **kw)


@pytest.fixture
def sim() -> IhanoiFeedbackSimulator:
    return make_sim()


@pytest.fixture
def event(sim: IhanoiFeedbackSimulator) -> FeedbackEvent:
    feedback_id = sim.citizen_submits(title="Hồ sơ chậm", description="Chậm trả (thử)")
    return sim.event_for(feedback_id, event_id="evt-0001")


def receiver(portal: Portal, **kw: object) -> WebhookReceiver:
    return WebhookReceiver(SECRET, portal, clock=lambda: float(NOW), **kw)  # type: ignore[arg-type]


def test_a_valid_event_is_processed_once(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent
) -> None:
    portal = Portal()
    headers, body = signed(sim, event)

    answer = receiver(portal).handle(headers, body)

    assert (200, "processed") == (answer.status, answer.outcome)
    assert [event] == portal.events


def test_the_wire_signature_is_hmac_sha256_over_timestamp_dot_body(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent
) -> None:
    headers, body = signed(sim, event)

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + body, hashlib.sha256).hexdigest()
    assert {
        "Content-Type": "application/json; charset=utf-8",
        "X-Event-Id": "evt-0001",
        "X-Event-Type": "feedback.created",
        "X-Timestamp": str(NOW),
        "X-Signature": f"v1={expected}",
    } == headers
    assert "evt-0001" == json.loads(body)["event_id"]


def tamper_signature(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {**headers, "X-Signature": "v1=" + "0" * 64}, body


def wrong_secret(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    other = ContractVerifier("another-secret", DEFAULT_PROFILE)
    return {**headers, "X-Signature": other.sign(body, NOW)}, body


def stale(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return headers, body  # signed 301 s in the past by the caller


def altered_body(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return headers, body.replace(b"Ch\xe1\xba\xadm", b"Nhanh")


def no_signature(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {k: v for k, v in headers.items() if k != "X-Signature"}, body


def no_timestamp(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {k: v for k, v in headers.items() if k != "X-Timestamp"}, body


def other_event_id_header(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {**headers, "X-Event-Id": "evt-9999"}, body


@pytest.mark.parametrize(
    ("tamper", "offset", "status", "reason"),
    [
        (tamper_signature, 0, 401, "signature mismatch"),
        (wrong_secret, 0, 401, "signature mismatch"),
        (stale, -301, 401, "outside the 300s tolerance"),
        (stale, +301, 401, "outside the 300s tolerance"),
        (altered_body, 0, 401, "signature mismatch"),
        (no_signature, 0, 401, "missing signature header"),
        (no_timestamp, 0, 401, "missing timestamp"),
        (other_event_id_header, 0, 401, "event id header differs from the signed body"),
    ],
)
def test_an_event_failing_verification_changes_nothing(
    sim: IhanoiFeedbackSimulator,
    event: FeedbackEvent,
    tamper: object,
    offset: int,
    status: int,
    reason: str,
) -> None:
    portal = Portal()
    seen = SqliteSeenStore()
    hook = receiver(portal, seen=seen)
    headers, body = tamper(*signed(sim, event, timestamp=NOW + offset))  # type: ignore[operator]

    answer = hook.handle(headers, body)

    assert (status, "rejected") == (answer.status, answer.outcome)
    assert reason in (answer.reason or "")
    assert [] == portal.events
    assert not seen.seen("evt-0001", namespace="ihanoi")
    assert "processed" == hook.handle(*signed(sim, event)).outcome  # the genuine one still is


def test_a_replayed_event_id_reaches_the_portal_once(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent
) -> None:
    portal = Portal()
    hook = receiver(portal)
    first = signed(sim, event)
    resent = signed(sim, event, timestamp=NOW + 60)  # a retry: same id, fresh signature

    answers = [hook.handle(*first), hook.handle(*resent), hook.handle(*first)]

    assert ["processed", "duplicate", "duplicate"] == [a.outcome for a in answers]
    assert [200, 200, 200] == [a.status for a in answers]
    assert [event] == portal.events


def test_an_oversized_body_is_refused_unread(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent
) -> None:
    portal = Portal()
    headers, body = signed(sim, event)

    answer = receiver(portal, max_body_bytes=len(body) - 1).handle(headers, body)

    assert (413, "too_large") == (answer.status, answer.outcome)
    assert [] == portal.events


def test_a_signed_body_that_is_not_an_event_is_a_bad_request(sim: IhanoiFeedbackSimulator) -> None:
    portal = Portal()
    body = b'{"hello": "world"}'
    verifier = ContractVerifier(SECRET, DEFAULT_PROFILE)
    headers = {"X-Timestamp": str(NOW), "X-Signature": verifier.sign(body, NOW)}

    answer = receiver(portal).handle(headers, body)

    assert (400, "rejected") == (answer.status, answer.outcome)
    assert [] == portal.events


def test_if_the_handler_fails_the_event_is_not_marked_seen(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent
) -> None:
    portal = Portal(failures=1)
    hook = receiver(portal)
    headers, body = signed(sim, event)

    failed = hook.handle(headers, body)
    retried = hook.handle(headers, body)

    assert [(500, "failed"), (200, "processed")] == [
        (failed.status, failed.outcome),
        (retried.status, retried.outcome),
    ]
    assert [event] == portal.events


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(2)], ids=type)
def test_an_interrupt_inside_the_handler_marks_nothing_and_propagates(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent, exc: BaseException
) -> None:
    portal = Portal(failures=1, exc=exc)
    seen = SqliteSeenStore()
    hook = receiver(portal, seen=seen)
    headers, body = signed(sim, event)

    with pytest.raises(type(exc)):
        hook.handle(headers, body)
    assert not seen.seen("evt-0001", namespace="ihanoi")

    assert "processed" == hook.handle(headers, body).outcome
    assert "duplicate" == hook.handle(headers, body).outcome
    assert [event] == portal.events
    assert seen.seen("evt-0001", namespace="ihanoi")


def test_the_id_is_marked_only_after_the_handler_returned(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent
) -> None:
    seen = SqliteSeenStore()
    during: list[bool] = []
    hook = WebhookReceiver(
        SECRET,
        lambda e: during.append(seen.seen(e.event_id, namespace="ihanoi")),
        seen=seen,
        clock=lambda: float(NOW),
    )
    assert "processed" == hook.handle(*signed(sim, event)).outcome
    assert [False] == during
    assert seen.seen("evt-0001", namespace="ihanoi")


def test_a_failing_store_is_answered_500(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent
) -> None:
    class Broken(SqliteSeenStore):
        def seen(self, key: str, *, namespace: str = "default") -> bool:
            raise OSError("disk I/O error")

    portal = Portal()
    answer = receiver(portal, seen=Broken()).handle(*signed(sim, event))
    assert (500, "failed", "OSError") == (answer.status, answer.outcome, answer.reason)
    assert [] == portal.events


def wsgi(hook: WebhookReceiver, environ: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    statuses: list[str] = []
    body = b"".join(hook(environ, lambda status, _headers: statuses.append(status)))
    return statuses[0], json.loads(body)


@pytest.mark.parametrize(
    ("length", "status"),
    [(str(10 * 2**30), "413 Payload Too Large"), ("9" * 5000, "413 Payload Too Large"),
     ("abc", "400 Bad Request"), ("1e9", "400 Bad Request"), ("-1", "400 Bad Request"),
     (None, "411 Length Required")],
)  # fmt: skip
def test_the_wsgi_app_never_reads_an_unbounded_body(length: str | None, status: str) -> None:
    portal = Portal()
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "wsgi.input": Untouchable()}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    answer_status, answer = wsgi(receiver(portal), environ)
    assert status == answer_status
    assert answer["ok"] is False
    assert ("too_large" if status.startswith("413") else "rejected") == answer["outcome"]
    assert [] == portal.events


def test_the_wsgi_app_reads_exactly_the_signed_body(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent
) -> None:
    portal = Portal()
    headers, body = signed(sim, event)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": GuardedInput(body + b"next", allowed=len(body)),
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    }
    assert ("200 OK", {"ok": True, "outcome": "processed"}) == wsgi(receiver(portal), environ)
    assert [event] == portal.events


@pytest.mark.parametrize("limit", [0, -1, True, 1.5])
def test_max_body_bytes_must_be_positive(limit: object) -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        receiver(Portal(), max_body_bytes=limit)


def test_the_sqlite_store_remembers_across_restarts(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent, tmp_path: Path
) -> None:
    portal = Portal()
    headers, body = signed(sim, event)
    path = tmp_path / "seen.sqlite"

    first = receiver(portal, seen=str(path)).handle(headers, body)
    after_restart = receiver(portal, seen=str(path)).handle(headers, body)

    assert ("processed", "duplicate") == (first.outcome, after_restart.outcome)
    assert 1 == len(portal.events)


def test_as_a_wsgi_app_on_loopback(sim: IhanoiFeedbackSimulator, event: FeedbackEvent) -> None:
    portal = Portal()
    hook = receiver(portal, max_body_bytes=4096)
    headers, body = signed(sim, event)
    with serve(hook) as base:
        ok = requests.post(base + "/hooks/ihanoi", data=body, headers=headers, timeout=5)
        again = requests.post(base + "/hooks/ihanoi", data=body, headers=headers, timeout=5)
        bad = requests.post(base, data=body + b" ", headers=headers, timeout=5)
        big = requests.post(base, data=b"x" * 5000, headers=headers, timeout=5)
        get = requests.get(base, timeout=5)

    assert [200, 200, 401, 413, 405] == [r.status_code for r in (ok, again, bad, big, get)]
    assert {"ok": True, "outcome": "duplicate"} == again.json()
    assert [event] == portal.events


def test_the_simulator_retries_until_the_portal_answers_2xx() -> None:
    portal = Portal(failures=2)
    hook = receiver(portal)
    sim = make_sim()
    with serve(hook) as base:
        sim.register_webhook(base + "/hooks/ihanoi", SECRET)
        feedback_id = sim.citizen_submits(title="Hồ sơ", description="Chậm (thử)")

    assert [500, 500, 200] == [d.status for d in sim.deliveries]
    assert 1 == len({d.event_id for d in sim.deliveries})
    assert [(EventType.CREATED, feedback_id)] == [
        (e.type, e.feedback.feedback_id) for e in portal.events
    ]


def test_undelivered_events_can_be_redelivered() -> None:
    portal = Portal(failures=4)
    hook = receiver(portal)
    sim = make_sim()
    with serve(hook) as base:
        sim.register_webhook(base + "/", SECRET)
        sim.citizen_submits(title="Hồ sơ", description="Chậm (thử)")
        assert [] == portal.events
        assert 1 == sim.webhooks.redeliver()

    assert [500, 500, 500, 500, 200] == [d.status for d in sim.deliveries]
    assert 1 == len(portal.events)


def test_status_changes_and_ratings_arrive_as_events(sim: IhanoiFeedbackSimulator) -> None:
    portal = Portal()
    hook = receiver(portal)

    def deliver(url: str, headers: Mapping[str, str], body: bytes) -> int:
        return hook.handle(dict(headers), body).status

    direct = IhanoiFeedbackSimulator(clock=lambda: float(NOW), sleep=no_sleep, deliver=deliver)
    direct.register_webhook("https://portal.example.test/hooks", SECRET)
    feedback_id = direct.citizen_submits(title="Hồ sơ", description="Chậm (thử)")
    direct.operator_sets_status(feedback_id, FeedbackStatus.IN_PROGRESS, note="Đang xử lý")
    direct.citizen_rates(feedback_id, 5)

    assert [
        (EventType.CREATED, None, None),
        (EventType.STATUS_CHANGED, FeedbackStatus.RECEIVED, None),
        (EventType.RATED, None, 5),
    ] == [(e.type, e.previous_status, e.rating) for e in portal.events]
    assert FeedbackStatus.IN_PROGRESS == portal.events[1].feedback.status


def test_the_simulator_only_calls_loopback(sim: IhanoiFeedbackSimulator) -> None:
    with pytest.raises(ValueError, match="loopback"):
        sim.register_webhook("https://portal.example.test/hooks", SECRET)


@given(body=st.binary(max_size=2048), timestamp=st.integers(NOW - 300, NOW + 300))
def test_any_body_signed_verifies_and_any_flipped_bit_does_not(body: bytes, timestamp: int) -> None:
    verifier = ContractVerifier(SECRET, DEFAULT_PROFILE, clock=lambda: float(NOW))
    signature = verifier.sign(body, timestamp)

    verifier.verify(body, signature_header=signature, timestamp=timestamp)
    if body:
        flipped = bytes([body[0] ^ 1]) + body[1:]
        with pytest.raises(SignatureError):
            verifier.verify(flipped, signature_header=signature, timestamp=timestamp)
    with pytest.raises(SignatureError):
        verifier.verify(body + b"\n", signature_header=signature, timestamp=timestamp)


def test_concurrent_deliveries_of_one_event_reach_the_portal_once(
    sim: IhanoiFeedbackSimulator, event: FeedbackEvent, tmp_path: Path
) -> None:
    import threading

    portal = Portal()
    start = threading.Barrier(8)
    hooks = [receiver(portal, seen=str(tmp_path / "seen.sqlite")) for _ in range(2)]
    headers, body = signed(sim, event)
    outcomes: list[str] = []

    def deliver(n: int) -> None:
        start.wait()
        outcomes.append(hooks[n % 2].handle(headers, body).outcome)

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert (1, 7) == (outcomes.count("processed"), outcomes.count("duplicate"))
    assert [event] == portal.events


def test_the_tolerance_can_be_narrowed(sim: IhanoiFeedbackSimulator, event: FeedbackEvent) -> None:
    portal = Portal()
    hook = receiver(portal, tolerance=30)

    late = hook.handle(*signed(sim, event, timestamp=NOW - 31))
    fresh = hook.handle(*signed(sim, event, timestamp=NOW - 29))

    assert [(401, "rejected"), (200, "processed")] == [
        (late.status, late.outcome),
        (fresh.status, fresh.outcome),
    ]
    assert "outside the 30s tolerance" in (late.reason or "")
