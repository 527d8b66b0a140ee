"""Faults around webhook delivery: a slow portal, a portal that crashes once, concurrent
duplicates; and the wire round trip for arbitrary transfers (hypothesis)."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from connectors.banks.base import CallbackOutcome
from connectors.banks.matching import BankTransfer, TransferDirection
from connectors.banks.sepay import SepayWebhook, WireProfile
from connectors.banks.sepay.wire import encode_json, parse_payload, payload_for
from connectors.banks.sepay.wire import transfer_from_payload as from_payload
from connectors.testing import serve
from connectors.testing.simulators.banks.sepay import SepayTransactionsSimulator
from connectors.vn.time import VN_TZ

SECRET = "fake-webhook-secret-0004"
ACCOUNT = "0123456789"


def test_slow_portal_times_out_once_and_the_transfer_is_processed_once() -> None:
    calls: list[str] = []
    release = threading.Event()

    def slow(transfer: BankTransfer) -> None:
        calls.append(transfer.transfer_id)
        if len(calls) == 1:
            release.wait(2.0)  # longer than the sender's timeout below

    receiver = SepayWebhook(hmac_secret=SECRET)
    sim = SepayTransactionsSimulator(
        hmac_secret=SECRET,
        profile=WireProfile(delivery_timeout=0.3),
        retry_delays=(0.0, 0.0),
        sleep=lambda _s: None,
    )
    sim.transfer(account=ACCOUNT, amount=50_000, content="HS2025000123")
    with serve(receiver.wsgi_app(slow)) as url:
        (delivery,) = sim.deliver(url)  # every retry waits for the first call: none says done
        release.set()
        (later,) = sim.deliver(url, transfer_id="92704")  # a later retry, portal finished
    assert [None, None, None] == [a.status for a in delivery.attempts]
    assert {"ReadTimeout"} == {a.error for a in delivery.attempts}
    assert [200] == [a.status for a in later.attempts]
    assert ["92704"] == calls


def test_portal_crashing_once_is_retried_and_processed() -> None:
    calls: list[str] = []

    def crash_once(transfer: BankTransfer) -> None:
        calls.append(transfer.transfer_id)
        if len(calls) == 1:
            raise RuntimeError("portal database restarting")

    sleeps: list[float] = []
    receiver = SepayWebhook(hmac_secret=SECRET)
    sim = SepayTransactionsSimulator(hmac_secret=SECRET, sleep=sleeps.append)
    sim.transfer(account=ACCOUNT, amount=50_000, content="HS2025000123")
    with serve(receiver.wsgi_app(crash_once)) as url:
        (delivery,) = sim.deliver(url)
    assert [500, 200] == [a.status for a in delivery.attempts]
    assert [60.0] == sleeps
    assert ["92704", "92704"] == calls
    assert receiver.seen.seen("92704", namespace="sepay")


def test_concurrent_duplicates_call_the_portal_once() -> None:
    calls: list[str] = []
    lock = threading.Lock()

    def record(transfer: BankTransfer) -> None:
        time.sleep(0.01)
        with lock:
            calls.append(transfer.transfer_id)

    clock_now = time.time()
    sim = SepayTransactionsSimulator(hmac_secret=SECRET, clock=lambda: clock_now)
    request = sim.transfer(account=ACCOUNT, amount=1, content="x")
    receiver = SepayWebhook(hmac_secret=SECRET, clock=lambda: clock_now)
    outcomes: list[CallbackOutcome] = []
    barrier = threading.Barrier(8)

    def post() -> None:
        barrier.wait()
        receipt = receiver.handle(request.body, request.headers, record)
        with lock:
            outcomes.append(receipt.outcome)

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ["92704"] == calls
    assert 1 == outcomes.count(CallbackOutcome.ACCEPTED)
    assert 7 == outcomes.count(CallbackOutcome.DUPLICATE)


transfers = st.builds(
    BankTransfer,
    transfer_id=st.integers(min_value=1, max_value=10**12).map(str),
    account=st.from_regex(r"\A[0-9]{6,19}\Z"),
    amount=st.integers(min_value=1, max_value=10**12),
    content=st.text(max_size=120),
    transferred_at=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)
    ).map(lambda d: d.replace(microsecond=0, tzinfo=VN_TZ)),
    direction=st.sampled_from(list(TransferDirection)),
    reference_code=st.one_of(st.none(), st.text(min_size=1, max_size=30)),
    bank=st.one_of(st.none(), st.sampled_from(["VPBank", "Vietcombank"])),
    code=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    source=st.just("sepay"),
)


@given(transfer=transfers, accumulated=st.one_of(st.none(), st.integers(-(10**12), 10**12)))
def test_wire_round_trip(transfer: BankTransfer, accumulated: int | None) -> None:
    body = encode_json(payload_for(transfer, accumulated=accumulated))
    back = from_payload(parse_payload(body))
    assert transfer == back
    assert accumulated == back.raw["accumulated"]
    assert timedelta(hours=7) == back.transferred_at.utcoffset()
