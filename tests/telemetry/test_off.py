"""Off unless configured: nothing of OpenTelemetry is imported, nothing recorded, and an
application's global providers turn it on by themselves."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from connectors.core import ConfigError, telemetry
from connectors.core.extras import MissingExtra

ROOT = Path(__file__).resolve().parents[2]

_CALL = """
import sys
from connectors.core import Idempotency, RequestSpec, Transport, telemetry
from connectors.delivery import Worker
from connectors.testing import SimResponse, Simulator, mount

sim = Simulator()
sim.add_route("GET", "/x", lambda _r: SimResponse.json({}), name="x")
with mount(sim, "https://v.sim.test"), Transport("v") as transport:
    transport.request(RequestSpec("GET", "https://v.sim.test/x"), operation="x",
                      idempotency=Idempotency.READ)
"""


def _run(code: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert 0 == done.returncode, done.stderr
    return done.stdout.strip()


def test_nothing_of_opentelemetry_is_imported_when_unconfigured() -> None:
    out = _run(
        _CALL
        + "print(telemetry.enabled(), sorted(m for m in sys.modules if m.startswith('opentel')))"
    )
    assert "False []" == out


def test_the_api_imported_but_no_provider_set_records_nothing() -> None:
    out = _run(
        "import opentelemetry.trace, opentelemetry.metrics\n" + _CALL + "print(telemetry.enabled())"
    )
    assert "False" == out


def test_global_providers_set_by_the_application_turn_it_on() -> None:
    out = _run(
        textwrap.dedent(
            """
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        """
        )
        + _CALL
        + "print(telemetry.enabled(), [s.name for s in exporter.get_finished_spans()])"
    )
    assert "True ['v x']" == out


def test_configure_without_opentelemetry_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("opentelemetry", "opentelemetry.trace", "opentelemetry.metrics"):
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed
    with pytest.raises(MissingExtra, match=r"vn-public-connectors\[otel\]") as raised:
        telemetry.configure()
    assert isinstance(raised.value, ConfigError)
    assert "otel" == raised.value.extra
    assert not telemetry.enabled()
