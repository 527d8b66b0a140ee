"""Receive iHanoi's webhooks: verify, de-duplicate, hand each event to the portal once.

Events (modelled contract): `feedback.created`, `feedback.status_changed`,
`feedback.rated`. Each carries `X-Event-Id`, `X-Event-Type`, `X-Timestamp` (Unix seconds)
and `X-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>` (names from
the contract's `WireProfile`).

What `WebhookReceiver.handle` does, in order, changing nothing until the event passed:

1. refuse a body over the size limit (413) before reading or parsing it;
2. check the signature over the exact raw bytes, in constant time, and the timestamp
   within the tolerance (300 s by default, injectable clock) -> 401 on failure;
3. parse the signed body; the unsigned `X-Event-Id`/`X-Event-Type` headers must equal the
   id and type inside it (so a replay cannot slip past de-duplication under a new id);
4. an event id already done in the `SeenStore` (SQLite by default) answers 200 without
   calling the handler again;
5. call the portal's handler and mark the id done only once it has returned (claim after
   the effect): if it raises, the answer is 500 and the sender's retry calls it again; a
   hard kill while it runs marks nothing, so the retry after the restart calls it again.

The handler must therefore be idempotent on `event.event_id` (it may run again after a
crash that came after its commit). Deliveries of one id to one receiver are serialised.

Mount it as a WSGI app (`receiver` is one), or call `handle(headers, body)` from any
framework and copy the `WebhookAnswer` into its response.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from connectors.core.closing import Closeable
from connectors.core.deprecation import warn_deprecated
from connectors.core.errors import SignatureError, ValidationError
from connectors.core.inbound import AsyncReceiving, HttpAnswer, InboundRequest, serve_wsgi
from connectors.core.sqlite import given_or_opened
from connectors.core.webhooks import EventGate, SeenStore, SqliteSeenStore
from connectors.core.wsgi import BodyRefused
from connectors.ihanoi.base import FeedbackEvent
from connectors.ihanoi.contract import wire
from connectors.ihanoi.contract.wire import DEFAULT_PROFILE, WireProfile

__all__ = ["EventHandler", "WebhookAnswer", "WebhookReceiver", "WebhookTooLarge"]

_log = logging.getLogger("connectors.ihanoi.webhooks")

EventHandler = Callable[[FeedbackEvent], None]


class WebhookTooLarge(ValidationError):
    """The webhook body is over the receiver's size limit."""


@dataclass(frozen=True)
class WebhookAnswer:
    """What to answer the sender, and what happened.

    `outcome` is "processed", "duplicate", "rejected" (failed verification or malformed;
    nothing changed), "too_large" or "failed" (the handler raised; the sender should retry).
    """

    status: int
    outcome: str
    event: FeedbackEvent | None = None
    reason: str | None = None
    headers: Mapping[str, str] = field(
        default_factory=lambda: {"Content-Type": "application/json; charset=utf-8"}
    )

    @property
    def body(self) -> bytes:
        """A small JSON body: {"ok": ..., "outcome": ...}."""
        payload = {"ok": self.status < 300, "outcome": self.outcome}
        return json.dumps(payload).encode()


