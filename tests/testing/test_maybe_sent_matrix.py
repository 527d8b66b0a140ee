"""The fault matrix's checker passes the table's outcomes and catches every other one."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.core import (
    ConnectionFailed,
    OutcomeUnknown,
    ProviderUnavailable,
    ReadTimeout,
    ResponseTooLarge,
)
from connectors.testing import CommitThenStatus, Oversize, Trickle, Truncated
from connectors.testing.conformance.maybe_sent import (
    MATRIX_TIMEOUTS,
    MAYBE_SENT_FAULTS,
    CallOutcome,
    check_maybe_sent,
    check_read,
    maybe_sent_fault,
    run_call,
)


def unknown(cause: Exception, key: str | None = "K", status: int | None = None) -> Exception:
    error = OutcomeUnknown("maybe", idempotency_key=key, http_status=status)
    error.__cause__ = cause
    return error


def failed(error: Exception, elapsed: float = 0.1) -> CallOutcome:
    return CallOutcome(None, error, elapsed)


TIMEOUT = ReadTimeout("no whole answer from http://127.0.0.1:1/x within the 1s deadline")
TOO_LARGE = ResponseTooLarge("too large", limit=4 * 1024 * 1024)
CUT = ConnectionFailed("answer was cut short", sent=True)
BUSY = ProviderUnavailable("HTTP 500", http_status=500)

# The table's rows: fault, keyed, outcome, requests.
GOOD: list[tuple[str, bool, CallOutcome, int]] = [
    ("commit-then-500", False, failed(unknown(BUSY, status=500)), 1),
    ("commit-then-500", True, failed(BUSY), 1),
    ("truncated", False, failed(unknown(CUT)), 1),
    ("truncated", True, CallOutcome("result", None, 0.1), 2),
    ("trickle", False, failed(unknown(TIMEOUT), elapsed=1.2), 1),
    ("trickle", True, failed(unknown(TIMEOUT), elapsed=1.2), 1),
    ("oversize", False, failed(unknown(TOO_LARGE)), 1),
    ("oversize", True, failed(unknown(TOO_LARGE)), 1),
]


@pytest.mark.parametrize(("fault", "keyed", "outcome", "requests"), GOOD)
def test_the_tables_outcomes_pass(
    fault: str, keyed: bool, outcome: CallOutcome, requests: int
) -> None:
    check_maybe_sent(fault, outcome, keyed=keyed, key="K", requests=requests)


BAD: list[tuple[str, str, bool, CallOutcome, int]] = [
    ("resent without a key", "truncated", False, CallOutcome("result", None, 0.1), 2),
    ("resent twice", "truncated", True, CallOutcome("result", None, 0.1), 3),
    ("keyed cut short not resent", "truncated", True, failed(unknown(CUT)), 1),
    ("never sent claimed", "truncated", False, failed(unknown(CUT, key="other")), 1),
    ("plain error, no key", "truncated", False, failed(CUT), 1),
    ("5xx as a success", "commit-then-500", False, CallOutcome("result", None, 0.1), 1),
    ("5xx resent", "commit-then-500", True, failed(BUSY), 2),
    ("keyed 5xx not retryable", "commit-then-500", True, failed(OutcomeUnknown("x")), 1),
    ("trickle past the margin", "trickle", False, failed(unknown(TIMEOUT), elapsed=9.0), 1),
    ("trickle, not the deadline", "trickle", True, failed(unknown(CUT)), 1),
    ("oversize read whole", "oversize", True, CallOutcome("result", None, 0.1), 1),
    ("oversize, another cause", "oversize", False, failed(unknown(TIMEOUT)), 1),
]


@pytest.mark.parametrize(
    ("fault", "keyed", "outcome", "requests"),
    [case[1:] for case in BAD],
    ids=[case[0] for case in BAD],
)
def test_any_other_outcome_fails(
    fault: str, keyed: bool, outcome: CallOutcome, requests: int
) -> None:
    with pytest.raises(AssertionError):
        check_maybe_sent(fault, outcome, keyed=keyed, key="K", requests=requests)


def test_a_client_made_key_is_accepted_only_when_present() -> None:
    check_maybe_sent("oversize", failed(unknown(TOO_LARGE, key="req-1")), keyed=True, key=None,
                     requests=1)  # fmt: skip
    with pytest.raises(AssertionError, match="no key"):
        check_maybe_sent("oversize", failed(unknown(TOO_LARGE, key=None)), keyed=True, key=None,
                         requests=1)  # fmt: skip


def test_the_faults_and_the_runner() -> None:
    expected: list[Any] = [
        CommitThenStatus(500),
        Truncated(keep=10),
        Trickle(interval=0.2),
        Oversize(1001, content_type="application/json"),
    ]
    assert expected == [maybe_sent_fault(name, answer_limit=1000) for name in MAYBE_SENT_FAULTS]
    trickle = maybe_sent_fault("trickle")
    assert isinstance(trickle, Trickle)
    assert trickle.interval < MATRIX_TIMEOUTS.read  # only the total deadline can end it

    def boom() -> None:
        raise CUT

    assert ("ok", None) == (run_call(lambda: "ok").result, run_call(lambda: "ok").error)
    assert CUT is run_call(boom).error


READS_GOOD: list[tuple[str, CallOutcome, int]] = [
    ("commit-then-500", failed(BUSY), 1),
    ("truncated", CallOutcome("result", None, 0.1), 2),
    ("trickle", failed(TIMEOUT, elapsed=1.1), 1),
    ("oversize", failed(TOO_LARGE), 1),
]
READS_BAD: list[tuple[str, CallOutcome, int]] = [
    ("commit-then-500", failed(BUSY), 2),
    ("truncated", failed(CUT), 1),
    ("truncated", CallOutcome("result", None, 0.1), 3),
    ("trickle", failed(TIMEOUT, elapsed=5.0), 1),
    ("trickle", failed(ReadTimeout("no answer in time")), 1),
    ("oversize", failed(TOO_LARGE), 3),
    ("oversize", CallOutcome("read whole", None, 0.1), 1),
]


@pytest.mark.parametrize(("fault", "outcome", "requests"), READS_GOOD)
def test_reads_that_retry_or_raise_the_transport_error_pass(
    fault: str, outcome: CallOutcome, requests: int
) -> None:
    check_read(fault, outcome, requests=requests)


@pytest.mark.parametrize(("fault", "outcome", "requests"), READS_BAD)
def test_reads_that_do_otherwise_fail(fault: str, outcome: CallOutcome, requests: int) -> None:
    with pytest.raises(AssertionError):
        check_read(fault, outcome, requests=requests)
