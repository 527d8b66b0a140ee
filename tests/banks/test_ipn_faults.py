"""IPN delivery faults on loopback: a slow portal handler, a crashing one, a dead one."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from connectors.banks.base import CallbackOutcome, PaymentNotification, PaymentRequest
from connectors.banks.ipn import IpnHandler
from connectors.core.webhooks import MemorySeenStore
from connectors.testing import serve
from connectors.testing.conformance.banks import BanksHarness
from tests.banks.gateways import harness_for


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "payos"])
def test_slow_portal_is_not_called_twice(gateway: str) -> None:
    """The gateway times out on a slow handler and retries while the first call still runs:
    the retries wait for it (nothing is claimed before the portal's code returned, so none
    can be answered "done" early), the first answer after it finished is "duplicate", and
    the portal hears of the payment once."""
    with harness_for(gateway, "loopback") as h:
        intent = h.gateway.create_payment(_request(h))
        h.open_payment(intent)
        received: list[PaymentNotification] = []

        def slow(note: PaymentNotification) -> None:
            time.sleep(0.6)
            received.append(note)

        handler = IpnHandler(
            h.gateway,
            expected_amount=lambda _r: intent.amount,
            on_payment=slow,
            store=MemorySeenStore(),
        )
        h.simulator.pay(intent.order_ref)
        h.simulator.ipn_timeout = 0.2  # type: ignore[attr-defined]
        # Enough tries that a loaded machine still reaches the end of the slow call (the
        # count of timed-out tries depends on the machine; what matters is below).
        h.simulator.ipn_attempts = 40  # type: ignore[attr-defined]
        with serve(handler) as url:
            attempts = h.simulator.deliver_ipn(intent.order_ref, to=url + "/ipn")
            wait_for(lambda: received)
        duplicate = h.gateway.callback_answer(CallbackOutcome.DUPLICATE)
        waiting, last = attempts[:-1], attempts[-1]
        assert 1 <= len(waiting) < 40
        assert {"ReadTimeout"} == {a.error for a in waiting}
        assert (duplicate.status, duplicate.body) == (last.status, last.body)
        assert [intent.order_ref] == [n.order_ref for n in received]


def test_dead_portal_gets_every_retry_and_nothing_is_lost() -> None:
    with harness_for("vnpay", "loopback") as h:
        intent = h.gateway.create_payment(_request(h))
        h.open_payment(intent)
        h.simulator.pay(intent.order_ref)
        with serve(lambda _e, _s: [b""]) as url:
            pass  # the portal is down: its port refuses connections
        attempts = h.simulator.deliver_ipn(intent.order_ref, to=url + "/ipn")
        assert 10 == len(attempts)
        assert {"ConnectionError"} == {a.error for a in attempts}
        # the portal comes back: the same callback is still accepted once.
        received: list[PaymentNotification] = []
        handler = IpnHandler(
            h.gateway, expected_amount=lambda _r: intent.amount, on_payment=received.append
        )
        again = h.simulator.deliver_ipn(intent.order_ref, to=handler)
        assert ["00"] == [json.loads(a.body)["RspCode"] for a in again]
        assert 1 == len(received)


def _request(h: BanksHarness) -> PaymentRequest:
    return PaymentRequest(
        dossier_code="HS-2025-000777",
        amount=h.amount,
        description="Le phi HS-2025-000777",
        return_url="https://dvc.example.vn/pay/return",
        notify_url="https://dvc.example.vn/pay/ipn",
        order_ref=h.order_refs(),
    )
