"""Each report and telemetry module's public names are importable and listed once."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "connectors.report",
    "connectors.report.chart",
    "connectors.report.daily",
    "connectors.report.events",
    "connectors.report.font",
    "connectors.report.png",
    "connectors.report.reading",
    "connectors.report.records",
    "connectors.report.render",
    "connectors.report.source",
    "connectors.core.telemetry",
    "connectors.core.telemetry.callbacks",
    "connectors.core.telemetry.calls",
    "connectors.core.telemetry.jobs",
    "connectors.core.telemetry.state",
]


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_exists_and_is_listed_once(name: str) -> None:
    module = importlib.import_module(name)
    public = list(module.__all__)
    assert sorted(set(public)) == sorted(public)
    assert [] == [n for n in public if not hasattr(module, n)]
