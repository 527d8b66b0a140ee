"""Receive SePay transfer webhooks: verify, parse, de-duplicate, answer as SePay expects.

    receiver = SePayWebhook(hmac_secret=settings.webhook_secret)
    receipt = receiver.handle(body, headers, on_transfer=matcher.match)
    # reply receipt.answer.status / headers / body

Verification comes first and a request that fails it changes no state. A transfer id
already handled is answered with success (so SePay stops retrying) without calling the
portal again. If the portal's callback raises, the id is forgotten and SePay gets a 500,
so its next retry is processed afresh.
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
    PROVIDER,
    WIRE,
    WireProfile,
    hmac_signature,
    parse_payload,
    transfer_from_payload,
)
from connectors.core.errors import ConfigError, SignatureError, ValidationError
from connectors.core.signing import HmacSigner, constant_time_equals
from connectors.core.webhooks import MemorySeenStore, SeenStore, check_timestamp

__all__ = ["SePayWebhook", "WebhookReceipt"]

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


class SePayWebhook:
    """Verifier, parser and handler for SePay webhooks.

    Configure exactly one authentication, as chosen in SePay's webhook form:
    `hmac_secret` (recommended: signature over timestamp and body, with a freshness
    check) or `api_key` (`Authorization: Apikey <key>`). `allow_unauthenticated=True`
    accepts unsigned webhooks (testing only). `seen` de-duplicates transfer ids (namespace
    "sepay"); use a `SqliteSeenStore` on a file when several processes receive webhooks.
    """

    provider = PROVIDER

    def __init__(
        self,
        *,
        hmac_secret: str | bytes | SecretStr | None = None,
        api_key: str | SecretStr | None = None,
        allow_unauthenticated: bool = False,
        seen: SeenStore | None = None,
        profile: WireProfile = WIRE,
        clock: Callable[[], float] = time.time,
    ) -> None:
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

    def __repr__(self) -> str:
        mode = "hmac" if self._signer else "api_key" if self._api_key else "none"
        return f"SePayWebhook(auth={mode!r}, secret=***)"

    # -- verification and parsing (no state) -----------------------------------------------

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """Check the request's authentication; `SignatureError` if it fails."""
        found = _lower(headers)
        profile = self.profile
        if self._signer is not None:
            signature = found.get(profile.signature_header.lower(), "").strip()
            stamp = found.get(profile.timestamp_header.lower(), "").strip()
            if not signature:
                raise SignatureError("missing signature header", provider=PROVIDER)
            if not stamp:
                raise SignatureError("missing timestamp header", provider=PROVIDER)
            expected = hmac_signature(self._signer, body, stamp, profile)
            if not constant_time_equals(expected.lower(), signature.lower()):
                raise SignatureError("signature mismatch", provider=PROVIDER)
            check_timestamp(
                stamp, tolerance=profile.timestamp_tolerance, clock=self.clock, provider=PROVIDER
            )
        elif self._api_key is not None:
            value = found.get(profile.api_key_header.lower(), "")
            scheme, _, key = value.strip().partition(" ")
            if scheme.lower() != profile.api_key_scheme.lower() or not key.strip():
                raise SignatureError("missing or malformed API key header", provider=PROVIDER)
            if not constant_time_equals(self._api_key, key.strip()):
                raise SignatureError("API key mismatch", provider=PROVIDER)

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
        headers = (("Content-Type", "application/json"),)
        if outcome in (CallbackOutcome.ACCEPTED, CallbackOutcome.DUPLICATE):
            return HttpAnswer(self.profile.success_status, headers, self.profile.success_body)
        status = {
            CallbackOutcome.INVALID_SIGNATURE: 401,
            CallbackOutcome.ORDER_NOT_FOUND: 400,
            CallbackOutcome.AMOUNT_MISMATCH: 400,
        }.get(outcome, 500)
        body = {"success": False, "message": message or outcome.value}
        return HttpAnswer(status, headers, json.dumps(body).encode("utf-8"))

    def handle(
        self,
        body: bytes,
        headers: Mapping[str, str],
        on_transfer: Callable[[BankTransfer], object],
    ) -> WebhookReceipt:
        """Verify, parse and de-duplicate one webhook; call `on_transfer` once per transfer id.

        Never raises for a bad request: the receipt says what happened and carries the
        answer to send back.
        """
        try:
            transfer = self.parse(body, headers)
        except SignatureError as exc:
            outcome = CallbackOutcome.INVALID_SIGNATURE
            return WebhookReceipt(outcome, self.answer(outcome, "unauthorized"), error=str(exc))
        except ValidationError as exc:
            outcome = CallbackOutcome.ERROR
            answer = HttpAnswer(
                400,
                (("Content-Type", "application/json"),),
                b'{"success": false, "message": "malformed body"}',
            )
            return WebhookReceipt(outcome, answer, error=str(exc))
        if not self.seen.add_if_new(transfer.transfer_id, namespace=PROVIDER):
            outcome = CallbackOutcome.DUPLICATE
            return WebhookReceipt(outcome, self.answer(outcome), transfer)
        try:
            on_transfer(transfer)
        except Exception as exc:
            self.seen.discard(transfer.transfer_id, namespace=PROVIDER)
            _log.warning("sepay transfer %s: portal callback failed", transfer.transfer_id)
            outcome = CallbackOutcome.ERROR
            return WebhookReceipt(outcome, self.answer(outcome), transfer, error=repr(exc))
        outcome = CallbackOutcome.ACCEPTED
        return WebhookReceipt(outcome, self.answer(outcome), transfer)

    def wsgi_app(self, on_transfer: Callable[[BankTransfer], object]) -> WSGIApp:
        """A WSGI app answering SePay's POSTs with `handle` (mount it at the webhook URL)."""

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            headers = {
                key[5:].replace("_", "-"): value
                for key, value in environ.items()
                if key.startswith("HTTP_")
            }
            if environ.get("REQUEST_METHOD", "GET").upper() != "POST":
                answer = HttpAnswer(405, (("Allow", "POST"),), b"")
            else:
                answer = self.handle(body, headers, on_transfer).answer
            start_response(
                f"{answer.status} {'OK' if answer.status < 400 else 'Error'}",
                [*answer.headers, ("Content-Length", str(len(answer.body)))],
            )
            return [answer.body]

        return app
