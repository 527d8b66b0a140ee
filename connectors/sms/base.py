"""The SMS Brandname domain: the `SmsSender` protocol and its models.

Every provider (MobiFone, Viettel, VNPT/VinaPhone, eSMS) implements `SmsSender`. A
`Message` is validated when it is built (recipient, brandname, text or template), so bad
input raises `ValidationError` naming the field before anything is sent. `send` returns a
`SendResult` for an accepted message and raises otherwise (`ValidationError`, a
`ProviderError` whose `code` is an `SmsErrorCode` value, or `OutcomeUnknown`); `send_many`
never raises for one message: every message gets a `SendResult`, accepted or not.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from connectors.core.errors import (
    ConnectorError,
    OutcomeUnknown,
    ProviderError,
    TransportError,
    ValidationError,
)
from connectors.sms.errors import SmsErrorCode, code_of, may_fail_over
from connectors.sms.templates import check_brandname
from connectors.vn.phone import InvalidPhoneNumber, VnPhone, parse_phone

__all__ = [
    "BatchProgress",
    "BatchResult",
    "DeliveryReport",
    "DeliveryStatus",
    "Message",
    "MessageInput",
    "ProgressCallback",
    "SendResult",
    "SendStatus",
    "SmsSender",
    "Vendor",
    "check_idempotency_key",
    "message_from",
]

Encoding = Literal["GSM-7", "UCS-2"]


def _recipient(value: object) -> VnPhone:
    if isinstance(value, VnPhone):
        return value
    if not isinstance(value, str):
        raise InvalidPhoneNumber(
            f"recipient must be a VnPhone or text, not {type(value).__name__}", field="recipient"
        )
    try:
        return parse_phone(value)
    except InvalidPhoneNumber as exc:
        raise InvalidPhoneNumber(f"recipient: {exc.message}", field="recipient") from None


@dataclass(frozen=True, init=False)
class Message:
    """One SMS to one citizen: plain `text`, or a registered `template_id` with `params`.

    `recipient` may be given as a `VnPhone` or as text in any usual spelling; text is
    parsed with `connectors.vn.parse_phone` and refused with `InvalidPhoneNumber`
    (field "recipient"). `brandname` defaults to the sender's. `accented` asks for text with
    diacritics (có dấu); None means the template's or brandname's choice. A message
    to an unaccented brandname or template is sent without diacritics. `idempotency_key`
    names the logical message ("HS-0001:sms"): sending it again never texts twice.
    """

    recipient: VnPhone
    text: str | None
    template_id: str | None
    params: Mapping[str, str | int]
    brandname: str | None
    accented: bool | None
    idempotency_key: str | None

    def __init__(
        self,
        recipient: VnPhone | str,
        text: str | None = None,
        *,
        template_id: str | None = None,
        params: Mapping[str, str | int] | None = None,
        brandname: str | None = None,
        accented: bool | None = None,
        idempotency_key: str | None = None,
    ) -> None:
        set_ = object.__setattr__
        set_(self, "recipient", _recipient(recipient))
        if (text is None) == (template_id is None):
            raise ValidationError("give either text or template_id, not both", field="text")
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise ValidationError("text is empty", field="text")
        if template_id is not None and (not isinstance(template_id, str) or not template_id):
            raise ValidationError("template_id must be non-empty text", field="template_id")
        if params and template_id is None:
            raise ValidationError("params need a template_id", field="params")
        if params is not None and not isinstance(params, Mapping):
            raise ValidationError("params must be a mapping", field="params")
        if brandname is not None:
            check_brandname(brandname)
        if accented is not None and not isinstance(accented, bool):
            raise ValidationError("accented must be True, False or None", field="accented")
        check_idempotency_key(idempotency_key)
        set_(self, "text", text)
        set_(self, "template_id", template_id)
        set_(self, "params", dict(params or {}))
        set_(self, "brandname", brandname)
        set_(self, "accented", accented)
        set_(self, "idempotency_key", idempotency_key)


def check_idempotency_key(key: object, field_name: str = "idempotency_key") -> None:
    """`ValidationError` unless `key` is None or 1 to 200 printable characters."""
    if key is None:
        return
    if not isinstance(key, str) or not key or len(key) > 200 or not key.isprintable():
        raise ValidationError(
            "idempotency_key must be 1 to 200 printable characters", field=field_name
        )


MessageInput = Message | Mapping[str, Any]
"""What `send_many` takes: a `Message`, or a mapping of `Message`'s keyword arguments
(validated per item, so one bad row becomes one rejected result)."""


def message_from(item: MessageInput) -> Message:
    """`item` as a `Message` (a mapping is passed to `Message(**item)`)."""
    if isinstance(item, Message):
        return item
    if isinstance(item, Mapping):
        try:
            return Message(**dict(item))
        except TypeError as exc:
            raise ValidationError(f"not a message: {exc}", field="message") from None
    raise ValidationError(f"not a message: {type(item).__name__}", field="message")


class SendStatus(enum.StrEnum):
    """What became of one message."""

    ACCEPTED = "accepted"
    """The provider accepted it (now, or earlier under the same idempotency key)."""
    REJECTED = "rejected"
    """Refused for good: bad input caught locally, or a vendor refusal of the content."""
    FAILED = "failed"
    """Not accepted because of a provider-side fault; see `retryable`."""
    UNKNOWN = "unknown"
    """It may or may not have been accepted: reconcile before sending again."""


@dataclass(frozen=True)
class SendResult:
    """The outcome of sending one message.

    `accepted` is the short answer. `code` is the common error code when not accepted;
    `retryable` says whether sending again later can help; `vendor_code` and
    `vendor_message` keep the provider's raw answer. `segments` and `encoding` are what the
    text costs (connectors.vn.sms_segments). `duplicate` is True when the provider (or the
    sender's journal) already had the message under this key: it was not sent again.
    `tried` lists providers that refused the message before `provider` (failover).
    `error` is the exception behind a result that was not accepted, and `error_field` the
    input field it names (for a `ValidationError`).
    """

    provider: str
    status: SendStatus
    idempotency_key: str | None
    recipient: VnPhone | None = None
    provider_message_id: str | None = None
    code: SmsErrorCode | None = None
    retryable: bool = False
    vendor_code: str | None = None
    vendor_message: str | None = None
    segments: int = 0
    encoding: Encoding | None = None
    text: str | None = None
    duplicate: bool = False
    tried: tuple[str, ...] = ()
    error: ConnectorError | None = field(default=None, compare=False, repr=False)
    error_field: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status is SendStatus.ACCEPTED

    @property
    def failover_ok(self) -> bool:
        """Whether another provider may be tried (never after a possible acceptance)."""
        return self.error is not None and may_fail_over(self.error)

    @classmethod
    def from_error(
        cls,
        exc: ConnectorError,
        *,
        provider: str,
        idempotency_key: str | None,
        recipient: VnPhone | None = None,
    ) -> SendResult:
        """The result for a message that raised `exc`."""
        code = code_of(exc)
        if isinstance(exc, OutcomeUnknown):
            status, retryable = SendStatus.UNKNOWN, False
        elif isinstance(exc, ValidationError):
            status, retryable = SendStatus.REJECTED, False
        elif isinstance(exc, TransportError):
            status, retryable = SendStatus.FAILED, exc.retryable
            code = SmsErrorCode.TEMPORARY
        elif isinstance(exc, ProviderError):
            retryable = exc.retryable
            status = SendStatus.FAILED if may_fail_over(exc) or retryable else SendStatus.REJECTED
        else:
            status, retryable = SendStatus.FAILED, False
        return cls(
            provider=exc.provider or provider,
            status=status,
            idempotency_key=getattr(exc, "idempotency_key", None) or idempotency_key,
            recipient=recipient,
            code=code,
            retryable=retryable,
            vendor_code=exc.vendor_code,
            vendor_message=exc.vendor_message,
            error=exc,
            error_field=getattr(exc, "field", None),
        )


@dataclass(frozen=True)
class BatchProgress:
    """Progress of a `send_many` run, given to the progress callback after each message."""

    done: int
    total: int | None
    accepted: int
    rejected: int
    failed: int
    unknown: int


ProgressCallback = Callable[[BatchProgress], None]


@dataclass(frozen=True)
class BatchResult:
    """One `SendResult` per input message, in input order."""

    results: tuple[SendResult, ...]
    elapsed: float = 0.0

    def __len__(self) -> int:
        return len(self.results)

    def with_status(self, status: SendStatus) -> list[SendResult]:
        return [r for r in self.results if r.status is status]

    @property
    def accepted(self) -> list[SendResult]:
        return self.with_status(SendStatus.ACCEPTED)

    @property
    def rejected(self) -> list[SendResult]:
        return self.with_status(SendStatus.REJECTED)

    @property
    def failed(self) -> list[SendResult]:
        return self.with_status(SendStatus.FAILED)

    @property
    def unknown(self) -> list[SendResult]:
        return self.with_status(SendStatus.UNKNOWN)

    def counts(self) -> dict[str, int]:
        """Messages per status, every status present (zeros included)."""
        counts = dict.fromkeys((s.value for s in SendStatus), 0)
        for result in self.results:
            counts[result.status.value] += 1
        return counts


class DeliveryStatus(enum.StrEnum):
    """Where a message ended up at the handset, in one vocabulary for every provider."""

    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    EXPIRED = "expired"
    REJECTED = "rejected"
    UNKNOWN = "unknown"
    """Not known yet (still queued, awaiting approval) or not reported."""


@dataclass(frozen=True)
class DeliveryReport:
    """A delivery report (DLR) normalised from a provider's callback or status query.

    `final` is False while the provider may still report a later status. `vendor_status`
    keeps the raw status; `raw` the whole report as received.
    """

    provider: str
    provider_message_id: str
    status: DeliveryStatus
    final: bool
    vendor_status: str
    recipient: VnPhone | None = None
    request_id: str | None = None
    telco: str | None = None
    received_at: datetime | None = None
    raw: Mapping[str, str] = field(default_factory=dict, compare=False)

    @property
    def dedupe_key(self) -> str:
        """What identifies this report among re-sent copies of it."""
        recipient = self.recipient.national if self.recipient else ""
        return f"{self.provider}:{self.provider_message_id}:{recipient}:{self.vendor_status}"


@dataclass(frozen=True)
class Vendor:
    """An SMS provider's facts, declared once in its `wire.py` (``VENDOR``)."""

    name: str
    """The provider's name ("mobifone", "viettel", "vnpt", "esms")."""
    title: str
    """How errors name it ("MobiFone")."""
    secret_fields: tuple[str, ...] = ()
    """Names its messages give secrets (masked in logs beside the settings' own)."""
    keyed: bool = True
    """Whether a send carries a request id the gateway de-duplicates (a resend with the
    same key then reconciles an unknown outcome)."""

    @property
    def reconcile(self) -> str:
        """What to do after an unknown outcome."""
        if self.keyed:
            return "send again with the same key to reconcile"
        return "reconcile before sending again"


@runtime_checkable
class SmsSender(Protocol):
    """What every SMS provider adapter (and the failover router) offers."""

    @property
    def name(self) -> str:
        """The provider's name ("mobifone", "viettel", "vnpt", "esms", or a router's)."""
        ...

    def send(self, message: Message, idempotency_key: str | None = None) -> SendResult:
        """Send one message; returns an accepted result or raises (see module docs).

        `idempotency_key` (else `message.idempotency_key`, else a fresh one) is reused on
        every attempt; sending the same key again never texts twice.
        """
        ...

    def send_many(
        self,
        messages: Iterable[MessageInput],
        *,
        concurrency: int = 8,
        progress: ProgressCallback | None = None,
    ) -> BatchResult:
        """Send many messages with bounded concurrency; one result per message, in order."""
        ...
