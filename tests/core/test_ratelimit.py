"""The token bucket: refill, waiting with an injected clock, float shortfalls."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core.ratelimit import TokenBucket


class Clock:
    """Float seconds moved only by the bucket's own sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if len(self.sleeps) > 10_000:
            raise AssertionError("the bucket is spinning on a shortfall it cannot close")
        self.sleeps.append(seconds)
        self.now += seconds


def test_waits_exactly_the_shortfall() -> None:
    clock = Clock()
    bucket = TokenBucket(2, 4.0, clock=clock, sleep=clock.sleep)
    assert 0.0 == bucket.acquire()
    assert 0.0 == bucket.acquire()
    assert 0.25 == pytest.approx(bucket.acquire())
    assert [0.25] == pytest.approx(clock.sleeps)


@given(st.floats(min_value=0.1, max_value=1000.0), st.integers(min_value=1, max_value=50))
def test_float_rates_never_spin(rate: float, count: int) -> None:
    clock = Clock()
    bucket = TokenBucket(1, rate, clock=clock, sleep=clock.sleep)
    for _ in range(count):
        bucket.acquire()
    # One sleep per token after the first: a spin would add many more (or never return).
    assert len(clock.sleeps) <= count
    assert clock.now - 1000.0 == pytest.approx((count - 1) / rate, rel=1e-6)


def test_try_acquire_never_waits_and_refuses_when_empty() -> None:
    clock = Clock()
    bucket = TokenBucket(1, 1.0, clock=clock, sleep=clock.sleep)
    assert bucket.try_acquire()
    assert not bucket.try_acquire()
    clock.now += 1.0
    assert bucket.try_acquire()
    assert [] == clock.sleeps


def test_bad_buckets_and_costs() -> None:
    with pytest.raises(ValueError, match="capacity"):
        TokenBucket(0, 1.0)
    bucket = TokenBucket(1, 0.0)
    with pytest.raises(ValueError, match="never refills"):
        bucket.acquire()
    with pytest.raises(ValueError, match="exceeds"):
        TokenBucket(1, 1.0).acquire(2)
