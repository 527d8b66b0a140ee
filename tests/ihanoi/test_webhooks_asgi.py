"""iHanoi webhooks under ASGI (raw and Starlette): the same answers and the same events
handed to the portal once, as under WSGI."""

from __future__ import annotations

import pytest

from tests.core.servers import DRIVERS
from tests.ihanoi.test_webhooks import Portal, make_sim, receiver, signed


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_an_event_is_processed_once_and_a_tampered_one_is_401(driver: str) -> None:
    sim = make_sim()
    feedback_id = sim.citizen_submits(title="Hồ sơ chậm", description="Chậm trả (thử)")
    event = sim.event_for(feedback_id, event_id="evt-0001")
    portal = Portal()
    app = receiver(portal)
    headers, body = signed(sim, event)
    first = DRIVERS[driver](app, "POST", "/ihanoi", headers=headers, body=body)
    again = DRIVERS[driver](app, "POST", "/ihanoi", headers=headers, body=body)
    tampered = DRIVERS[driver](app, "POST", "/ihanoi", headers=headers, body=body + b" ")
    assert (200, 200, 401) == (first.status, again.status, tampered.status)
    assert b'{"ok": true, "outcome": "processed"}' == first.body
    assert b'{"ok": true, "outcome": "duplicate"}' == again.body
    assert [event] == portal.events
