"""send_many: bounded concurrency, a result per message, progress, the rate limit."""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator

import pytest

from connectors.core import RequestEvent, TokenBucket
from connectors.sms import BatchProgress, Message, SendResult, SendStatus, SmsErrorCode
from connectors.sms.batch import run_batch
from connectors.testing import mount, serve
from tests.sms import harnesses
from tests.sms.harnesses import MOBIFONE_URL, PARAMS


class FakeClock:
    """Monotonic seconds that only move when someone sleeps, kept in whole nanoseconds.

    Every sleep moves the clock by at least 1 ns: a float clock can absorb the tiny
    shortfall a token bucket's rounding leaves, and the bucket would wait forever.
    """

    def __init__(self) -> None:
        self.ns = 0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.ns / 1e9

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.ns += max(1, math.ceil(seconds * 1e9))


def dossier(n: int, recipient: str | None = None) -> Message:
    return Message(
        recipient or f"09123{n:05d}",
        template_id="paid",
        params={**PARAMS, "dossier": f"HS-{n:05d}"},
        idempotency_key=f"HS-{n:05d}:sms",
    )


def test_rate_limit_with_an_injected_clock() -> None:
    clock = FakeClock()
    bucket = TokenBucket(capacity=1, rate=5, clock=clock, sleep=clock.sleep)
    sim = harnesses.mobifone_sim()
    sent_at: list[float] = []

    def stamp(event: RequestEvent) -> None:
        if event.operation == "send":
            sent_at.append(clock())

    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL, rate_limit=bucket)
        sender.transport.on_request.append(stamp)
        batch = sender.send_many([dossier(n) for n in range(6)], concurrency=1)
    assert 6 == len(batch.accepted)
    assert [0.0, 0.2, 0.4, 0.6, 0.8, 1.0] == pytest.approx(sent_at)


def test_rate_limit_holds_across_threads_with_an_injected_clock() -> None:
    clock = FakeClock()
    bucket = TokenBucket(capacity=2, rate=10, clock=clock, sleep=clock.sleep)
    sim = harnesses.mobifone_sim()
    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL, rate_limit=bucket)
        batch = sender.send_many([dossier(n) for n in range(22)], concurrency=4)
    assert 22 == len(batch.accepted) == sim.ledger.count("sms")
    assert clock() >= (22 - 2) / 10 - 1e-9  # a burst of 2, then 10 per second


@pytest.mark.slow
def test_rate_limit_measured_from_the_simulator_timestamps() -> None:
    sim = harnesses.mobifone_sim()
    rate, count = 40.0, 60
    with serve(sim) as url:
        sender = harnesses.mobifone_sender(url, rate_limit=rate)
        started = time.time()  # the simulator stamps requests with time.time() too
        batch = sender.send_many([dossier(n) for n in range(count)], concurrency=8)
    assert count == len(batch.accepted)
    stamps = sorted(seen.at for seen in sim.requests_to("send"))
    assert count == len(stamps)
    # The bucket holds one second of tokens: at most rate + rate messages in any second,
    # and the last message cannot leave before (count - capacity) / rate after the batch
    # started (measured from the start, not from the first arrival, which a loaded machine
    # may delay; 2 % for the two clocks' granularity).
    assert stamps[-1] - started >= (count - rate) / rate * 0.98
    for i, start in enumerate(stamps):
        in_window = [s for s in stamps[i:] if s - start < 1.0]
        assert len(in_window) <= 2 * rate


def test_results_are_in_input_order_and_one_sms_per_dossier() -> None:
    sim = harnesses.mobifone_sim()
    progress: list[BatchProgress] = []
    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL, rate_limit=10_000)
        items = [dossier(n) for n in range(40)]
        batch = sender.send_many(items, concurrency=8, progress=progress.append)
        again = sender.send_many(items, concurrency=8)  # a replay of the same batch
    assert [m.idempotency_key for m in items] == [r.idempotency_key for r in batch.results]
    assert all(r.duplicate for r in again.results)
    assert 40 == sim.ledger.count("sms")
    texts = {e.data["recipient"]: e.data["text"] for e in sim.sent()}
    assert 40 == len(texts)
    assert (
        "Ho so HS-00007 da thanh toan 50.000 dong. Ma tra cuu bien lai: BL-77"
        == texts["0912300007"]
    )
    assert 40 == len(progress)
    assert BatchProgress(40, 40, 40, 0, 0, 0) == progress[-1]
    assert sorted(p.done for p in progress) == list(range(1, 41))


