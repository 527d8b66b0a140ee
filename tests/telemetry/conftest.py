"""The `otel` fixture: telemetry on, into the SDK's in-memory exporter and reader."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.telemetry.capture import Captured, capture


@pytest.fixture
def otel() -> Iterator[Captured]:
    with capture() as captured:
        yield captured
