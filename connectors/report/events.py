"""What the report reads from outbox jobs: the one place that knows the jobs' payloads.

The fee path enqueues one flow per confirmed payment (`connectors.delivery.Flow`, named
``fee``): the job payload is ``{"subject": <dossier>, "event": {...}, "results": {...}}``,
and the event is the typed `FeePaid` event's payload:

| key | meaning |
|---|---|
| ``dossier`` | the dossier code (else the flow's subject) |
| ``amount`` | whole VND |
| ``gateway`` | the channel that confirmed the payment (vnpay, momo, payos, vietqr...) |
| ``paid_at`` | ISO 8601 with its offset (+07:00); else when the portal recorded the payment |
| ``commune`` | optional: the commune, when several share one outbox |

Earlier events (the demo's before `FeePaid`) carry ``fee`` beside ``amount`` and no
``paid_at``: both are read. Only these keys are read; the citizen's reference, name or
phone number never leave the payload.

Job kinds are ``<flow>_<step>``: the fee flow's first step (``fee_receipt``) is enqueued
with the payment and completes when the receipt is issued; any ``*_sms`` job is one SMS to
a citizen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "PAYMENT_KIND",
    "FeeFacts",
    "commune_of",
    "fee_facts",
    "is_receipt",
    "is_sms",
]

PAYMENT_KIND = "fee_receipt"
"""The job enqueued with each confirmed payment; done when its receipt is issued."""

_RECEIPT_SUFFIX = "_receipt"
_SMS_SUFFIX = "_sms"


def is_receipt(kind: str) -> bool:
    """Whether a job of `kind` issues a receipt (biên lai)."""
    return kind.endswith(_RECEIPT_SUFFIX)


def is_sms(kind: str) -> bool:
    """Whether a job of `kind` sends one SMS to a citizen."""
    return kind.endswith(_SMS_SUFFIX)


@dataclass(frozen=True)
class FeeFacts:
    """The few facts of a fee event the report counts (no personal data)."""

    dossier: str
    gateway: str
    amount: int | None
    paid_at: float
    """Unix seconds."""
    commune: str | None


def _paid_at(value: object, fallback: float) -> float:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return fallback
        if moment.tzinfo is not None:
            return moment.timestamp()
    return fallback


def _amount(event: Mapping[str, Any]) -> int | None:
    for key in ("amount", "fee"):
        value = event.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            return int(value)
    return None


def commune_of(payload: Mapping[str, Any]) -> str | None:
    """The commune a job's payload names (its event's ``commune``), if any."""
    event = payload.get("event")
    found = event.get("commune") if isinstance(event, Mapping) else None
    found = found if found is not None else payload.get("commune")
    return None if found is None else str(found)


def fee_facts(payload: Mapping[str, Any], created_at: float) -> FeeFacts:
    """The fee facts of a flow job's `payload`; `created_at` (Unix seconds) stands for the
    payment time when the event has none (the portal records the payment and enqueues the
    flow in one transaction)."""
    event = payload.get("event")
    if not isinstance(event, Mapping):
        event = {}
    dossier = event.get("dossier", payload.get("subject", ""))
    commune = commune_of(payload)
    return FeeFacts(
        dossier=str(dossier),
        gateway=str(event.get("gateway") or "unknown"),
        amount=_amount(event),
        paid_at=_paid_at(event.get("paid_at"), created_at),
        commune=commune,
    )
