"""Each package's public names are importable and listed once."""

from __future__ import annotations

import importlib

import pytest

MODULES = [
    "connectors.ihanoi",
    "connectors.ihanoi.base",
    "connectors.ihanoi.client",
    "connectors.ihanoi.contract",
    "connectors.ihanoi.contract.client",
    "connectors.ihanoi.contract.wire",
    "connectors.ihanoi.open311",
    "connectors.ihanoi.open311.client",
    "connectors.ihanoi.open311.models",
    "connectors.ihanoi.open311.wire",
    "connectors.ihanoi.status",
    "connectors.ihanoi.sync",
    "connectors.ihanoi.webhooks",
    "connectors.testing.conformance.ihanoi",
    "connectors.testing.simulators.ihanoi",
    "connectors.testing.simulators.ihanoi.contract",
    "connectors.testing.simulators.ihanoi.ihanoi",
    "connectors.testing.simulators.ihanoi.open311",
    "connectors.testing.simulators.ihanoi.webhooks",
]


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_exists_and_is_listed_once(name: str) -> None:
    module = importlib.import_module(name)
    public = list(module.__all__)

    assert sorted(set(public)) == sorted(public)
    assert [] == [n for n in public if not hasattr(module, n)]


def test_the_packages_export_what_the_demo_needs() -> None:
    import connectors.ihanoi as ihanoi
    import connectors.ihanoi.contract as contract

    assert {"IhanoiFeedback", "IhanoiFeedbackSettings", "WireProfile"} <= set(contract.__all__)
    expected = {
        "FeedbackClient",
        "WebhookReceiver",
        "FeedbackSync",
        "SqliteSyncState",
        "FeedbackStatus",
        "NewFeedback",
        "Attachment",
    }
    assert expected <= set(ihanoi.__all__)