class WebhookReceiver(AsyncReceiving, Closeable):
    """Verifies iHanoi webhooks and calls `handler` for each event id until it has once
    returned (the handler must be idempotent on `event.event_id`).

    `seen` is the de-duplication store: a `SeenStore`, or a path for a `SqliteSeenStore`
    (default ":memory:", which forgets on restart: give a file in production). `clock`
    (Unix seconds) is what timestamps are checked against, `tolerance` how far apart they
    may be (default `WireProfile.webhook_tolerance`, 300 s); `max_body_bytes` defaults to
    `WireProfile.webhook_max_bytes`; `profile` is the contract's `WireProfile` (``contract=``
    is its deprecated name).
    """

    def __init__(
        self,
        secret: str | bytes | SecretStr,
        handler: EventHandler,
        *,
        seen: SeenStore | str | Path = ":memory:",
        profile: WireProfile = DEFAULT_PROFILE,
        contract: WireProfile | None = None,
        clock: Callable[[], float] = time.time,
        max_body_bytes: int | None = None,
        tolerance: float | None = None,
        namespace: str = "ihanoi",
    ) -> None:
        if contract is not None:
            warn_deprecated("WebhookReceiver(contract=...)", "WebhookReceiver(profile=...)")
            profile = contract
        self.profile = profile
        self.handler = handler
        self.seen: SeenStore
        self.seen, self._owned = given_or_opened(seen, SeenStore, SqliteSeenStore)
        self.namespace = namespace
        if max_body_bytes is not None and (
            isinstance(max_body_bytes, bool)
            or not isinstance(max_body_bytes, int)
            or max_body_bytes < 1
        ):
            raise ValueError("max_body_bytes must be a positive int")
        self.max_body_bytes = max_body_bytes or profile.webhook_max_bytes
        self._gate = EventGate(self.seen, namespace=namespace)
        self._verifier = wire.ContractVerifier(secret, profile, clock=clock)
        if tolerance is not None:
            if not tolerance > 0:
                raise ValueError("tolerance must be a positive number of seconds")
            self._verifier.tolerance = tolerance

    def __repr__(self) -> str:
        return f"WebhookReceiver(seen={self.seen!r}, secret=***)"

    @property
    def contract(self) -> WireProfile:
        """Deprecated: the contract's wire details are `profile`."""
        warn_deprecated("WebhookReceiver.contract", "WebhookReceiver.profile")
        return self.profile

    def close(self) -> None:
        """Close the SQLite store the receiver opened itself (not one it was given)."""
        if self._owned is not None:
            self._owned.close()

    # -- framework-neutral ---------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> FeedbackEvent:
        """The event in `body` if it passes every check; changes nothing.

        Raises `WebhookTooLarge`, `SignatureError` (bad or missing signature, stale
        timestamp, headers disagreeing with the signed body) or `ValidationError`
        (a signed body that is not a valid event).
        """
        if len(body) > self.max_body_bytes:
            raise WebhookTooLarge(
                f"webhook body is {len(body)} bytes; the limit is {self.max_body_bytes}",
                field="body",
            )
        c = self.profile
        lookup = {k.lower(): v for k, v in headers.items()}
        self._verifier.verify(
            bytes(body),
            signature_header=lookup.get(c.signature_header.lower()),
            timestamp=lookup.get(c.timestamp_header.lower()),
        )
        try:
            event = wire.decode_event(json.loads(body.decode("utf-8")), c)
        except (*wire.DECODE_ERRORS, UnicodeDecodeError, RecursionError) as exc:
            raise ValidationError(
                f"webhook body is not a valid event: {exc}", field="body"
            ) from None
        header_id = lookup.get(c.event_id_header.lower())
        header_type = lookup.get(c.event_type_header.lower())
        if header_id is not None and header_id != event.event_id:
            raise SignatureError("event id header differs from the signed body", provider="ihanoi")
        if header_type is not None and header_type != c.event_type_to_wire(event.type):
            raise SignatureError(
                "event type header differs from the signed body", provider="ihanoi"
            )
        return event

    def handle(self, headers: Mapping[str, str], body: bytes) -> WebhookAnswer:
        """Verify, de-duplicate and process one delivery; never raises for bad input.

        A failing handler (or seen-store) is answered 500 and nothing is marked; a
        `BaseException` from the handler that is not an `Exception` (KeyboardInterrupt,
        SystemExit) propagates, nothing marked either.
        """
        try:
            event = self.verify(headers, body)
        except WebhookTooLarge as exc:
            return WebhookAnswer(413, "too_large", reason=exc.message)
        except (SignatureError, ValidationError) as exc:
            _log.info("webhook refused: %s", exc.message)
            status = 401 if isinstance(exc, SignatureError) else 400
            return WebhookAnswer(status, "rejected", reason=exc.message)
        try:
            ran = self._gate.run(event.event_id, lambda: self.handler(event))
        except Exception as exc:
            _log.warning("webhook handler failed for %s: %s", event.event_id, type(exc).__name__)
            return WebhookAnswer(500, "failed", event=event, reason=type(exc).__name__)
        if not ran:
            return WebhookAnswer(200, "duplicate", event=event)
        return WebhookAnswer(200, "processed", event=event)

    # -- WSGI ----------------------------------------------------------------------------

    methods = frozenset({"POST"})

    def receive(self, request: InboundRequest) -> HttpAnswer:
        """`handle` for an `InboundRequest` (the shape every receiver takes)."""
        headers = {name.lower(): value for name, value in request.headers.items()}
        return _http(self.handle(headers, request.body))

    def refuse(self, refused: BodyRefused) -> HttpAnswer:
        """The answer to a body refused before reading (413, 411 or 400)."""
        outcome = "too_large" if refused.status == 413 else "rejected"
        return _http(WebhookAnswer(refused.status, outcome, reason=refused.message))

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """The receiver as a WSGI app: POST the webhook to whatever path it is mounted at.

        The body is read within `max_body_bytes` (413 unread above it; 400 for a malformed
        `Content-Length`, 411 for a missing one); anything but POST is answered 405.
        """
        return serve_wsgi(self, environ, start_response)


def _http(answer: WebhookAnswer) -> HttpAnswer:
    return HttpAnswer(answer.status, tuple(answer.headers.items()), answer.body)
