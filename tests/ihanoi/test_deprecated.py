"""Issue 13: every iHanoi name that was renamed or moved still works for one release, and
warns naming its replacement."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from connectors.ihanoi import WebhookReceiver
from connectors.ihanoi.contract import (
    DEFAULT_PROFILE,
    IhanoiFeedback,
    IhanoiFeedbackSettings,
    WireProfile,
)
from connectors.ihanoi.contract import wire as contract_wire
from connectors.ihanoi.open311 import Open311Feedback, Open311FeedbackSettings
from connectors.ihanoi.open311 import wire as open311_wire
from connectors.testing import mount
from connectors.testing.simulators.ihanoi import (
    DEFAULT_DEFINITIONS,
    DEFAULT_SERVICES,
    Delivery,
    IhanoiFeedbackSimulator,
    WebhookSender,
)
from connectors.testing.simulators.ihanoi.contract import ContractRoutes
from connectors.testing.simulators.ihanoi.open311 import Open311Routes
from tests.ihanoi.conftest import BASE_URL, draft, no_sleep

RENAMED: list[tuple[str, str, Any]] = [
    ("connectors.ihanoi", "IHanoiClient", IhanoiFeedback),
    ("connectors.ihanoi", "IHanoiSettings", IhanoiFeedbackSettings),
    ("connectors.ihanoi", "Contract", WireProfile),
    ("connectors.ihanoi", "DEFAULT_CONTRACT", DEFAULT_PROFILE),
    ("connectors.ihanoi", "Open311Settings", Open311FeedbackSettings),
    ("connectors.ihanoi.client", "IHanoiClient", IhanoiFeedback),
    ("connectors.ihanoi.contract", "Contract", WireProfile),
    ("connectors.ihanoi.contract", "DEFAULT_CONTRACT", DEFAULT_PROFILE),
    ("connectors.ihanoi.contract", "IHanoiClient", IhanoiFeedback),
    ("connectors.ihanoi.contract.client", "IHanoiSettings", IhanoiFeedbackSettings),
    ("connectors.ihanoi.settings", "IHanoiSettings", IhanoiFeedbackSettings),
    ("connectors.ihanoi.settings", "Open311Settings", Open311FeedbackSettings),
    ("connectors.ihanoi.open311", "Open311Client", Open311Feedback),
    ("connectors.ihanoi.open311", "Open311Profile", open311_wire.WireProfile),
    ("connectors.ihanoi.open311", "Open311Settings", Open311FeedbackSettings),
    ("connectors.ihanoi.open311.client", "Open311Client", Open311Feedback),
    ("connectors.ihanoi.open311.wire", "Open311Profile", open311_wire.WireProfile),
    ("connectors.ihanoi.wire", "decode_feedback", contract_wire.decode_feedback),
    ("connectors.ihanoi.wire", "ContractVerifier", contract_wire.ContractVerifier),
    ("connectors.ihanoi.wire", "DECODE_ERRORS", contract_wire.DECODE_ERRORS),
    ("connectors.ihanoi.simulator", "IHanoiSimulator", IhanoiFeedbackSimulator),
    ("connectors.ihanoi.simulator", "DEFAULT_SERVICES", DEFAULT_SERVICES),
    ("connectors.ihanoi.simulator", "DEFAULT_DEFINITIONS", DEFAULT_DEFINITIONS),
    ("connectors.ihanoi.sim_contract", "ContractRoutes", ContractRoutes),
    ("connectors.ihanoi.sim_open311", "Open311Routes", Open311Routes),
    ("connectors.ihanoi.sim_webhooks", "WebhookSender", WebhookSender),
    ("connectors.ihanoi.sim_webhooks", "Delivery", Delivery),
]


@pytest.mark.parametrize(("module", "old", "new"), RENAMED, ids=[f"{m}.{o}" for m, o, _ in RENAMED])
def test_an_old_name_is_the_new_object_and_warns(module: str, old: str, new: Any) -> None:
    imported = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated; use "):
        assert new is getattr(imported, old)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        importlib.import_module("connectors.ihanoi").NoSuchThing  # noqa: B018


def test_contract_is_a_deprecated_name_for_profile_everywhere() -> None:
    real = WireProfile(feedback_path="/api/pakn")
    with pytest.warns(DeprecationWarning, match=r"IhanoiFeedback\(contract=\.\.\.\)"):
        client = IhanoiFeedback(base_url=BASE_URL, token="sim-token-not-secret", contract=real)
    with pytest.warns(DeprecationWarning, match=r"IhanoiFeedback.contract is deprecated"):
        assert real is client.contract is client.profile
    with pytest.warns(DeprecationWarning, match=r"WebhookReceiver\(contract=\.\.\.\)"):
        receiver = WebhookReceiver("s3cret", lambda _e: None, contract=real)
    with pytest.warns(DeprecationWarning, match="WebhookReceiver.contract is deprecated"):
        assert real is receiver.contract is receiver.profile
    with pytest.warns(DeprecationWarning, match=r"IhanoiFeedbackSimulator\(contract=\.\.\.\)"):
        sim = IhanoiFeedbackSimulator(contract=real, sleep=no_sleep)
    assert real is sim.profile
    with mount(sim, BASE_URL):
        client.submit_feedback(draft())
    assert ["/api/pakn"] == [r.path for r in sim.seen]


def test_an_open311_profile_given_as_profile_still_reaches_open311() -> None:
    custom = open311_wire.WireProfile(attribute_param="attributes")
    with pytest.warns(DeprecationWarning, match="open311_profile="):
        sim = IhanoiFeedbackSimulator(profile=custom)  # type: ignore[arg-type]
    assert (DEFAULT_PROFILE, custom) == (sim.profile, sim.open311_profile)
