"""The base of every SMS provider client: compose, journal, rate limit, batch, errors.

A provider's client subclasses `SmsClient` (on `connectors.core.client.ProviderClient`:
settings declared once, keywords + `from_settings` + `from_env`) and implements `_submit`
(put one composed message on the wire, return the provider's acceptance or raise). `send`
does the rest in this order: idempotency key chosen -> text composed and checked
(`ValidationError` before anything is sent) -> journal consulted under a per-key lock (a
key already accepted is answered from it) -> rate-limit token taken -> `_submit` -> journal
written.

For `_submit` the base reads a keyed write's answer (`_keyed_answer`: an HTTP error status
raised as its error, an unreadable answer as `OutcomeUnknown` carrying the key) and turns
the vendor's refusal into the domain's error (`_settle`, through
`connectors.sms.errors.SMS_ERRORS`; a "duplicate" refusal means the gateway already has the
message: accepted). Everything a vendor names on the wire is in its provider's `wire.py`.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

import requests
from pydantic import SecretStr

from connectors.core.client import ProviderClient
from connectors.core.config import ProviderSettings
from connectors.core.deprecation import warn_deprecated
from connectors.core.errors import OutcomeUnknown, ProviderError, ValidationError
from connectors.core.http_errors import error_for_status
from connectors.core.ratelimit import TokenBucket
from connectors.core.redaction import Redactor
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.sms.base import Message, SendResult, SendStatus, Vendor, check_idempotency_key
from connectors.sms.batch import BatchSender
from connectors.sms.compose import Composed, TextLimits, compose
from connectors.sms.errors import SMS_ERRORS, SmsErrorCode
from connectors.sms.journal import KeyLocks, MemoryJournal, SentJournal
from connectors.sms.templates import BrandnameSetting, TemplateRegistry

__all__ = [
    "Accepted",
    "SmsClient",
    "SmsProfile",
    "SmsSettings",
    "client_transport",
    "rate_limiter",
]

T = TypeVar("T")

MALFORMED = "malformed_response"
"""The `code` of an error whose answer could not be read."""

ANSWER_ERRORS = (ValueError, KeyError, TypeError)
"""What a `wire.py` reader raises on an answer it cannot read."""


@dataclass(frozen=True)
class Accepted:
    """What a provider answered when it took a message."""

    provider_message_id: str | None = None
    vendor_code: str | None = None
    vendor_message: str | None = None
    duplicate: bool = False


class SmsSettings(ProviderSettings):
    """What every SMS provider's settings hold besides its credentials: `brandname`, the
    default sender name (refused when the settings load if it is not a valid brandname)."""

    brandname: BrandnameSetting | None = None


class SmsProfile(Protocol):
    """What the base reads from every provider's `wire.WireProfile`."""

    @property
    def limits(self) -> TextLimits:
        """The provider's longest text, in GSM-7 septets and UCS-2 units."""
        ...

    @property
    def default_rate(self) -> float:
        """Messages per second when the client is given no `rate_limit`."""
        ...


S = TypeVar("S", bound=SmsSettings)
P = TypeVar("P", bound=SmsProfile)


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
    """Deprecated: `SmsClient` builds (or protects) its transport from its settings."""
    warn_deprecated(
        "connectors.sms.sender.client_transport",
        "connectors.core.config.ProviderSettings.transport",
    )
    if transport is not None:
        transport.protect(fields=fields, values=values)
        return transport
    return Transport(
        provider,
        timeouts=timeouts,
        retry=retry,
        redactor=Redactor(secret_fields=fields, secret_values=values),
    )


