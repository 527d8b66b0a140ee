"""Issue 10's SMS reproductions, on real loopback sockets.

A gateway that takes the message and then cannot answer properly (a 5xx, a body cut short,
an answer trickled past the deadline, an answer too large to read) may have texted the
citizen: MobiFone (no request id) sends once and raises `OutcomeUnknown`, and a router
never fails over to another provider on it. MobiFone's login and send share one deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from connectors.core import (
    ConnectionFailed,
    OutcomeUnknown,
    ReadTimeout,
    Timeouts,
    TransportError,
)
from connectors.sms import Message, RoutingSender, SendStatus
from connectors.sms.errors import may_fail_over
from connectors.testing import (
    CommitThenStatus,
    Fault,
    Latency,
    Oversize,
    Trickle,
    Truncated,
    serve,
)
from connectors.testing.conformance.maybe_sent import (
    MATRIX_TIMEOUTS,
    check_read,
    maybe_sent_fault,
    run_call,
)
from connectors.testing.simulators.sms import MobifoneSmsSimulator, VnptSmsSimulator
from tests.sms import harnesses
from tests.sms.harnesses import PARAMS

KEY = "HS-2025-000123:sms"
DEADLINE = Timeouts(connect=1.0, read=5.0, total=2.0)


def paid(recipient: str = "0912345678") -> Message:
    return Message(recipient, template_id="paid", params=PARAMS)


@dataclass
class Pair:
    mobifone: MobifoneSmsSimulator
    vnpt: VnptSmsSimulator
    mobifone_url: str
    vnpt_url: str

    def router(self, **options: object) -> RoutingSender:
        return RoutingSender(
            {
                "mobifone": harnesses.mobifone_sender(self.mobifone_url, **options),
                "vnpt": harnesses.vnpt_sender(self.vnpt_url, **options),
            },
            default=["mobifone", "vnpt"],
        )

    def sent(self) -> tuple[int, int]:
        return self.mobifone.ledger.count("sms"), self.vnpt.ledger.count("sms")


@pytest.fixture
def pair() -> Iterator[Pair]:
    mobifone, vnpt = harnesses.mobifone_sim(), harnesses.vnpt_sim()
    with serve(mobifone) as mobifone_url, serve(vnpt) as vnpt_url:
        yield Pair(mobifone, vnpt, mobifone_url, vnpt_url)


def test_mobifone_truncated_answer_sends_once_and_is_outcome_unknown(pair: Pair) -> None:
    # The gateway commits, sends its headers and 10 of the body's bytes, and closes.
    pair.mobifone.faults.add("send", Truncated(keep=10))
    sender = harnesses.mobifone_sender(pair.mobifone_url)
    with pytest.raises(OutcomeUnknown) as raised:
        sender.send(paid(), KEY)
    assert KEY == raised.value.idempotency_key
    assert isinstance(raised.value.__cause__, ConnectionFailed)
    assert raised.value.__cause__.sent is True
    assert may_fail_over(raised.value) is False
    assert 1 == len(pair.mobifone.requests_to("send"))  # sent once, never resent
    assert (1, 0) == pair.sent()


def test_router_never_fails_over_after_a_truncated_answer(pair: Pair) -> None:
    pair.mobifone.faults.add("send", Truncated(keep=10))
    with pytest.raises(OutcomeUnknown) as raised:
        pair.router().send(paid(), KEY)
    assert ("mobifone", KEY) == (raised.value.provider, raised.value.idempotency_key)
    assert 1 == len(pair.mobifone.requests_to("send"))
    assert [] == pair.vnpt.seen  # VNPT never asked
    assert (1, 0) == pair.sent()  # exactly one SMS in all ledgers


MAYBE_SENT: dict[str, Fault] = {
    "commit-then-500": CommitThenStatus(500),
    "truncated": Truncated(keep=10),
    "trickle": Trickle(interval=0.2),
    "oversize": Oversize(5 * 1024 * 1024, content_type="application/json"),
}


@pytest.mark.parametrize("fault", list(MAYBE_SENT))
def test_router_never_fails_over_on_any_maybe_sent_fault(pair: Pair, fault: str) -> None:
    pair.mobifone.faults.add("send", MAYBE_SENT[fault])
    message = Message("0912345678", template_id="paid", params=PARAMS, idempotency_key=KEY)
    batch = pair.router(timeouts=DEADLINE).send_many([message])
    (result,) = batch.results
    assert (SendStatus.UNKNOWN, KEY) == (result.status, result.idempotency_key)
    assert result.failover_ok is False
    assert [] == pair.vnpt.seen
    assert (1, 0) == pair.sent()


def test_a_slow_login_and_a_trickling_send_share_one_deadline(pair: Pair) -> None:
    # The login answers after 1.5 s (within the read timeout), then the send trickles: the
    # send gets only what is left of the 2 s deadline, not 2 s of its own.
    pair.mobifone.faults.add("login", Latency(1.5))
    pair.mobifone.faults.add("send", Trickle(interval=0.2))
    sender = harnesses.mobifone_sender(pair.mobifone_url, timeouts=DEADLINE)
    began = time.monotonic()
    with pytest.raises(OutcomeUnknown) as raised:
        sender.send(paid(), KEY)
    elapsed = time.monotonic() - began
    assert isinstance(raised.value.__cause__, ReadTimeout)
    assert elapsed < DEADLINE.total + 0.75  # before: 1.5 s of login + 2 s of trickle
    assert (1, 0) == pair.sent()


def test_a_login_that_uses_up_the_deadline_sends_nothing(pair: Pair) -> None:
    pair.mobifone.faults.add("login", Trickle(interval=0.2))
    router = pair.router(timeouts=DEADLINE)
    began = time.monotonic()
    result = router.send(paid(), KEY)  # nothing left MobiFone's side: safe to fail over
    elapsed = time.monotonic() - began
    assert ("vnpt", ("mobifone",)) == (result.provider, result.tried)
    assert [] == pair.mobifone.requests_to("send")
    assert (0, 1) == pair.sent()
    assert elapsed < DEADLINE.total + 2.0


def test_the_deadline_error_before_sending_says_nothing_was_sent() -> None:
    from connectors.sms.mobifone.client import _Deadline

    deadline = _Deadline(Timeouts(connect=1.0, read=1.0, total=0.001))
    time.sleep(0.01)
    with pytest.raises(ReadTimeout) as raised:
        deadline.left("send")
    assert isinstance(raised.value, TransportError)
    assert raised.value.sent is False
    assert may_fail_over(raised.value) is True
    assert "0.001s deadline passed before it was sent" in raised.value.message


@pytest.mark.parametrize("fault", list(MAYBE_SENT))
def test_esms_delivery_status_is_retried_or_raises_the_transport_error(fault: str) -> None:
    sim = harnesses.esms_sim()
    with serve(sim) as base_url:
        sender = harnesses.esms_sender(base_url, timeouts=MATRIX_TIMEOUTS)
        sent = sender.send(paid(), KEY)
        assert sent.provider_message_id is not None
        sim.faults.add("status", maybe_sent_fault(fault))
        outcome = run_call(lambda: sender.delivery_status(sent.provider_message_id or ""))
    check_read(fault, outcome, requests=len(sim.requests_to("status")))
    if outcome.error is None:
        assert sent.provider_message_id == outcome.result.provider_message_id
