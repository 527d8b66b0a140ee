"""The report tests read telemetry too: the same `otel` fixture as tests/telemetry."""

from tests.telemetry.conftest import otel

__all__ = ["otel"]
