"""When to retry and how long to wait: the policy as data, checked value by value."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core.retry import (
    RETRYABLE_STATUSES,
    Idempotency,
    RetryBudget,
    RetryPolicy,
    parse_retry_after,
)


def test_the_retryable_statuses_are_exactly_429_and_the_gateway_faults() -> None:
    assert frozenset({429, 502, 503, 504}) == RETRYABLE_STATUSES
    assert 500 not in RETRYABLE_STATUSES  # a vendor's own error: the adapter reads it


def test_only_reads_are_not_writes() -> None:
    assert [False, True, True] == [
        Idempotency.READ.is_write,
        Idempotency.KEYED_WRITE.is_write,
        Idempotency.UNKEYED_WRITE.is_write,
    ]


class _FixedRng(random.Random):
    """uniform(a, b) returns the top of the range, so the ceiling itself is observable."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=3.0, rng=_FixedRng())
    assert [0.5, 1.0, 2.0, 3.0, 3.0] == [policy.backoff(n) for n in range(1, 6)]


@given(retry_number=st.integers(1, 40), seed=st.integers(0, 2**32))
def test_backoff_is_full_jitter_within_the_ceiling(retry_number: int, seed: int) -> None:
    policy = RetryPolicy(base_delay=0.25, max_delay=8.0, rng=random.Random(seed))
    ceiling = min(8.0, 0.25 * 2 ** (retry_number - 1))
    assert 0.0 <= policy.backoff(retry_number) <= ceiling


def test_retry_after_overrides_the_backoff_within_its_cap() -> None:
    policy = RetryPolicy(retry_after_cap=30.0, rng=_FixedRng())
    assert 12.5 == policy.backoff(1, retry_after=12.5)
    assert 30.0 == policy.backoff(1, retry_after=120.0)
    assert 0.0 == policy.backoff(3, retry_after=-5.0)
    assert 0.0 == policy.backoff(3, retry_after=0.0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": -1}, "max_attempts"),
        ({"base_delay": -0.1}, "negative"),
        ({"max_delay": -0.1}, "negative"),
        ({"retry_after_cap": -1.0}, "negative"),
    ],
)
def test_a_policy_refuses_impossible_values(options: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetryPolicy(**options)  # type: ignore[arg-type]


def test_edge_values_are_allowed() -> None:
    policy = RetryPolicy(max_attempts=1, base_delay=0.0, max_delay=0.0, retry_after_cap=0.0)
    assert 0.0 == policy.backoff(5)


def test_no_retries_tries_exactly_once() -> None:
    assert 1 == RetryPolicy.no_retries().max_attempts


def test_spending_the_budget() -> None:
    assert RetryPolicy().spend_budget() is True  # no budget: always allowed
    now = [0.0]
    budget = RetryBudget(capacity=2, rate=1.0, clock=lambda: now[0])
    policy = RetryPolicy(budget=budget)
    assert [True, True, False] == [policy.spend_budget() for _ in range(3)]
    now[0] += 1.0  # one token back per second, read from the budget's own clock
    assert [True, False] == [policy.spend_budget() for _ in range(2)]


def test_the_default_budget_allows_a_burst_of_ten_then_one_retry_per_two_seconds() -> None:
    now = [0.0]
    budget = RetryBudget(clock=lambda: now[0])
    assert 10 == sum(budget.try_acquire() for _ in range(20))
    now[0] += 1.9
    assert budget.try_acquire() is False
    now[0] += 0.1
    assert budget.try_acquire() is True
    assert budget.try_acquire() is False


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(None, None), ("", None), ("   ", None), ("7", 7.0), (" 2.5 ", 2.5), ("-3", 0.0)],
)
def test_retry_after_in_seconds(value: str | None, seconds: float | None) -> None:
    assert seconds == parse_retry_after(value)


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 12, 6, 1, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    earlier = format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert 90.0 == parse_retry_after(later, now=now.timestamp())
    assert 0.0 == parse_retry_after(earlier, now=now.timestamp())
    assert None is parse_retry_after("next tuesday", now=now.timestamp())


def test_retry_after_as_an_http_date_defaults_to_the_wall_clock() -> None:
    in_an_hour = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    wait = parse_retry_after(in_an_hour)
    assert wait is not None
    assert 3500 < wait <= 3600
