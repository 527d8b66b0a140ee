"""The fee-collection domain: the `FeeGateway` protocol, its shared models and vocabularies.

Every gateway (VNPay, MoMo, payOS...) implements `FeeGateway`. Money is always whole VND as
`int` (never float, never x100: the vendor's scaling lives in its `wire.py`); every datetime is
aware and expressed in GMT+7 (`connectors.vn.time.VN_TZ`). Statuses map onto one common
`PaymentStatus`; the raw vendor code is always kept beside it (`vendor_code`).

Models are frozen dataclasses that validate on construction and raise
`connectors.core.errors.ValidationError` naming the field, before anything is sent.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from connectors.banks.codes import PAYMENT_ERRORS, PaymentErrorCode
from connectors.core.deprecation import warn_deprecated
from connectors.core.errors import ConnectorError, ProviderError, SignatureError, ValidationError
from connectors.core.inbound import HttpAnswer, InboundRequest
from connectors.vn.text import strip_diacritics
from connectors.vn.time import VN_TZ, to_vn

__all__ = [
    "ASCII_SAFE_CHARS",
    "CallbackOutcome",
    "CallbackRequest",
    "Capability",
    "FeeGateway",
    "HttpAnswer",
    "Payer",
    "PaymentErrorCode",
    "PaymentIntent",
    "PaymentNotification",
    "PaymentRequest",
    "PaymentStatus",
    "PaymentStatusReport",
    "Refund",
    "RefundRequest",
    "RefundStatus",
    "StaleCallback",
    "UnsupportedOperation",
    "Vendor",
    "ascii_safe",
    "check_amount",
]

ASCII_SAFE_CHARS = "A-Za-z0-9 ._:,/-"
"""The characters every gateway accepts in a description (spec 1.3 recommendation)."""

_UNSAFE = re.compile(f"[^{ASCII_SAFE_CHARS}]+")
_SPACES = re.compile(r"\s+")
_REF = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,49}\Z")


def ascii_safe(text: str, *, max_length: int = 255, field_name: str = "description") -> str:
    """`text` without diacritics, restricted to `ASCII_SAFE_CHARS`, spaces collapsed.

    "Nộp lệ phí hồ sơ #HS-1" -> "Nop le phi ho so HS-1"; other accented letters lose their
    accents too ("Peña" -> "Pena"). Cut to `max_length` characters.
    Raises `ValidationError(field=field_name)` if nothing is left.
    """
    if not isinstance(text, str):
        raise ValidationError(f"{field_name} must be text", field=field_name)
    decomposed = unicodedata.normalize("NFKD", strip_diacritics(text))
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = _UNSAFE.sub(" ", letters)
    cleaned = _SPACES.sub(" ", cleaned).strip()[:max_length].strip()
    if not cleaned:
        raise ValidationError(f"{field_name} is empty once made ASCII-safe", field=field_name)
    return cleaned


def check_amount(amount: object, *, field_name: str = "amount") -> int:
    """`amount` if it is an `int` (not bool) greater than zero; else `ValidationError`."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError(
            f"{field_name} must be whole VND as int, got {type(amount).__name__}",
            field=field_name,
        )
    if amount <= 0:
        raise ValidationError(f"{field_name} must be greater than zero", field=field_name)
    return amount


def _check_url(value: object, field_name: str) -> str:
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise ValidationError(f"{field_name} must be an http(s) URL", field=field_name)
    if any(ch.isspace() for ch in value) or len(value) > 255:
        raise ValidationError(f"{field_name} has spaces or is too long", field=field_name)
    return value


def _aware(value: datetime, field_name: str) -> datetime:
    if type(value) is datetime and value.tzinfo is VN_TZ:
        return value  # already GMT+7: `to_vn` would return it unchanged
    try:
        return to_vn(value)
    except ValidationError:
        raise ValidationError(f"{field_name} must be an aware datetime", field=field_name) from None


