"""The iHanoi and Open311 clients, built from their settings with a 2 s deadline, against
an endpoint that acts and then trickles its answer one byte every 0.2 s (loopback; the whole
answer would take well over 20 s), end every call at the deadline (issue 10, point 3).

All calls run at once, so the test takes one deadline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from connectors.core import ReadTimeout, Timeouts, load_settings
from connectors.core.deadline import DeadlineAdapter
from connectors.ihanoi.contract import IhanoiFeedback, IhanoiFeedbackSettings
from connectors.ihanoi.open311 import NewServiceRequest, Open311Feedback, Open311FeedbackSettings
from connectors.testing import Trickle, serve
from connectors.testing.conformance.maybe_sent import check_maybe_sent, run_concurrently
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from tests.ihanoi.conftest import draft, no_sleep

DEADLINE = Timeouts(connect=1.0, read=5.0, total=2.0)  # each byte comes well within `read`
HTTP = {"connect_timeout": 1.0, "read_timeout": 5.0, "deadline": 2.0}


def test_every_ihanoi_call_ends_a_trickle_at_its_deadline() -> None:
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    with serve(sim) as base:
        client = IhanoiFeedback.from_settings(
            load_settings(IhanoiFeedbackSettings, base_url=base, token=sim.token, http=HTTP)
        )
        open311 = Open311Feedback.from_settings(
            load_settings(
                Open311FeedbackSettings,
                base_url=base + "/open311/v2",
                api_key=sim.api_key,
                http=HTTP,
            )
        )
        for made in (client, open311):
            assert isinstance(made.transport.session.get_adapter(base), DeadlineAdapter)
        feedback_id = client.submit_feedback(draft("portal-before")).feedback_id
        for route in ("submit_feedback", "update_feedback", "post_request", "list_feedback"):
            sim.faults.add(route, Trickle(interval=0.2))
        report = NewServiceRequest(
            service_code="TTHC-PHI", description="Thu phi (thu)", lat=21.0, long=105.8
        )
        calls: dict[str, Callable[[], object]] = {
            "submit_feedback": functools.partial(client.submit_feedback, draft("portal-0002")),
            "update_feedback": functools.partial(
                client.answer, feedback_id, "Da xu ly.", agency_code="UBND-PTN",
                idempotency_key="A-1",
            ),
            "post_request": functools.partial(open311.post_request, report, idempotency_key="P-1"),
            "list_feedback": client.list_updated,
        }  # fmt: skip
        outcomes = run_concurrently(calls)
        client.close()
        open311.close()
    keys = {"submit_feedback": "portal-0002", "update_feedback": "A-1", "post_request": "P-1"}
    for route, key in keys.items():
        check_maybe_sent(
            "trickle",
            outcomes[route],
            keyed=route != "post_request",
            key=key,
            requests=len(sim.requests_to(route)) - (route == "submit_feedback"),  # - before
            timeouts=DEADLINE,
        )
    read = outcomes["list_feedback"]
    assert isinstance(read.error, ReadTimeout)
    assert "2s deadline" in read.error.message
    assert read.elapsed < DEADLINE.total + 2.0
    assert 1 == len(sim.requests_to("list_feedback"))
    assert 3 == sim.ledger.count("feedback")  # before, the submit, the post: once each
    assert 1 == sim.ledger.count("answer")
