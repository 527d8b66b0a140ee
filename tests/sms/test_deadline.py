"""Every SMS adapter, built from its settings with a 2 s deadline, against a gateway that
takes the message and trickles its answer one byte every 0.2 s (loopback; the whole answer
would take well over 20 s), ends the call at the deadline (issue 10, point 3).

All adapters run at once, so the test takes one deadline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from connectors.core import OutcomeUnknown, ReadTimeout, Timeouts
from connectors.core.deadline import DeadlineAdapter
from connectors.sms import Message
from connectors.sms.esms import EsmsSms
from connectors.sms.providers import sender_from_env
from connectors.testing import Trickle, serve
from connectors.testing.conformance.maybe_sent import check_maybe_sent, run_concurrently
from connectors.testing.simulator import Simulator
from tests.sms import harnesses as H

DEADLINE = Timeouts(connect=1.0, read=5.0, total=2.0)  # each byte comes well within `read`
HTTP = {"connect_timeout": 1.0, "read_timeout": 5.0, "deadline": 2.0}

SETTINGS: dict[str, tuple[Callable[[], Simulator], str, dict[str, Any]]] = {
    "mobifone": (
        H.mobifone_sim,
        "send",
        {"username": "portal-test", "password": "fake-password-1"},
    ),
    "viettel": (
        H.viettel_sim,
        "wsCpMt",
        {"user": "smsbrand_test", "password": "fake-password-2", "cp_code": "CP-TEST"},
    ),
    "vnpt": (
        H.vnpt_sim,
        "send_sms_list",
        {
            "agent_id": "AG-TEST",
            "api_user": "api-test",
            "api_pass": "fake-password-3",
            "username": "portal-user",
            "contract_id": "HD-1",
            "labels": {H.BRAND: H.VNPT_LABEL_ID},
        },
    ),
    "esms": (H.esms_sim, "send", {"api_key": "fake-api-key-4", "secret_key": "fake-secret-key-4"}),
}


@pytest.fixture
def served() -> Iterator[dict[str, tuple[Simulator, str]]]:
    with ExitStack() as stack:
        yield {
            name: (sim := make(), stack.enter_context(serve(sim)))
            for name, (make, _route, _values) in SETTINGS.items()
        }


def test_every_sms_adapter_ends_a_trickled_call_at_its_deadline(
    served: dict[str, tuple[Simulator, str]],
) -> None:
    calls: dict[str, Callable[[], object]] = {}
    for name, (sim, base_url) in served.items():
        _make, route, values = SETTINGS[name]
        sender = sender_from_env(
            name, H.registry(), base_url=base_url, brandname=H.BRAND, http=HTTP, **values
        )
        adapter = sender.transport.session.get_adapter(base_url)  # type: ignore[attr-defined]
        assert isinstance(adapter, DeadlineAdapter), name  # the deadline holds in an attempt
        sim.faults.add(route, Trickle(interval=0.2))
        message = Message("0912345678", template_id="paid", params=H.PARAMS)
        calls[name] = functools.partial(sender.send, message, f"HS-1:{name}")
        if isinstance(sender, EsmsSms):
            sim.faults.add("status", Trickle(interval=0.2))
            calls["esms-status"] = functools.partial(sender.delivery_status, "123456789")
    outcomes = run_concurrently(calls)
    for name, outcome in outcomes.items():
        if name == "esms-status":  # a read: the deadline's ReadTimeout, no time to retry
            assert isinstance(outcome.error, ReadTimeout), outcome.error
            assert "2s deadline" in outcome.error.message
            assert outcome.elapsed < DEADLINE.total + 2.0
            continue
        sim, _url = served[name]
        route = SETTINGS[name][1]
        check_maybe_sent(
            "trickle",
            outcome,
            keyed=name != "mobifone",
            key=f"HS-1:{name}",
            requests=len(sim.requests_to(route)),
            timeouts=DEADLINE,
        )
        assert isinstance(outcome.error, OutcomeUnknown)
        assert 1 == sim.ledger.count("sms"), name
    assert 1 == len(served["esms"][0].requests_to("status"))