class PaymentStatus(enum.StrEnum):
    """Where a payment stands, in one vocabulary for every gateway."""

    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    REFUNDED = "refunded"
    PARTIALLY_REFUNDED = "partially_refunded"
    REVERSED = "reversed"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """Whether the status will not change without a new action (refund...)."""
        return self not in (PaymentStatus.PENDING, PaymentStatus.UNKNOWN)


class RefundStatus(enum.StrEnum):
    """Where a refund stands."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class Capability(enum.StrEnum):
    """What a gateway can do; declared in `FeeGateway.capabilities`, never guessed."""

    REDIRECT = "redirect"
    QR = "qr"
    QUERY = "query"
    REFUND = "refund"
    PARTIAL_REFUND = "partial_refund"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Vendor:
    """What the domain knows of a gateway, declared once in its `wire.py` (``VENDOR``).

    `name` is its registry name ("vnpay"), `title` its name in messages ("VNPay");
    `capabilities` the optional operations it offers; `order_ref` what it takes as an order
    reference to query or cancel; `secret_fields` the message fields that carry a secret or
    a checksum (masked in logs).
    """

    name: str
    title: str
    capabilities: frozenset[Capability]
    order_ref: re.Pattern[str] = _REF
    secret_fields: tuple[str, ...] = ()


def provider_error(code: PaymentErrorCode, message: str, **context: Any) -> ProviderError:
    """Deprecated: use `connectors.banks.codes.PAYMENT_ERRORS.error(code, message, ...)`.

    The `ProviderError` subclass for a common code (the caller raises it).
    """
    warn_deprecated(
        "connectors.banks.base.provider_error", "connectors.banks.codes.PAYMENT_ERRORS.error"
    )
    return PAYMENT_ERRORS.error(code, message, **context)


class UnsupportedOperation(ConnectorError):
    """The gateway does not offer this operation (see its `capabilities`)."""


class StaleCallback(SignatureError):
    """A correctly signed callback whose time is outside the accepted window."""

    stale = True
    """Counted as a ``stale`` callback, not a forged one (`connectors.core.telemetry`)."""


class CallbackOutcome(enum.StrEnum):
    """What became of an inbound callback; each gateway turns it into its expected answer.

    `MALFORMED`: the callback's data is unreadable or out of range (an amount that is not
    ASCII digits, a body that is not the vendor's format); nothing changed. `ERROR`: the
    portal's side failed (its lookup, its `on_payment`, the seen-store); the gateway
    should retry.
    """

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    ORDER_NOT_FOUND = "order_not_found"
    AMOUNT_MISMATCH = "amount_mismatch"
    INVALID_SIGNATURE = "invalid_signature"
    MALFORMED = "malformed"
    ERROR = "error"


CallbackRequest = InboundRequest
"""An inbound callback as the portal's web server received it (`InboundRequest`): the
method ("GET" for a VNPay IPN or return URL, "POST" for a MoMo IPN or payOS webhook), the
decoded query, the headers and the raw body exactly as received. Simulators return one
from `pay()`; `connectors.banks.ipn.IpnHandler.handle_request` takes one."""


@dataclass(frozen=True, slots=True)
class Payer:
    """Optional facts about the citizen paying; passed on where a gateway accepts them."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """A fee to collect for one dossier (hồ sơ).

    - `amount`: whole VND, int > 0.
    - `description` is made ASCII-safe on construction (`ascii_safe`); ValidationError if empty.
    - `order_ref`: the merchant order id sent to the gateway (VNPay's TxnRef, MoMo's orderId,
      payOS's orderCode). It must be unique per attempt; when None each gateway derives one
      from `dossier_code` (so a second attempt for the same dossier needs an explicit one).
    - `expires_in`: how long the payment may be completed (default 15 minutes).
    - `notify_url`: where the IPN/webhook goes, when the gateway takes it per request.
    """

    dossier_code: str
    amount: int
    description: str
    return_url: str
    notify_url: str | None = None
    payer: Payer | None = None
    expires_in: timedelta = timedelta(minutes=15)
    order_ref: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.dossier_code, str) or not _REF.match(self.dossier_code):
            raise ValidationError(
                "dossier_code must be 1-50 of A-Z a-z 0-9 . _ - (starting alphanumeric)",
                field="dossier_code",
            )
        check_amount(self.amount)
        object.__setattr__(self, "description", ascii_safe(self.description))
        _check_url(self.return_url, "return_url")
        if self.notify_url is not None:
            _check_url(self.notify_url, "notify_url")
        if not isinstance(self.expires_in, timedelta) or not (
            timedelta(minutes=1) <= self.expires_in <= timedelta(days=7)
        ):
            raise ValidationError("expires_in must be 1 minute to 7 days", field="expires_in")
        if self.order_ref is not None and not _REF.match(self.order_ref):
            raise ValidationError("order_ref must be 1-50 of A-Z a-z 0-9 . _ -", field="order_ref")


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    """A payment created at a gateway: where to send the citizen, until when.

    `redirect_url` (pay page) and/or `qr_payload` (a VietQR/EMV string to render);
    `created_at` and `expires_at` in GMT+7 (VNPay needs `created_at` again for query and
    refund: store it). `gateway_ref` is the gateway's own id for it, when it has one.
    """

    gateway: str
    order_ref: str
    dossier_code: str
    amount: int
    created_at: datetime
    expires_at: datetime
    redirect_url: str | None = None
    qr_payload: str | None = None
    gateway_ref: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        check_amount(self.amount)
        object.__setattr__(self, "created_at", _aware(self.created_at, "created_at"))
        object.__setattr__(self, "expires_at", _aware(self.expires_at, "expires_at"))
        if self.redirect_url is None and self.qr_payload is None:
            raise ValidationError(
                "an intent needs redirect_url or qr_payload", field="redirect_url"
            )


@dataclass(frozen=True, slots=True)
class PaymentNotification:
    """A verified callback (return URL, IPN or webhook), parsed.

    `amount` is whole VND as the gateway reported it (compare it to the expected amount as
    integers); `paid_at` is aware GMT+7 (None when the gateway gave no time); `vendor_code`
    is the raw code the status was mapped from. `raw` holds the received fields as received.
    `event_key` identifies the event for de-duplication (same payment, same outcome).
    """

    gateway: str
    order_ref: str
    amount: int
    status: PaymentStatus
    vendor_code: str
    gateway_txn_id: str | None = None
    paid_at: datetime | None = None
    vendor_message: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int) or self.amount < 0:
            raise ValidationError("amount must be whole VND as a non-negative int", field="amount")
        if self.paid_at is not None:
            object.__setattr__(self, "paid_at", _aware(self.paid_at, "paid_at"))

    @property
    def event_key(self) -> str:
        """`order_ref:status:gateway_txn_id`: one key per payment outcome."""
        return f"{self.order_ref}:{self.status.value}:{self.gateway_txn_id or ''}"


@dataclass(frozen=True, slots=True)
class PaymentStatusReport:
    """A payment's status as the gateway answers a query.

    `refunded_amount` is whole VND refunded so far (0 when none or unknown).
    """

    gateway: str
    order_ref: str
    status: PaymentStatus
    vendor_code: str
    amount: int | None = None
    gateway_txn_id: str | None = None
    paid_at: datetime | None = None
    refunded_amount: int = 0
    vendor_message: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.paid_at is not None:
            object.__setattr__(self, "paid_at", _aware(self.paid_at, "paid_at"))


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """A refund to make (hoàn tiền), full when `amount` equals `original_amount`.

    - `refund_ref`: the idempotency key (VNPay's RequestId, MoMo's requestId). Make it once
      per logical refund and reuse it on every retry; a retried refund with the same key is
      never paid twice.
    - `gateway_txn_id`: the gateway's transaction id of the payment (from the notification).
    - `paid_created_at`: the payment's `PaymentIntent.created_at` (VNPay needs it).
    - `reason` is made ASCII-safe; `requested_by` names the officer (VNPay's CreateBy).
    """

    order_ref: str
    amount: int
    original_amount: int
    refund_ref: str
    gateway_txn_id: str | None = None
    paid_created_at: datetime | None = None
    reason: str = "Hoan le phi"
    requested_by: str = "portal"

    def __post_init__(self) -> None:
        check_amount(self.amount)
        check_amount(self.original_amount, field_name="original_amount")
        if self.amount > self.original_amount:
            raise ValidationError("refund amount exceeds the payment amount", field="amount")
        if not isinstance(self.refund_ref, str) or not _REF.match(self.refund_ref):
            raise ValidationError(
                "refund_ref must be 1-50 of A-Z a-z 0-9 . _ -", field="refund_ref"
            )
        if not isinstance(self.order_ref, str) or not _REF.match(self.order_ref):
            raise ValidationError("order_ref must be 1-50 of A-Z a-z 0-9 . _ -", field="order_ref")
        if self.gateway_txn_id is not None and (
            not isinstance(self.gateway_txn_id, str) or not _REF.match(self.gateway_txn_id)
        ):
            raise ValidationError(
                "gateway_txn_id must be 1-50 of A-Z a-z 0-9 . _ -", field="gateway_txn_id"
            )
        object.__setattr__(self, "reason", ascii_safe(self.reason, field_name="reason"))
        object.__setattr__(
            self,
            "requested_by",
            ascii_safe(self.requested_by, max_length=50, field_name="requested_by"),
        )
        if self.paid_created_at is not None:
            object.__setattr__(
                self, "paid_created_at", _aware(self.paid_created_at, "paid_created_at")
            )

    @property
    def is_partial(self) -> bool:
        """True when less than the whole payment is refunded."""
        return self.amount < self.original_amount


@dataclass(frozen=True, slots=True)
class Refund:
    """A refund the gateway accepted (or refused: `status` FAILED with the vendor code)."""

    gateway: str
    order_ref: str
    refund_ref: str
    amount: int
    status: RefundStatus
    vendor_code: str
    gateway_refund_id: str | None = None
    vendor_message: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class FeeGateway(Protocol):
    """What every fee-collection gateway offers a portal.

    `name` is the gateway's id ("vnpay", "momo", "payos"); `capabilities` says which optional
    operations exist. Operations a gateway lacks raise `UnsupportedOperation`.
    """

    @property
    def name(self) -> str:
        """The gateway's id: "vnpay", "momo", "payos"..."""
        ...

    @property
    def capabilities(self) -> frozenset[Capability]:
        """The optional operations this gateway offers."""
        ...

    def create_payment(self, request: PaymentRequest, *, client_ip: str = ...) -> PaymentIntent:
        """Create a payment: a pay URL and/or QR payload with its expiry."""
        ...

    def parse_notification(
        self,
        *,
        method: str,
        query: Mapping[str, str],
        body: bytes,
        headers: Mapping[str, str],
    ) -> PaymentNotification:
        """Verify and parse an inbound callback; `SignatureError` (or `StaleCallback`) if not
        genuine, `ValidationError` naming the field if genuine but malformed (an amount that
        is not ASCII digits...). Changes no state."""
        ...

    def callback_answer(self, outcome: CallbackOutcome) -> HttpAnswer:
        """The exact HTTP answer this gateway expects for `outcome`."""
        ...

    def query(self, order_ref: str, *, created_at: datetime | None = None) -> PaymentStatusReport:
        """The payment's status at the gateway (a read: retried on transient faults)."""
        ...

    def refund(self, request: RefundRequest) -> Refund:
        """Refund all or part of a paid payment (a keyed write on `refund_ref`)."""
        ...

    def cancel(self, order_ref: str, *, reason: str | None = None) -> PaymentStatusReport:
        """Cancel an unpaid payment, where `Capability.CANCEL` is declared."""
        ...
