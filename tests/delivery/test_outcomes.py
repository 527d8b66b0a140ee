"""How the worker reads a failed attempt: reached the vendor or not, permanent or not."""

from __future__ import annotations

import pytest

from connectors.core import (
    AuthError,
    ConfigError,
    ConnectionFailed,
    ConnectorError,
    ConnectTimeout,
    NotFound,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ReadTimeout,
    Rejected,
    SignatureError,
    TransportError,
    ValidationError,
)
from connectors.delivery import may_have_reached_vendor
from connectors.delivery.outcomes import describe, is_permanent

CASES: list[tuple[BaseException, bool, bool]] = [
    # error, may have reached the vendor, permanent
    (OutcomeUnknown("lost", idempotency_key="k"), True, False),
    (ReadTimeout("no answer"), True, False),
    (ConnectionFailed("reset after sending"), True, False),
    (TransportError("truncated answer", sent=True), True, False),
    (ConnectionFailed("refused", sent=False), False, False),
    (ConnectTimeout("no connection"), False, False),
    (KeyError("status"), True, False),
    (RuntimeError("bug"), True, False),
    (ProviderUnavailable("503"), False, False),
    (RateLimited("429"), False, False),
    (ProviderError("500", retryable=True), False, False),
    (Rejected("no"), False, True),
    (NotFound("missing"), False, True),
    (AuthError("bad key"), False, True),
    (ValidationError("bad phone", field="phone"), False, True),
    (SignatureError("forged"), False, True),
    (ConfigError("no url", field="base_url"), False, True),
    (ConnectorError("ours, unclassified"), False, False),
]


@pytest.mark.parametrize(("error", "reached", "permanent"), CASES, ids=lambda v: repr(v)[:40])
def test_each_error_is_read_as_documented(
    error: BaseException, reached: bool, permanent: bool
) -> None:
    assert (reached, permanent) == (may_have_reached_vendor(error), is_permanent(error))


def test_describe_names_the_type_and_stops_at_500_characters() -> None:
    assert "KeyError: 'status'" == describe(KeyError("status"))
    exact = RuntimeError("x" * (500 - len("RuntimeError: ")))
    assert 500 == len(describe(exact))
    assert not describe(exact).endswith("...")
    longer = describe(RuntimeError("y" * 1000))
    assert (500, "RuntimeError: yyy") == (len(longer), longer[:17])
    assert longer.endswith("y...")
