"""Receive SePay transfer webhooks: verify, parse, de-duplicate, answer as SePay expects.

    receiver = SepayWebhook(hmac_secret=settings.webhook_secret)
    receipt = receiver.handle(body, headers, on_transfer=matcher.match)
    # reply receipt.answer.status / headers / body

A body over `max_body_bytes` (64 KiB by default) is refused with 413, unread by the WSGI
app (`wsgi_app`) and the ASGI app (`asgi_app`). Verification comes next and a request that
fails it changes no state. A transfer id already handled is answered with success (so
SePay stops retrying) without calling the portal again. The id is marked handled only once
the portal's callback has returned (claim after the effect): if it raises, SePay gets a
500 and its next retry calls it again, and so does the retry after a crash inside it. So
`on_transfer` must be idempotent on `transfer.transfer_id` (a matcher that records each
transfer id once is).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr

from connectors.banks.base import CallbackOutcome, HttpAnswer
from connectors.banks.matching import BankTransfer
from connectors.banks.sepay.wire import (
    DEFAULT_PROFILE,
    NAME,
    WireProfile,
    hmac_signature,
    parse_payload,
    transfer_from_payload,
)
from connectors.core.deprecation import moved, warn_deprecated
from connectors.core.errors import ConfigError, SignatureError, ValidationError
from connectors.core.inbound import AsgiApp, AsyncReceiving, InboundRequest, serve_wsgi
from connectors.core.signing import HmacSigner, constant_time_equals
from connectors.core.telemetry import callback_refused
from connectors.core.webhooks import EventGate, MemorySeenStore, SeenStore, check_timestamp
from connectors.core.wsgi import DEFAULT_BODY_LIMIT, BodyRefused

__all__ = ["SepayWebhook", "WebhookReceipt"]

_log = logging.getLogger("connectors.banks.sepay")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True, slots=True)
class WebhookReceipt:
    """What became of one webhook: the outcome, the answer to send, the transfer if parsed."""

    outcome: CallbackOutcome
    answer: HttpAnswer
    transfer: BankTransfer | None = None
    error: str | None = None


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


class SepayWebhook:
    """Verifier, parser and handler for SePay webhooks.

    Configure exactly one authentication, as chosen in SePay's webhook form:
    `hmac_secret` (recommended: signature over timestamp and body, with a freshness
    check) or `api_key` (`Authorization: Apikey <key>`). `allow_unauthenticated=True`
    accepts unsigned webhooks (testing only). `seen` remembers the transfer ids handled
    (namespace "sepay"); use a `SqliteSeenStore` on a file when several processes receive
    webhooks, or to remember them across restarts. `max_body_bytes` bounds the body.
    """

    name = NAME

    def __init__(
        self,
        *,
        hmac_secret: str | bytes | SecretStr | None = None,
        api_key: str | SecretStr | None = None,
        allow_unauthenticated: bool = False,
        seen: SeenStore | None = None,
        profile: WireProfile = DEFAULT_PROFILE,
        clock: Callable[[], float] = time.time,
        max_body_bytes: int = DEFAULT_BODY_LIMIT,
    ) -> None:
        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
            raise ConfigError("max_body_bytes must be a positive int", field="max_body_bytes")
        if max_body_bytes < 1:
            raise ConfigError("max_body_bytes must be a positive int", field="max_body_bytes")
        configured = (hmac_secret is not None) + (api_key is not None)
        if configured > 1:
            raise ConfigError("configure hmac_secret or api_key, not both", field="api_key")
        if configured == 0 and not allow_unauthenticated:
            raise ConfigError(
                "SePay webhooks need hmac_secret or api_key (or allow_unauthenticated=True)",
                field="hmac_secret",
            )
        self._signer = None if hmac_secret is None else HmacSigner(hmac_secret, "sha256")
        if isinstance(api_key, SecretStr):
            api_key = api_key.get_secret_value()
        if api_key is not None and not api_key:
            raise ConfigError("the SePay API key is empty", field="api_key")
        self._api_key = api_key
        self.seen = seen if seen is not None else MemorySeenStore()
        self.profile = profile
        self.clock = clock
        self.max_body_bytes = max_body_bytes
        self._gate = EventGate(self.seen, namespace=NAME)

    @property
    def provider(self) -> str:
        """Deprecated: `name`."""
        warn_deprecated("SepayWebhook.provider", "SepayWebhook.name")
        return self.name

    def __repr__(self) -> str:
        mode = "hmac" if self._signer else "api_key" if self._api_key else "none"
        return f"SepayWebhook(auth={mode!r}, secret=***)"

    # -- verification and parsing (no state) -----------------------------------------------

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Check the request's authentication; `SignatureError` if it fails."""
        found = _lower(headers)
        profile = self.profile
        if self._signer is not None:
            signature = found.get(profile.signature_header.lower(), "").strip()
            stamp = found.get(profile.timestamp_header.lower(), "").strip()
            if not signature:
                raise SignatureError("missing signature header", provider=NAME)
            if not stamp:
                raise SignatureError("missing timestamp header", provider=NAME)
            expected = hmac_signature(self._signer, body, stamp, profile)
            if not constant_time_equals(expected.lower(), signature.lower()):
                raise SignatureError("signature mismatch", provider=NAME)
            check_timestamp(
                stamp, tolerance=profile.timestamp_tolerance, clock=self.clock, provider=NAME
            )
        elif self._api_key is not None:
            value = found.get(profile.api_key_header.lower(), "")
            scheme, _, key = value.strip().partition(" ")
            if scheme.lower() != profile.api_key_scheme.lower() or not key.strip():
                raise SignatureError("missing or malformed API key header", provider=NAME)
            if not constant_time_equals(self._api_key, key.strip()):
                raise SignatureError("API key mismatch", provider=NAME)

    def parse(self, body: bytes, headers: Mapping[str, str]) -> BankTransfer:
        """Verify, then parse the body into a `BankTransfer` (GMT+7, whole VND).

        `SignatureError` if not genuine, `ValidationError` naming the field if malformed.
        """
        self.verify(body, headers)
        return transfer_from_payload(parse_payload(body), self.profile)

    # -- handling (de-duplication and the answer) ------------------------------------------

    def answer(self, outcome: CallbackOutcome, message: str | None = None) -> HttpAnswer:
        """The HTTP answer for `outcome`: 200 `{"success": true}` when SePay should stop
        (accepted, duplicate), 401 for a failed verification, 400 for a malformed body,
        500 when the portal failed (SePay retries non-2xx)."""
        if outcome in (CallbackOutcome.ACCEPTED, CallbackOutcome.DUPLICATE):
            return HttpAnswer(self.profile.success_status, _JSON, self.profile.success_body)
        status = {
            CallbackOutcome.INVALID_SIGNATURE: 401,
            CallbackOutcome.ORDER_NOT_FOUND: 400,
            CallbackOutcome.AMOUNT_MISMATCH: 400,
            CallbackOutcome.MALFORMED: 400,
        }.get(outcome, 500)
        return _failure(status, message or outcome.value)

    def handle(
        self,
        body: bytes,
        headers: Mapping[str, str],
        on_transfer: Callable[[BankTransfer], object],
    ) -> WebhookReceipt:
        """Verify, parse and de-duplicate one webhook; call `on_transfer` until it has once
        returned for a transfer id (it must be idempotent on `transfer.transfer_id`).

        Never raises for a bad request, a failing portal callback or a failing store: the
        receipt says what happened and carries the answer to send back. Only a
        `KeyboardInterrupt` or `SystemExit` from `on_transfer` propagates (nothing marked).
        """
        if len(body) > self.max_body_bytes:
            return self._refused(
                BodyRefused(f"the body is over the {self.max_body_bytes}-byte limit", status=413)
            )
        try:
            transfer = self.parse(body, headers)
        except SignatureError as exc:
            callback_refused(self.name, exc)
            outcome = CallbackOutcome.INVALID_SIGNATURE
            return WebhookReceipt(outcome, self.answer(outcome, "unauthorized"), error=str(exc))
        except ValidationError as exc:
            outcome = CallbackOutcome.MALFORMED
            return WebhookReceipt(outcome, self.answer(outcome, "malformed body"), error=str(exc))
        try:
            ran = self._gate.run(transfer.transfer_id, lambda: on_transfer(transfer))
        except Exception as exc:
            _log.warning(
                "sepay transfer %s not handled (%s); left for the retry",
                transfer.transfer_id,
                type(exc).__name__,
            )
            outcome = CallbackOutcome.ERROR
            return WebhookReceipt(outcome, self.answer(outcome), transfer, error=repr(exc))
        outcome = CallbackOutcome.ACCEPTED if ran else CallbackOutcome.DUPLICATE
        return WebhookReceipt(outcome, self.answer(outcome), transfer)

    def _refused(self, exc: BodyRefused) -> WebhookReceipt:
        _log.warning("sepay webhook refused: %s", exc.message)
        return WebhookReceipt(
            CallbackOutcome.MALFORMED, _failure(exc.status, exc.message), error=exc.message
        )

    def refuse(self, refused: BodyRefused) -> HttpAnswer:
        """The answer to a body refused before reading (413, 411 or 400)."""
        return self._refused(refused).answer

    def wsgi_app(self, on_transfer: Callable[[BankTransfer], object]) -> WSGIApp:
        """A WSGI app answering SePay's POSTs with `handle` (mount it at the webhook URL).

        The body is read within `max_body_bytes` (413 unread above it; 400 for a malformed
        `Content-Length`, 411 for a missing one); anything but POST is answered 405.
        """
        return _SepayApp(self, on_transfer)

    def asgi_app(self, on_transfer: Callable[[BankTransfer], object]) -> AsgiApp:
        """The same app under ASGI (`connectors.core.inbound.serve_asgi`): same refusals,
        same answers; `handle` (and so `on_transfer`) runs in a worker thread, never on the
        event loop."""
        return _SepayApp(self, on_transfer).asgi


class _SepayApp(AsyncReceiving):
    """`SepayWebhook.wsgi_app`: the webhook bound to the portal's `on_transfer`."""

    methods = frozenset({"POST"})

    def __init__(
        self, webhook: SepayWebhook, on_transfer: Callable[[BankTransfer], object]
    ) -> None:
        self.webhook = webhook
        self.on_transfer = on_transfer
        self.max_body_bytes = webhook.max_body_bytes

    def receive(self, request: InboundRequest) -> HttpAnswer:
        return self.webhook.handle(request.body, request.headers, self.on_transfer).answer

    def refuse(self, refused: BodyRefused) -> HttpAnswer:
        return self.webhook.refuse(refused)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        return serve_wsgi(self, environ, start_response)


_JSON = (("Content-Type", "application/json"),)


def _failure(status: int, message: str) -> HttpAnswer:
    body = {"success": False, "message": message}
    return HttpAnswer(status, _JSON, json.dumps(body).encode("utf-8"))


__getattr__ = moved(__name__, {"SePayWebhook": "connectors.banks.sepay.webhook:SepayWebhook"})
