"""What every provider client shares: compose, journal, rate limit, batch.

A provider client subclasses `SmsClient` and implements `_submit` (put one composed
message on the wire, return the provider's acceptance or raise). `send` does the rest in
this order: idempotency key chosen -> text composed and checked (`ValidationError` before
anything is sent) -> journal consulted under a per-key lock (a key already accepted is
answered from it) -> rate-limit token taken -> `_submit` -> journal written.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from pydantic import SecretStr

from connectors.core.errors import ValidationError
from connectors.core.ratelimit import TokenBucket
from connectors.core.redaction import Redactor
from connectors.core.retry import RetryPolicy
from connectors.core.transport import Timeouts, Transport
from connectors.sms.base import (
    BatchResult,
    Message,
    MessageInput,
    ProgressCallback,
    SendResult,
    SendStatus,
    check_idempotency_key,
)
from connectors.sms.batch import run_batch
from connectors.sms.compose import Composed, TextLimits, compose
from connectors.sms.journal import KeyLocks, MemoryJournal, SentJournal
from connectors.sms.templates import TemplateRegistry

__all__ = ["Accepted", "SmsClient", "client_transport", "rate_limiter"]


@dataclass(frozen=True)
class Accepted:
    """What a provider answered when it took a message."""

    provider_message_id: str | None = None
    vendor_code: str | None = None
    vendor_message: str | None = None
    duplicate: bool = False


def rate_limiter(rate_limit: TokenBucket | float | None, default: float) -> TokenBucket:
    """A token bucket for `rate_limit` messages per second (None: the provider default).

    The bucket holds one second's worth of tokens, so a burst never exceeds the rate.
    """
    if isinstance(rate_limit, TokenBucket):
        return rate_limit
    rate = default if rate_limit is None else float(rate_limit)
    if not rate > 0:
        raise ValueError("rate_limit must be a positive number of messages per second")
    return TokenBucket(capacity=max(1.0, rate), rate=rate)


def client_transport(
    provider: str,
    transport: Transport | None,
    *,
    timeouts: Timeouts | None,
    retry: RetryPolicy | None,
    fields: Sequence[str],
    values: Sequence[SecretStr | str],
) -> Transport:
    """The transport a client sends through, masking its secret `fields` and `values`.

    A caller's `transport` is used as it is (its timeouts and retry policy win) with the
    client's secrets added to its redactor, so nothing the client sends is logged in clear
    whatever transport it was given; otherwise a new one is made for `provider`.
    """
    if transport is not None:
        transport.protect(fields=fields, values=values)
        return transport
    return Transport(
        provider,
        timeouts=timeouts,
        retry=retry,
        redactor=Redactor(secret_fields=fields, secret_values=values),
    )


class SmsClient(ABC):
    """Base of the provider clients: implements `SmsSender` around `_submit`.

    `templates` holds the brandnames and templates; `brandname` is the default sender
    name; `limits` the provider's longest text; `rate_limit` a `TokenBucket` (or messages
    per second) shared by every thread using this client; `journal` remembers accepted
    keys. Thread-safe.
    """

    provider: str = "sms"

    def __init__(
        self,
        *,
        templates: TemplateRegistry,
        brandname: str | None,
        limits: TextLimits,
        rate_limit: TokenBucket | float | None,
        default_rate: float,
        journal: SentJournal | None = None,
    ) -> None:
        if brandname is not None:
            templates.brandname(brandname)  # a configured brandname, or ValidationError
        self.templates = templates
        self.brandname = brandname
        self.limits = limits
        self.rate = rate_limiter(rate_limit, default_rate)
        self.journal: SentJournal = journal if journal is not None else MemoryJournal()
        self._key_locks = KeyLocks()

    # -- what a provider implements ----------------------------------------------------

    @abstractmethod
    def _submit(self, composed: Composed, key: str) -> Accepted:
        """Send `composed` once (retries inside, by the provider's idempotency); raise on no."""

    def _new_key(self) -> str:
        """A fresh idempotency key when the caller gave none."""
        return uuid.uuid4().hex

    # -- SmsSender -----------------------------------------------------------------------

    def compose(self, message: Message) -> Composed:
        """The exact text this provider would send for `message` (nothing is sent)."""
        return compose(
            message, self.templates, default_brandname=self.brandname, limits=self.limits
        )

    def send(self, message: Message, idempotency_key: str | None = None) -> SendResult:
        """Send one message; see `connectors.sms.base.SmsSender.send`."""
        if not isinstance(message, Message):
            raise ValidationError("message must be a Message", field="message")
        check_idempotency_key(idempotency_key)
        key = idempotency_key or message.idempotency_key or self._new_key()
        composed = self.compose(message)
        with self._key_locks.hold(key):
            previous = self.journal.get(key)
            if previous is not None:
                return _repeat(previous, composed, key)
            self.rate.acquire()
            accepted = self._submit(composed, key)
            result = SendResult(
                provider=self.provider,
                status=SendStatus.ACCEPTED,
                idempotency_key=key,
                recipient=composed.recipient,
                provider_message_id=accepted.provider_message_id,
                vendor_code=accepted.vendor_code,
                vendor_message=accepted.vendor_message,
                segments=composed.segments.segments,
                encoding=composed.encoding,
                text=composed.text,
                duplicate=accepted.duplicate,
            )
            self.journal.put(key, result)
            return result

    def send_many(
        self,
        messages: Iterable[MessageInput],
        *,
        concurrency: int = 8,
        progress: ProgressCallback | None = None,
    ) -> BatchResult:
        """Send many messages; see `connectors.sms.batch.run_batch`."""
        return run_batch(
            self.provider, self.send, messages, concurrency=concurrency, progress=progress
        )


def _repeat(previous: SendResult, composed: Composed, key: str) -> SendResult:
    if previous.recipient != composed.recipient or previous.text != composed.text:
        raise ValidationError(
            f"idempotency key {key!r} was already used for a different message",
            field="idempotency_key",
        )
    return replace(previous, duplicate=True)
