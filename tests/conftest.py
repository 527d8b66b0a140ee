"""Shared test settings: hypothesis profiles, a guard that keeps traffic on loopback, and
the PostgreSQL test server (`pg`)."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.pg import PgTarget, fresh_schema, require_postgres

settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
# CI explores more examples but the same ones every run (derandomize), so a red CI run is
# reproducible and a green one cannot turn red by luck; the default profile stays random,
# so day-to-day runs keep exploring (a counterexample found so becomes an example test).
settings.register_profile(
    "ci", parent=settings.get_profile("default"), max_examples=200, derandomize=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

_LOOPBACK_PREFIXES = ("127.", "::1", "localhost")
_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else address
    if (
        isinstance(host, str)
        and not host.startswith(_LOOPBACK_PREFIXES)
        and self.family
        in (
            socket.AF_INET,
            socket.AF_INET6,
        )
    ):
        raise AssertionError(f"test tried to reach {host!r}: tests stay on loopback")
    _real_connect(self, address)  # type: ignore[arg-type]


LIVE = os.environ.get("CONNECTORS_LIVE") == "1"
"""Set by a developer, never by CI, to run the live conformance classes against a vendor
sandbox whose credentials are in the environment; the guard is then off."""


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that opens a socket to anything but 127.0.0.1 / ::1."""
    if not LIVE:
        monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def pg() -> Iterator[PgTarget]:
    """The PostgreSQL test server and a fresh schema (see tests/pg.py); skips without one."""
    with fresh_schema(require_postgres()) as target:
        yield target
