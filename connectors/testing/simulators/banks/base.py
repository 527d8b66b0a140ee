"""What every payment-gateway simulator shares: the citizen, the callback, the pay page.

A gateway simulator (`FeeGatewaySimulator`) holds the orders its vendor accepted; the
simulated citizen pays one (`pay`, the vendor's step: it returns the signed callback the
gateway sends), and `deliver_ipn` sends that callback to the portal on the vendor's retry
schedule until the portal's answer satisfies the vendor (`_acknowledged`). The simulated
pay page has one button per outcome; pressing one pays (`_finish`), delivers the callback
in the background with `auto_deliver`, and sends the browser back to the portal.

Ledger kind written here: "ipn" (one per delivery attempt: the portal's status and body).
"""

from __future__ import annotations

import html
import threading
import time
from abc import abstractmethod
from collections.abc import Callable, Mapping
from typing import ClassVar

from connectors.banks.base import CallbackRequest
from connectors.testing.simulator import SimResponse, Simulator
from connectors.testing.simulators.banks.delivery import (
    DeliveryAttempt,
    WSGIApp,
    deliver,
    in_background,
)

__all__ = ["OUTCOMES", "FeeGatewaySimulator", "checkout_page"]

OUTCOMES = ("success", "cancelled", "failed")
"""What a citizen can do on a simulated pay page."""


def checkout_page(title: str, lines: list[str], action: str, hidden: Mapping[str, str]) -> str:
    """A minimal simulated pay page: a summary and one button per outcome (POST `action`)."""
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in hidden.items()
    )
    buttons = "".join(
        f'<button type="submit" name="outcome" value="{o}">{o}</button>' for o in OUTCOMES
    )
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (
        f"<!doctype html><meta charset=utf-8><title>{html.escape(title)} (simulated)</title>"
        f"<h1>{html.escape(title)}</h1>{body}"
        f'<form method="post" action="{html.escape(action)}">{fields}{buttons}</form>'
    )


class FeeGatewaySimulator(Simulator):
    """Base of the gateway simulators (see the module docstring).

    `ipn_url`: where callbacks go by default (a URL, or a WSGI app called in process);
    `ipn_attempts` tries `ipn_interval` seconds apart (through `sleep`; the class's
    `ipn_schedule` by default), each waiting `ipn_timeout` for the portal; `clock` (Unix
    seconds) dates payments; `auto_deliver` sends the callback in the background once the
    pay page's button is pressed.
    """

    title: ClassVar[str] = "gateway"
    """The gateway's name on its pay page."""
    ipn_schedule: ClassVar[tuple[int, float]] = (3, 60.0)
    """How many times, and how many seconds apart, the gateway sends a callback."""

    def __init__(
        self,
        *,
        ipn_url: str | WSGIApp | None = None,
        ipn_attempts: int | None = None,
        ipn_interval: float | None = None,
        ipn_timeout: float = 15.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        auto_deliver: bool = False,
    ) -> None:
        super().__init__(sleep=sleep)
        attempts, interval = self.ipn_schedule
        self.ipn_url, self.ipn_timeout = ipn_url, ipn_timeout
        self.ipn_attempts = attempts if ipn_attempts is None else ipn_attempts
        self.ipn_interval = interval if ipn_interval is None else ipn_interval
        self.clock, self.auto_deliver = clock, auto_deliver
        self._lock = threading.RLock()

    # -- the vendor's steps ----------------------------------------------------------------

    @abstractmethod
    def pay(
        self, order_ref: str, *, outcome: str = "success", amount: int | None = None
    ) -> CallbackRequest:
        """The citizen finishes at the gateway; the signed callback it then sends.

        `amount` (whole VND) overrides what the gateway reports, to test a mismatch.
        `KeyError` for an unknown order, `ValueError` if it was already completed.
        """

    @abstractmethod
    def tamper(self, callback: CallbackRequest, *, amount: int) -> CallbackRequest:
        """`callback` with another amount and the original signature (a forgery)."""

    @abstractmethod
    def _callback(self, order_ref: str) -> CallbackRequest | None:
        """The callback of a paid order (None before it is paid; `KeyError` if unknown)."""

    @abstractmethod
    def _acknowledged(self, attempt: DeliveryAttempt) -> bool:
        """Whether the portal's answer makes the gateway stop delivering."""

    def _ipn_target(self, order_ref: str) -> str | WSGIApp | None:
        """Where the order's callback goes unless told otherwise."""
        return self.ipn_url

    # -- the callback ----------------------------------------------------------------------

    def deliver_ipn(
        self, order_ref: str, *, to: str | WSGIApp | None = None
    ) -> list[DeliveryAttempt]:
        """Send the order's callback to `to` (default: its IPN URL) until the portal's
        answer satisfies the gateway, `ipn_attempts` tries at most; every attempt is in the
        ledger (kind "ipn"). `ValueError` when there is no URL or nothing was paid."""
        target = to if to is not None else self._ipn_target(order_ref)
        if target is None:
            raise ValueError(f"no IPN URL registered for {self.title} order {order_ref}")
        callback = self._callback(order_ref)
        if callback is None:
            raise ValueError(f"order {order_ref} has not been paid")

        def done(attempt: DeliveryAttempt) -> bool:
            self.ledger.record("ipn", order_ref, status=attempt.status, body=attempt.text())
            return self._acknowledged(attempt)

        return deliver(
            callback,
            target,
            done=done,
            max_attempts=self.ipn_attempts,
            interval=self.ipn_interval,
            sleep=self.sleep,
            timeout=self.ipn_timeout,
        )

    # -- the pay page ----------------------------------------------------------------------

    def checkout(
        self, order_ref: str, lines: list[str], action: str, hidden: Mapping[str, str]
    ) -> SimResponse:
        """The pay page of `order_ref`: `lines` to show, one button per outcome."""
        page = checkout_page(f"{self.title} {order_ref}", lines, action, hidden)
        return SimResponse.text(page, content_type="text/html")

    def _finish(
        self, order_ref: str, outcome: str, back: Callable[[CallbackRequest], str]
    ) -> SimResponse:
        """The citizen's button: pay (or not), deliver the callback in the background with
        `auto_deliver`, and send the browser to `back(callback)` (409 if already done)."""
        try:
            callback = self.pay(order_ref, outcome=outcome)
        except ValueError as exc:
            return SimResponse.text(str(exc), 409)
        deliverable = self._callback(order_ref) is not None
        if self.auto_deliver and deliverable and self._ipn_target(order_ref) is not None:
            in_background(lambda: self.deliver_ipn(order_ref))
        return SimResponse(302, b"", {"Location": back(callback)})
