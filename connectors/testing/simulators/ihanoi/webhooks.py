"""The simulator's webhook sender: signs each event and delivers it, retrying on non-2xx.

Part of the iHanoi simulator (not used by the client side). Each attempt is signed afresh
with the current timestamp; the event id stays the same so the receiver de-duplicates.
Delivery goes only to loopback URLs (the simulator serves tests and the demo), or through
an injected `deliver` function.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from pydantic import SecretStr

from connectors.ihanoi.base import FeedbackEvent
from connectors.ihanoi.contract import wire
from connectors.ihanoi.contract.wire import WireProfile

__all__ = ["Deliver", "Delivery", "WebhookSender"]

Deliver = Callable[[str, Mapping[str, str], bytes], int]
"""(url, headers, body) -> HTTP status (0 when no answer came)."""


@dataclass(frozen=True)
class Delivery:
    """One delivery attempt."""

    event_id: str
    event_type: str
    attempt: int
    status: int
    at: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _http_deliver(url: str, headers: Mapping[str, str], body: bytes) -> int:
    try:
        response = requests.post(url, data=body, headers=dict(headers), timeout=(2.0, 10.0))
    except requests.RequestException:
        return 0
    return response.status_code


class WebhookSender:
    """Signs and delivers events to one registered URL, with retries."""

    def __init__(
        self,
        profile: WireProfile,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        backoff: Sequence[float] = (0.05, 0.2, 0.5),
        deliver: Deliver | None = None,
    ) -> None:
        self.profile = profile
        self.clock = clock
        self.sleep = sleep
        self.backoff = tuple(backoff)
        self.deliver: Deliver = deliver or _http_deliver
        self.url: str | None = None
        self._secret: SecretStr | None = None
        self.deliveries: list[Delivery] = []
        self.undelivered: list[FeedbackEvent] = []
        self._lock = threading.Lock()

    def register(self, url: str, secret: str | SecretStr) -> None:
        """Send future events to `url` (loopback only unless `deliver` was injected)."""
        host = urlsplit(url).hostname or ""
        loopback = host in ("localhost", "::1") or host.startswith("127.")
        if self.deliver is _http_deliver and not loopback:
            raise ValueError(f"the simulator only calls loopback URLs, not {host!r}")
        self.url = url
        self._secret = secret if isinstance(secret, SecretStr) else SecretStr(secret)

    def request_for(
        self, event: FeedbackEvent, *, timestamp: int | None = None
    ) -> tuple[dict[str, str], bytes]:
        """The headers and body a delivery of `event` carries (signed with `timestamp`)."""
        if self._secret is None:
            raise ValueError("no webhook registered")
        body = json.dumps(wire.encode_event(event, self.profile), ensure_ascii=False).encode()
        stamp = int(self.clock()) if timestamp is None else timestamp
        return wire.webhook_headers(event, body, self._secret, stamp, self.profile), body

    def send(self, event: FeedbackEvent) -> bool:
        """Deliver `event`, retrying after each delay of `backoff` on a non-2xx answer.

        Returns True once delivered; False (and keeps it in `undelivered`) otherwise.
        Nothing is sent when no URL is registered.
        """
        if self.url is None:
            return False
        delays = (0.0, *self.backoff)
        for attempt, delay in enumerate(delays, start=1):
            if delay:
                self.sleep(delay)
            headers, body = self.request_for(event)
            status = self.deliver(self.url, headers, body)
            with self._lock:
                self.deliveries.append(
                    Delivery(event.event_id, event.type.value, attempt, status, self.clock())
                )
            if 200 <= status < 300:
                return True
        with self._lock:
            self.undelivered.append(event)
        return False

    def redeliver(self) -> int:
        """Try the undelivered events again; returns how many got through."""
        with self._lock:
            pending, self.undelivered = self.undelivered, []
        return sum(1 for event in pending if self.send(event))
