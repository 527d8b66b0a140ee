"""The "maybe sent" fault matrix the domain suites run on every write (DESIGN.md 9 and 10).

Each fault lets the simulated vendor act (record the effect in its ledger) and then spoils
the answer: a 5xx (`commit-then-500`), a body cut short (`truncated`), an answer trickled one
byte every 0.2 s (`trickle`, on a loopback socket only: in process it is an instant read
timeout, which the timeout-after-commit checks already cover), or an answer over the
operation's size limit (`oversize`). Whatever the fault, the effect exists once:

| fault | write without a key | write with the vendor's key |
|---|---|---|
| commit-then-500 | `OutcomeUnknown` (key), 1 request | retryable `ProviderError`, 1 request (*) |
| truncated | `OutcomeUnknown` (key), 1 request | resent with its key: first result, 2 requests |
| trickle | `OutcomeUnknown` (key) at the deadline, 1 request | same |
| oversize | `OutcomeUnknown` (key) from `ResponseTooLarge`, 1 request | same |

(*) the vendor's key makes a resend safe: the caller sends again with the same key.

A read under the same faults is retried or raises the transport's error (`check_read`):
a 500 is the vendor's answer (a retryable `ProviderError`, 1 request), a cut-short answer
is retried (2 requests), a trickle ends in the deadline's `ReadTimeout` and an oversize
answer in `ResponseTooLarge` (1 request each: nothing left to retry in).

A suite calls `run_call` with the write, then `check_maybe_sent` with what it saw, and
then counts the effects in the simulator's ledger (exactly one).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from connectors.core.errors import (
    ConnectionFailed,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    ReadTimeout,
    ResponseTooLarge,
)
from connectors.core.transport import DEFAULT_MAX_RESPONSE_BYTES, Timeouts
from connectors.testing.faults import CommitThenStatus, Fault, Oversize, Trickle, Truncated

__all__ = [
    "DEADLINE_MARGIN",
    "MATRIX_TIMEOUTS",
    "MAYBE_SENT_FAULTS",
    "CallOutcome",
    "check_maybe_sent",
    "check_read",
    "maybe_sent_fault",
    "run_call",
    "run_concurrently",
]

MAYBE_SENT_FAULTS = ("commit-then-500", "truncated", "trickle", "oversize")
"""The fault names, in the order of the table above."""

MATRIX_TIMEOUTS = Timeouts(connect=1.0, read=1.0, total=1.0)
"""The clients' timeouts for the matrix: a trickled answer (one byte every 0.2 s) never
trips the read timeout, so only the total deadline can end the call."""

DEADLINE_MARGIN = 2.0
"""How far past `Timeouts.total` a call against a trickling server may end (loose)."""

TRICKLE_INTERVAL = 0.2


def maybe_sent_fault(
    name: str,
    *,
    answer_limit: int = DEFAULT_MAX_RESPONSE_BYTES,
    content_type: str = "application/json",
) -> Fault:
    """The fault called `name`; `oversize` answers one byte past `answer_limit`."""
    faults: dict[str, Fault] = {
        "commit-then-500": CommitThenStatus(500),
        "truncated": Truncated(keep=10),
        "trickle": Trickle(interval=TRICKLE_INTERVAL),
        "oversize": Oversize(answer_limit + 1, content_type=content_type),
    }
    return faults[name]


@dataclass(frozen=True)
class CallOutcome:
    """What a call returned or raised, and how long it took (seconds)."""

    result: Any
    error: Exception | None
    elapsed: float


def run_call(call: Callable[[], Any]) -> CallOutcome:
    """Run `call`, keeping its result or the exception it raised."""
    began = time.monotonic()
    try:
        result = call()
    except Exception as exc:  # every outcome is checked by check_maybe_sent
        return CallOutcome(None, exc, time.monotonic() - began)
    return CallOutcome(result, None, time.monotonic() - began)


def run_concurrently(calls: Mapping[str, Callable[[], Any]]) -> dict[str, CallOutcome]:
    """Run every call at once, one thread each (e.g. every adapter against a trickle, so the
    test takes one deadline, not one per adapter); the outcomes by name."""
    with ThreadPoolExecutor(max_workers=max(1, len(calls))) as pool:
        futures = {name: pool.submit(run_call, call) for name, call in calls.items()}
        return {name: future.result() for name, future in futures.items()}


def check_maybe_sent(
    fault: str,
    outcome: CallOutcome,
    *,
    keyed: bool,
    key: str | None,
    requests: int,
    timeouts: Timeouts = MATRIX_TIMEOUTS,
    answer_limit: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> None:
    """Assert the row of the table above for `fault`: the error (or the result), what it
    carries, and how many `requests` reached the vendor. The caller counts the effects.

    `key` is the idempotency key `OutcomeUnknown` must carry; None accepts any non-empty
    key (one the client made itself, e.g. MoMo's requestId).
    """
    error = outcome.error
    if fault == "truncated" and keyed:
        assert error is None, f"a keyed write cut short was not resent: {error!r}"
        assert 2 == requests, "the keyed write was not resent exactly once with its key"
        return
    assert 1 == requests, f"{requests} requests: a write that may have happened was resent"
    if fault == "commit-then-500" and keyed:
        assert isinstance(error, ProviderError), f"expected a ProviderError, got {error!r}"
        assert error.retryable is True  # resend it with the same key
        assert error.vendor_code is None  # no vendor answer: never a failover
        assert 500 == error.http_status
        return
    assert isinstance(error, OutcomeUnknown), f"expected OutcomeUnknown, got {error!r}"
    if key is None:
        assert error.idempotency_key, "OutcomeUnknown carries no key to reconcile with"
    else:
        assert key == error.idempotency_key
    cause = error.__cause__
    if fault == "commit-then-500":
        assert isinstance(cause, ProviderUnavailable)
        assert 500 == error.http_status
    elif fault == "truncated":
        assert isinstance(cause, ConnectionFailed)
        assert cause.sent is True
    elif fault == "trickle":
        assert isinstance(cause, ReadTimeout)
        assert re.search(r"within the [0-9.]+s deadline", cause.message), cause.message
        assert outcome.elapsed < timeouts.total + DEADLINE_MARGIN
    elif fault == "oversize":
        assert isinstance(cause, ResponseTooLarge)
        assert answer_limit == cause.limit
    else:  # pragma: no cover - a name not in MAYBE_SENT_FAULTS
        raise AssertionError(f"unknown fault {fault!r}")


def check_read(
    fault: str,
    outcome: CallOutcome,
    *,
    requests: int,
    timeouts: Timeouts = MATRIX_TIMEOUTS,
    answer_limit: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> None:
    """Assert what a read does under `fault` (see the module docstring)."""
    error = outcome.error
    if fault == "truncated":
        assert error is None, f"a read cut short was not retried: {error!r}"
        assert 2 == requests
        return
    assert 1 == requests, f"{requests} requests for a read under {fault}"
    if fault == "commit-then-500":
        assert isinstance(error, ProviderError), f"expected a ProviderError, got {error!r}"
        assert (True, 500) == (error.retryable, error.http_status)
    elif fault == "trickle":
        assert isinstance(error, ReadTimeout), f"expected ReadTimeout, got {error!r}"
        assert re.search(r"within the [0-9.]+s deadline", error.message), error.message
        assert outcome.elapsed < timeouts.total + DEADLINE_MARGIN
    elif fault == "oversize":
        assert isinstance(error, ResponseTooLarge), f"expected ResponseTooLarge, got {error!r}"
        assert answer_limit == error.limit
    else:  # pragma: no cover - a name not in MAYBE_SENT_FAULTS
        raise AssertionError(f"unknown fault {fault!r}")
