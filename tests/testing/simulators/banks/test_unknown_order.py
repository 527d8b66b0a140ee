"""Paying an order the simulated gateway never received names the missed step."""

from __future__ import annotations

import pytest

from connectors.providers import Provider, by_domain
from connectors.testing.simulators.banks.base import UnknownOrder

GATEWAYS = [p for p in by_domain("payments") if p.name in ("vnpay", "momo", "payos")]


@pytest.mark.parametrize("entry", GATEWAYS, ids=[p.name for p in GATEWAYS])
def test_paying_an_unknown_order_says_to_create_the_payment_first(entry: Provider) -> None:
    sim = entry.make_simulator()
    with pytest.raises(UnknownOrder) as raised:
        sim.pay("HS-NEVER-CREATED")
    assert isinstance(raised.value, KeyError)  # code catching the bare KeyError still works
    assert (entry.name, "HS-NEVER-CREATED") == (raised.value.gateway, raised.value.order_ref)
    assert str(raised.value) == (
        f"{entry.name} simulator has no order 'HS-NEVER-CREATED': create the payment with "
        "the client (and open its pay URL) before sim.pay()"
    )
    assert [] == sim.ledger.entries()