def test_every_message_is_accounted_for() -> None:
    sim = harnesses.mobifone_sim()
    sim.force(SmsErrorCode.QUOTA, times=3)

    def items() -> Iterator[object]:  # a generator: no total known
        for n in range(30):
            if n % 10 == 5:
                yield {"recipient": "0243826123", "template_id": "paid", "params": PARAMS}
            else:
                yield dossier(n)

    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL, rate_limit=10_000)
        batch = sender.send_many(items(), concurrency=1)  # type: ignore[arg-type]
    assert {"accepted": 24, "rejected": 3, "failed": 3, "unknown": 0} == batch.counts()
    failed = batch.failed
    assert {SmsErrorCode.QUOTA} == {r.code for r in failed}
    assert all(r.failover_ok and not r.retryable for r in failed)
    assert {SmsErrorCode.INVALID_NUMBER} == {r.code for r in batch.rejected}
    assert 24 == sim.ledger.count("sms")


def test_a_bug_in_a_sender_is_not_swallowed() -> None:
    def broken(_message: Message) -> SendResult:
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError, match="bug"):
        run_batch("x", broken, [dossier(1), dossier(2)], concurrency=2)


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(ValueError, match="concurrency"):
        run_batch("x", lambda m: None, [], concurrency=0)  # type: ignore[arg-type,return-value]


def test_batch_on_loopback_accounts_for_five_hundred_messages() -> None:
    sim = harnesses.mobifone_sim()
    with serve(sim) as url:
        sender = harnesses.mobifone_sender(url, rate_limit=100_000)
        items: list[object] = [dossier(n) for n in range(500)]
        items[250] = {"recipient": "12", "template_id": "paid", "params": PARAMS}
        batch = sender.send_many(items, concurrency=16)  # type: ignore[arg-type]
    assert 500 == len(batch)
    assert {"accepted": 499, "rejected": 1, "failed": 0, "unknown": 0} == batch.counts()
    assert SendStatus.REJECTED == batch.results[250].status
    assert 499 == sim.ledger.count("sms") == len({e.data["recipient"] for e in sim.sent()})


def test_inputs_are_read_lazily_with_a_bounded_number_in_flight() -> None:
    """Memory stays flat: never more than 2 x concurrency messages taken but unfinished."""
    sim = harnesses.mobifone_sim()
    finished = 0
    worst = 0
    lock = threading.Lock()

    def on_progress(progress: BatchProgress) -> None:
        nonlocal finished
        with lock:
            finished = progress.done

    def items() -> Iterator[Message]:
        nonlocal worst
        for n in range(300):
            with lock:
                worst = max(worst, n - finished)
            yield dossier(n)

    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL, rate_limit=100_000)
        batch = sender.send_many(items(), concurrency=4, progress=on_progress)
    assert 300 == len(batch.accepted)
    assert 1 <= worst <= 2 * 4


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("CONNECTORS_SMS_BIG_BATCH"),
    reason="10,000 messages on loopback take about 30 s; set CONNECTORS_SMS_BIG_BATCH=1",
)
def test_ten_thousand_messages_on_loopback_are_all_accounted_for() -> None:
    sim = harnesses.mobifone_sim()
    sim.force(SmsErrorCode.TEMPORARY, times=10)
    rate = 400.0

    def items() -> Iterator[object]:
        for n in range(10_000):
            if n % 1000 == 999:
                yield {"recipient": "0243826123", "template_id": "paid", "params": PARAMS}
            else:
                yield Message(
                    f"09{12000000 + n:08d}",
                    template_id="paid",
                    params={**PARAMS, "dossier": f"HS-{n:05d}"},
                    idempotency_key=f"HS-{n:05d}:sms",
                )

    with serve(sim) as url:
        sender = harnesses.mobifone_sender(url, rate_limit=rate)
        batch = sender.send_many(items(), concurrency=16)  # type: ignore[arg-type]
    assert 10_000 == len(batch)
    assert {"accepted": 9980, "rejected": 10, "failed": 10, "unknown": 0} == batch.counts()
    assert all(r.retryable for r in batch.failed)
    assert 9980 == sim.ledger.count("sms")
    stamps = sorted(seen.at for seen in sim.requests_to("send"))
    assert stamps[-1] - stamps[0] >= (len(stamps) - rate) / rate * 0.95


def test_a_failing_progress_callback_stops_the_batch_and_is_raised() -> None:
    sim = harnesses.mobifone_sim()

    def explode(progress: BatchProgress) -> None:
        raise KeyError("progress bar broke")

    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL, rate_limit=100_000)
        items = (dossier(n) for n in range(50))
        with pytest.raises(KeyError, match="progress bar broke"):
            sender.send_many(items, concurrency=1, progress=explode)
    assert sim.ledger.count("sms") <= 3  # it stopped soon after the first message