class SmsClient(BatchSender, ProviderClient[S], Generic[S, P], ABC):
    """Base of the provider clients: implements `SmsSender` around `_submit`.

    Construction: the settings' fields as keywords (or a settings object, `from_settings`,
    `from_env`), plus the options: `templates` (required: the brandnames and templates;
    the settings' `brandname` is the default sender name), `profile` (the provider's
    `wire.WireProfile`: limits, default rate, every guessed wire detail), `rate_limit` (a
    `TokenBucket`, or messages per second, shared by every thread using this client),
    `journal` (remembers accepted keys; in memory by default), `transport` (a caller's,
    made to mask the client's secrets too), or `timeouts`/`retry` for a transport of its
    own. Thread-safe.
    """

    vendor: ClassVar[Vendor] = Vendor("sms", "the SMS provider")
    """The provider's facts (its `wire.VENDOR`); `name` and `secret_wire_fields` follow it."""
    default_profile: ClassVar[Any] = None
    """The provider's `wire.DEFAULT_PROFILE`."""

    def __init__(
        self,
        settings: S | None = None,
        /,
        *,
        templates: TemplateRegistry,
        profile: P | None = None,
        rate_limit: TokenBucket | float | None = None,
        journal: SentJournal | None = None,
        transport: Transport | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        **fields: Any,
    ) -> None:
        if transport is None and (timeouts is not None or retry is not None):
            transport = Transport(self.name, timeouts=timeouts, retry=retry)
        super().__init__(settings, transport=transport, **fields)
        if not isinstance(templates, TemplateRegistry):
            raise ValidationError("templates must be a TemplateRegistry", field="templates")
        self.profile: P = self.default_profile if profile is None else profile
        self.brandname: str | None = self.settings.brandname
        if self.brandname is not None:
            templates.brandname(self.brandname)  # a configured brandname, or ValidationError
        self.templates = templates
        self.limits: TextLimits = self.profile.limits
        self.rate = rate_limiter(rate_limit, self.profile.default_rate)
        self.journal: SentJournal = journal if journal is not None else MemoryJournal()
        self._key_locks = KeyLocks()

    @classmethod
    def from_settings(
        cls, settings: S, templates: TemplateRegistry | None = None, /, **options: Any
    ) -> Self:
        """A client from a settings object; `templates` may come second (or as an option)."""
        if templates is not None:
            options["templates"] = templates
        return cls(settings, **options)

    @property
    def provider(self) -> str:
        """Deprecated: the provider's name is `name`."""
        warn_deprecated(f"{type(self).__name__}.provider", f"{type(self).__name__}.name")
        return self.name

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
                provider=self.name,
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

    # -- for the provider's steps --------------------------------------------------------

    def _refused(
        self, code: SmsErrorCode, message: str, operation: str, **context: Any
    ) -> ProviderError:
        """The domain's error for a vendor answer mapped to `code` (`SMS_ERRORS`)."""
        return SMS_ERRORS.error(code, message, provider=self.name, operation=operation, **context)

    def _settle(
        self, code: SmsErrorCode, answer: Accepted, operation: str, **context: Any
    ) -> Accepted:
        """A vendor's refusal `code` of a keyed send: ``duplicate`` means the gateway
        already has the message under this key (accepted, `duplicate=True`); any other
        code is raised as the domain's error, the raw answer kept."""
        if code is SmsErrorCode.DUPLICATE:
            return replace(answer, duplicate=True)
        text = " ".join(t for t in (answer.vendor_code, answer.vendor_message) if t)
        raise self._refused(
            code,
            f"{self.vendor.title} refused the message: {text}".strip(),
            operation,
            vendor_code=answer.vendor_code or None,
            vendor_message=answer.vendor_message,
            **context,
        )

    def _keyed_answer(
        self, spec: RequestSpec, key: str, operation: str, read: Callable[[bytes], T]
    ) -> T:
        """Send `spec`, a write the gateway de-duplicates by `key` (retried with it), and
        `read` its answer (the provider's `wire.py`): an HTTP error status is raised as its
        error, an answer `read` cannot read as `OutcomeUnknown` carrying `key`."""
        response = self.transport.request(
            spec, operation=operation, idempotency=Idempotency.KEYED_WRITE, idempotency_key=key
        )
        if response.status_code >= 400:
            raise self._http_error(response, operation)
        return self._read(response, key, operation, read)

    def _read(
        self, response: requests.Response, key: str, operation: str, read: Callable[[bytes], T]
    ) -> T:
        """`read(response.content)`, or `OutcomeUnknown` (with `key`) if it cannot."""
        try:
            return read(response.content)
        except ANSWER_ERRORS:
            raise OutcomeUnknown(
                f"{self.vendor.title} answered {operation} with an unreadable body; "
                + self.vendor.reconcile,
                idempotency_key=key,
                provider=self.name,
                operation=operation,
                http_status=response.status_code,
                body_excerpt=self.transport.redactor.excerpt(response.content),
            ) from None

    def _malformed(self, response: requests.Response, operation: str) -> ProviderError:
        """The error of an answer to a read (nothing written) that cannot be read."""
        return ProviderError(
            f"{self.vendor.title} answered {operation} with an unreadable body",
            code=MALFORMED,
            provider=self.name,
            operation=operation,
            http_status=response.status_code,
            body_excerpt=self.transport.redactor.excerpt(
                response.content, response.headers.get("Content-Type")
            ),
        )

    def _http_error(self, response: requests.Response, operation: str) -> ProviderError:
        """The error an HTTP error status stands for (`error_for_status`)."""
        return error_for_status(
            response, provider=self.name, operation=operation, redactor=self.transport.redactor
        )


def _repeat(previous: SendResult, composed: Composed, key: str) -> SendResult:
    if previous.recipient != composed.recipient or previous.text != composed.text:
        raise ValidationError(
            f"idempotency key {key!r} was already used for a different message",
            field="idempotency_key",
        )
    return replace(previous, duplicate=True)
