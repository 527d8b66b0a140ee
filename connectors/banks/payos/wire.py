"""payOS on the wire: the sorted-data signature, paths, statuses, profile.

Shared by the client and the simulator (specs/payments.md section 4.3). The webhook's
`signature` is HMAC-SHA256(checksumKey, `k=v` for every key of `data` sorted, joined by
`&`), values raw (not URL-encoded, UTF-8 left as is), null and empty values kept as `k=`
[V]; the text "null"/"undefined" is signed as empty and a list's objects with their keys
sorted, as payOS's official SDKs do [S]. Everything else here (paths, the create
signature, statuses, error codes, the answer to a webhook) is from payOS's SDK readmes and
integrators' code [S] or guessed [U], and lives in `WireProfile`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from connectors.banks.base import CallbackOutcome, PaymentErrorCode, PaymentStatus
from connectors.core.signing import HmacSigner

__all__ = [
    "CREATE_FIELDS",
    "DEFAULT_PROFILE",
    "ERROR_CODES",
    "MAX_ORDER_CODE",
    "NULL_TEXTS",
    "PRODUCTION_BASE_URL",
    "STATUSES",
    "WireProfile",
    "data_string",
    "field_text",
    "sign",
]

PRODUCTION_BASE_URL = "https://api-merchant.payos.vn"
"""payOS's API host [S]; payOS has no separate sandbox host (test channels)."""

MAX_ORDER_CODE = 9_007_199_254_740_991
"""orderCode is a positive integer that JavaScript holds exactly (2**53 - 1) [S]."""

CREATE_FIELDS = ("amount", "cancelUrl", "description", "orderCode", "returnUrl")
"""Fields signed in a create request, in this (alphabetical) order [S]."""


@dataclass(frozen=True)
class WireProfile:
    """payOS details that are guessed or deployment-specific, in one place.

    - paths under the base URL [S: SDKs]; `{ref}` is the orderCode or paymentLinkId;
      `checkout_url` is the pay page of a link found again by a lookup [S].
    - `max_description`: 25 characters for a bank account linked through payOS, 9 for
      others [U].
    - `webhook_answers`: status and body per outcome. payOS needs a 2xx to stop; the
      official SDK samples answer 200 and 400 for a bad signature [S]; bodies are [U].
      An unknown order is answered 200: payOS's confirm-webhook sends a test payload for
      an order the portal never made and needs a 2xx to register the URL [U]. An
      outcome missing from it is answered as `ERROR`.
    """

    create_path: str = "/v2/payment-requests"
    info_path: str = "/v2/payment-requests/{ref}"
    cancel_path: str = "/v2/payment-requests/{ref}/cancel"
    confirm_webhook_path: str = "/confirm-webhook"
    checkout_url: str = "https://pay.payos.vn/web/{link_id}"
    max_description: int = 25
    webhook_answers: Mapping[CallbackOutcome, tuple[int, bytes]] = field(
        default_factory=lambda: {
            CallbackOutcome.ACCEPTED: (200, b'{"success":true}'),
            CallbackOutcome.DUPLICATE: (200, b'{"success":true}'),
            CallbackOutcome.ORDER_NOT_FOUND: (200, b'{"success":false,"error":"order"}'),
            CallbackOutcome.AMOUNT_MISMATCH: (400, b'{"success":false,"error":"amount"}'),
            CallbackOutcome.INVALID_SIGNATURE: (400, b'{"success":false,"error":"signature"}'),
            CallbackOutcome.MALFORMED: (400, b'{"success":false,"error":"data"}'),
            CallbackOutcome.ERROR: (500, b'{"success":false,"error":"retry"}'),
        }
    )


DEFAULT_PROFILE = WireProfile()


NULL_TEXTS = frozenset({"null", "undefined"})
"""Text values payOS's SDKs sign as the empty string, like a null [S]."""


def field_text(value: object) -> str:
    """One value as payOS writes it into the signed string [V/S].

    As the official SDKs do (payOSHQ/payos-lib-node `convertObjToQueryStr`,
    payOSHQ/payos-lib-python `convert_object_to_query_string`): null, and the text "null"
    or "undefined", become the empty string; booleans "true"/"false"; a list becomes
    compact JSON with the keys of each object in it sorted; other values their text.
    """
    if value is None or (isinstance(value, str) and value in NULL_TEXTS):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        items = [dict(sorted(item.items())) if isinstance(item, dict) else item for item in value]
        return json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def data_string(data: Mapping[str, object], keys: tuple[str, ...] | None = None) -> str:
    """`k=v` for `keys` (default: every key, sorted) joined by `&`, raw values."""
    chosen = sorted(data) if keys is None else keys
    return "&".join(f"{k}={field_text(data.get(k))}" for k in chosen)


def sign(checksum_key: str | SecretStr, text: str) -> str:
    """HMAC-SHA256 of `text` (UTF-8) with the checksum key, lowercase hex."""
    return HmacSigner(checksum_key, "sha256").sign(text)


STATUSES: Mapping[str, PaymentStatus] = {
    "PENDING": PaymentStatus.PENDING,
    "PROCESSING": PaymentStatus.PENDING,
    "UNDERPAID": PaymentStatus.PENDING,
    "PAID": PaymentStatus.PAID,
    "CANCELLED": PaymentStatus.CANCELLED,
    "EXPIRED": PaymentStatus.EXPIRED,
    "FAILED": PaymentStatus.FAILED,
}
"""Payment-link `status` -> common status [S]."""

ERROR_CODES: Mapping[str, PaymentErrorCode] = {
    "20": PaymentErrorCode.BAD_REQUEST,
    "101": PaymentErrorCode.NOT_FOUND,
    "201": PaymentErrorCode.BAD_SIGNATURE,
    "214": PaymentErrorCode.BAD_REQUEST,
    "231": PaymentErrorCode.DUPLICATE,
    "401": PaymentErrorCode.AUTH,
}
"""API `code` other than "00" -> common code [U: recalled from integrators' code]."""
