"""`FeePaid`: a confirmed fee payment, the event the fee flow carries through the outbox.

The event is typed and checked when it is made, and again when a job reads it back: the
amount is whole VND as an `int`, equal to the sum of its fee lines; `paid_at` is aware,
in GMT+7. It holds *references*, not copies, of what may change before a step runs: the
citizen is named by the portal's own reference (`citizen`), and the steps look the name
and phone number up when they run (`Citizen`), so a number staff corrected after the
payment reaches a retried SMS.

    fee = FeePaid.from_notification(notification, dossier_code="HS2026000101",
                                    lines=[FeeLine("Lệ phí chứng thực", 20_000)],
                                    citizen="CD-000101")
    fees.start(tx, fee)          # a `FeeFlow` from `fee_steps`, in the payment's transaction

`to_payload`/`from_payload` turn it into the JSON the outbox stores and back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connectors.banks import PaymentNotification, PaymentStatus
from connectors.banks.base import check_amount
from connectors.core.errors import ValidationError
from connectors.vn.time import now_vn, to_vn

__all__ = ["Citizen", "FeeLine", "FeePaid"]

_CODE = re.compile(r"\A[!-9;-~]{1,64}\Z")
"""A dossier code: 1-64 printable ASCII characters, no space and no ':' (the step keys
are ``"<dossier>:<step>"``)."""
_GATEWAY = re.compile(r"\A[a-z0-9][a-z0-9_.-]{0,31}\Z")
_PAYLOAD_FIELDS = frozenset(
    {"dossier_code", "amount", "lines", "gateway", "transaction_id", "paid_at", "citizen"}
)


def _text(value: object, field: str, *, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} must be non-empty text", field=field)
    if len(value) > limit or any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationError(
            f"{field} must be at most {limit} characters, without control characters",
            field=field,
        )
    return value


def _within(field: str, exc: ValidationError) -> ValidationError:
    """`exc` as an error of `field` (a payload's part)."""
    inner = f"{field}.{exc.field}" if exc.field else field
    return ValidationError(f"{field}: {exc.message}", field=inner)


@dataclass(frozen=True)
class FeeLine:
    """One fee or charge paid (phí, lệ phí): its name as the receipt prints it, and whole
    VND (`int`, greater than zero)."""

    name: str
    amount: int

    def __post_init__(self) -> None:
        _text(self.name, "name", limit=500)
        check_amount(self.amount)


@dataclass(frozen=True)
class Citizen:
    """The payer as the portal holds them when a step runs (looked up by reference).

    `name` goes on the receipt; `phone` receives the SMS (None: the citizen gave no mobile
    number, and no SMS is sent); `citizen_id` is the 12-digit CCCD, printed on the receipt
    when given.
    """

    name: str
    phone: str | None = None
    citizen_id: str | None = None


@dataclass(frozen=True)
class FeePaid:
    """A fee paid for a dossier, confirmed by a verified gateway or bank notification.

    `dossier_code` names the dossier (the flow's subject: no space, no ':'); `amount` is
    whole VND, the sum of `lines`; `gateway` the provider's name (``"vnpay"``,
    ``"vietqr"``...) and `transaction_id` its reference for the payment; `paid_at` is aware
    and stored in GMT+7; `citizen` is the portal's reference to the payer, looked up when
    a step runs (never their phone number: it may be corrected meanwhile). Every field is
    checked on construction; a bad one raises `ValidationError` naming it.
    """

    dossier_code: str
    amount: int
    lines: tuple[FeeLine, ...]
    gateway: str
    transaction_id: str
    paid_at: datetime
    citizen: str

    def __post_init__(self) -> None:
        if not isinstance(self.dossier_code, str) or not _CODE.match(self.dossier_code):
            raise ValidationError(
                "dossier_code must be 1-64 printable ASCII characters without spaces or ':'",
                field="dossier_code",
            )
        check_amount(self.amount)
        lines = tuple(self.lines) if isinstance(self.lines, Iterable) else ()
        if not lines or not all(isinstance(line, FeeLine) for line in lines):
            raise ValidationError("lines must be one or more FeeLine", field="lines")
        total = sum(line.amount for line in lines)
        if total != self.amount:
            raise ValidationError(
                f"the fee lines add up to {total} VND, not the amount paid ({self.amount})",
                field="lines",
            )
        object.__setattr__(self, "lines", lines)
        if not isinstance(self.gateway, str) or not _GATEWAY.match(self.gateway):
            raise ValidationError(
                "gateway must be a provider name: lower-case letters, digits, '_', '.', '-'",
                field="gateway",
            )
        _text(self.transaction_id, "transaction_id", limit=100)
        _text(self.citizen, "citizen", limit=100)
        if not isinstance(self.paid_at, datetime):
            raise ValidationError("paid_at must be an aware datetime", field="paid_at")
        try:
            object.__setattr__(self, "paid_at", to_vn(self.paid_at))
        except ValidationError:
            raise ValidationError("paid_at must be an aware datetime", field="paid_at") from None

    @classmethod
    def from_notification(
        cls,
        notification: PaymentNotification,
        *,
        dossier_code: str,
        lines: Sequence[FeeLine],
        citizen: str,
        received_at: datetime | None = None,
    ) -> FeePaid:
        """The event for a verified, amount-checked gateway `notification` of a payment.

        `dossier_code`, `lines` and `citizen` come from the portal's dossier; the lines must
        add up to the amount the gateway reported. `transaction_id` is the gateway's
        transaction id (its order reference when it gave none); `paid_at` the gateway's time,
        else `received_at` (default: now). `ValidationError` (field "status") unless the
        notification says paid.
        """
        if notification.status is not PaymentStatus.PAID:
            raise ValidationError(
                f"a fee is paid only by a paid notification, not {notification.status.value}",
                field="status",
            )
        return cls(
            dossier_code=dossier_code,
            amount=notification.amount,
            lines=tuple(lines),
            gateway=notification.gateway,
            transaction_id=notification.gateway_txn_id or notification.order_ref,
            paid_at=notification.paid_at or received_at or now_vn(),
            citizen=citizen,
        )

    def to_payload(self) -> dict[str, Any]:
        """The event as JSON-ready values (what the outbox stores); see `from_payload`."""
        return {
            "dossier_code": self.dossier_code,
            "amount": self.amount,
            "lines": [{"name": line.name, "amount": line.amount} for line in self.lines],
            "gateway": self.gateway,
            "transaction_id": self.transaction_id,
            "paid_at": self.paid_at.isoformat(),
            "citizen": self.citizen,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> FeePaid:
        """The event `to_payload` stored, checked again; `ValidationError` naming the field
        for a missing, unknown or invalid one."""
        if not isinstance(payload, Mapping):
            raise ValidationError("a FeePaid payload must be a JSON object", field="payload")
        missing = sorted(_PAYLOAD_FIELDS - set(payload))
        unknown = sorted(str(name) for name in set(payload) - _PAYLOAD_FIELDS)
        if missing or unknown:
            first = (missing or unknown)[0]
            raise ValidationError(
                f"FeePaid payload: missing {missing or 'nothing'}, unknown {unknown or 'nothing'}",
                field=first,
            )
        return cls(
            dossier_code=payload["dossier_code"],
            amount=payload["amount"],
            lines=_lines(payload["lines"]),
            gateway=payload["gateway"],
            transaction_id=payload["transaction_id"],
            paid_at=_moment(payload["paid_at"]),
            citizen=payload["citizen"],
        )


def _lines(value: object) -> tuple[FeeLine, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError("lines must be a list of {name, amount}", field="lines")
    lines = []
    for index, item in enumerate(value):
        if not isinstance(item, Mapping) or set(item) != {"name", "amount"}:
            raise ValidationError(
                "a fee line is an object with a name and an amount", field=f"lines.{index}"
            )
        try:
            lines.append(FeeLine(item["name"], item["amount"]))
        except ValidationError as exc:
            raise _within(f"lines.{index}", exc) from None
    return tuple(lines)


def _moment(value: object) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationError("paid_at must be an ISO 8601 time with its offset", field="paid_at")
