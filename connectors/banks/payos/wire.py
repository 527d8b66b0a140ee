"""payOS on the wire: every field name, the sorted-data signature, paths, statuses, codes.

The only module that speaks payOS's vocabulary, for the client (`PayosGateway`) and the
simulator alike (specs/payments.md section 4.3). The webhook's
`signature` is HMAC-SHA256(checksumKey, `k=v` for every key of `data` sorted, joined by
`&`), values raw (not URL-encoded, UTF-8 left as is), null and empty values kept as `k=`
[V]; the text "null"/"undefined" is signed as empty and a list's objects with their keys
sorted, as payOS's official SDKs do [S]. Everything else here (paths, the create
signature, statuses, error codes, the answer to a webhook) is from payOS's SDK readmes and
integrators' code [S] or guessed [U], and lives in `WireProfile`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.banks import base
from connectors.banks.base import CallbackOutcome, Capability, PaymentStatus
from connectors.banks.codes import PaymentErrorCode, Refusal
from connectors.banks.hmac_hex import hmac_hex, revealed, same
from connectors.core.errors import SignatureError, ValidationError
from connectors.vn.money import parse_amount
from connectors.vn.time import VN_TZ

if TYPE_CHECKING:  # pydantic's types module is not loaded for an annotation
    from pydantic import SecretStr

__all__ = [
    "CREATE_FIELDS",
    "DEFAULT_PROFILE",
    "ERROR_CODES",
    "MAX_ORDER_CODE",
    "NAME",
    "NULL_TEXTS",
    "ORDER_REF",
    "PRODUCTION_BASE_URL",
    "STATUSES",
    "VENDOR",
    "CreateRequest",
    "Link",
    "WireProfile",
    "answer_data",
    "auth_headers",
    "cancel_body",
    "check_create",
    "confirmed",
    "create_body",
    "created_link",
    "credentials",
    "data_string",
    "field_text",
    "from_wire_amount",
    "is_duplicate",
    "link_fields",
    "link_info",
    "notification",
    "read_answer",
    "refusal_answer",
    "report",
    "return_query",
    "sign",
    "signed_answer",
    "to_wire_amount",
    "webhook",
    "webhook_problem",
    "webhook_url",
    "with_amount",
]

NAME = "payos"
"""The provider's name."""
ORDER_REF = re.compile(r"\A[A-Za-z0-9-]*[A-Za-z0-9][A-Za-z0-9-]*\Z")
"""What a status query or a cancel names: an orderCode or a paymentLinkId."""
VENDOR = base.Vendor(
    NAME,
    "payOS",
    frozenset({Capability.REDIRECT, Capability.QR, Capability.QUERY, Capability.CANCEL}),
    order_ref=ORDER_REF,
    secret_fields=("x-api-key", "checksumKey"),
)
"""payOS's facts: checkout URL and VietQR, status, cancel; no refund API."""

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
    - `min_amount`, `max_amount`: whole VND; payOS publishes no limit.
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
    min_amount: int = 1
    max_amount: int | None = None
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

    def answer(self, outcome: CallbackOutcome) -> base.HttpAnswer:
        """200 and a small JSON body when accepted; see `webhook_answers`."""
        answers = self.webhook_answers
        status, body = answers.get(outcome) or answers[CallbackOutcome.ERROR]
        return base.HttpAnswer(status, (("Content-Type", "application/json"),), body)


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
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is str:
        return "" if value in NULL_TEXTS else value  # type: ignore[return-value]
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
    return "&".join([f"{k}={field_text(data.get(k))}" for k in chosen])


def sign(checksum_key: str | SecretStr, text: str) -> str:
    """HMAC-SHA256 of `text` (UTF-8) with the checksum key, lowercase hex."""
    return hmac_hex(checksum_key, text, "sha256")


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


def to_wire_amount(vnd: int) -> int:
    """Whole VND -> payOS's `amount`: a JSON integer of whole VND (no scaling)."""
    return vnd


def from_wire_amount(value: object, *, field: str = "amount") -> int:
    """payOS's `amount` -> whole VND: a JSON integer of at most 15 digits
    (`connectors.vn.money.parse_amount`); anything else is a `ValidationError` naming
    `field`."""
    return parse_amount(value, field=field, text=False)


OK = "00"
"""`code` of success."""
BAD_REQUEST = "20"
NOT_FOUND = "101"
BAD_SIGNATURE = "201"
DUPLICATE_ORDER = "231"
"""`code` of a create for an orderCode that already has a link."""
UNAUTHORIZED = "401"


def auth_headers(client_id: str, api_key: str | SecretStr) -> dict[str, str]:
    """The headers naming the payment channel on every API call."""
    key = revealed(api_key)
    return {"x-client-id": client_id, "x-api-key": key}


def credentials(header: Callable[[str], str | None]) -> tuple[str | None, str]:
    """The client id and API key a request names (`header(name)` reads a header)."""
    return header("x-client-id"), header("x-api-key") or ""


# -- the merchant's requests ----------------------------------------------------------------


def create_body(
    *,
    order_code: int,
    amount: int,
    description: str,
    return_url: str,
    cancel_url: str,
    expires_at: datetime,
    payer: base.Payer | None,
    checksum_key: str | SecretStr,
) -> dict[str, Any]:
    """The signed JSON body of a payment-link create (`CREATE_FIELDS` signed)."""
    body: dict[str, Any] = {
        "orderCode": order_code,
        "amount": to_wire_amount(amount),
        "description": description,
        "cancelUrl": cancel_url,
        "returnUrl": return_url,
        "expiredAt": int(expires_at.timestamp()),
    }
    if payer is not None:
        for key, value in (
            ("buyerName", payer.name),
            ("buyerPhone", payer.phone),
            ("buyerEmail", payer.email),
        ):
            if value:
                body[key] = value
    body["signature"] = sign(checksum_key, data_string(body, CREATE_FIELDS))
    return body


def cancel_body(reason: str) -> dict[str, str]:
    """The JSON body of a cancel."""
    return {"cancellationReason": reason}


# -- payOS's answers --------------------------------------------------------------------------


def read_answer(
    body: Any, http_status: int, *, duplicate_ok: bool = False
) -> dict[str, Any] | Refusal | None:
    """An API answer: the answer to go on with (`code` 00, or 231 when `duplicate_ok`),
    the refusal, or None when it is not payOS's (no `code`)."""
    if not isinstance(body, dict) or "code" not in body:
        return None
    code = str(body.get("code"))
    if code == OK or (code == DUPLICATE_ORDER and duplicate_ok):
        return body
    message = str(body.get("desc") or "")
    return Refusal(ERROR_CODES.get(code, PaymentErrorCode.UNKNOWN), code, message or None)


def is_duplicate(answer: Mapping[str, Any]) -> bool:
    """Whether a create's answer says the orderCode already has a link."""
    return str(answer.get("code")) == DUPLICATE_ORDER


def answer_data(
    answer: Mapping[str, Any], checksum_key: str | SecretStr, operation: str
) -> dict[str, Any]:
    """An answer's `data`, checked against its signature when it has one.

    `ValidationError(field="data")` when there is no data object; `SignatureError` when
    the signature does not match.
    """
    data = answer.get("data")
    if not isinstance(data, dict):
        raise ValidationError("payOS answered without data", field="data")
    given = answer.get("signature")
    if given is not None and not same(sign(checksum_key, data_string(data)), str(given).lower()):
        raise SignatureError(
            "payOS's answer failed its signature", provider=NAME, operation=operation
        )
    return data


def link_fields(data: Mapping[str, Any], profile: WireProfile = DEFAULT_PROFILE) -> dict[str, Any]:
    """A payment link's amount, checkout URL, QR content and id (`PaymentIntent` fields)."""
    link_id = str(data.get("paymentLinkId") or data.get("id") or "")
    amount = data.get("amount", -1)
    return {
        "amount": amount if isinstance(amount, int) else -1,
        "redirect_url": str(data.get("checkoutUrl") or "")
        or profile.checkout_url.format(link_id=link_id),
        "qr_payload": str(data.get("qrCode") or "") or None,
        "gateway_ref": link_id or None,
        "raw": dict(data),
    }


def report(order_ref: str, data: Mapping[str, Any]) -> base.PaymentStatusReport:
    """A payment link's status (the last transaction's reference and time)."""
    vendor_status = str(data.get("status", ""))
    transactions = data.get("transactions") or []
    last = transactions[-1] if transactions and isinstance(transactions[-1], dict) else {}
    amount = data.get("amount")
    return base.PaymentStatusReport(
        gateway=NAME,
        order_ref=order_ref,
        status=STATUSES.get(vendor_status, PaymentStatus.UNKNOWN),
        vendor_code=vendor_status,
        amount=amount if isinstance(amount, int) else None,
        gateway_txn_id=str(last.get("reference") or "") or None,
        paid_at=_paid_at(last.get("transactionDateTime")),
        raw=dict(data),
    )


def _paid_at(value: object) -> datetime | None:
    """payOS writes "YYYY-MM-DD HH:MM:SS" in GMT+7."""
    if not isinstance(value, str) or not value:
        return None
    try:
        if _TIME_DIGITS.fullmatch(value):  # the usual form, read without strptime
            return datetime(
                int(value[:4]),
                int(value[5:7]),
                int(value[8:10]),
                int(value[11:13]),
                int(value[14:16]),
                int(value[17:]),
                tzinfo=VN_TZ,
            )
        return datetime.strptime(value, _TIME).replace(tzinfo=VN_TZ)
    except ValueError:
        return None


_TIME = "%Y-%m-%d %H:%M:%S"
_TIME_DIGITS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")


# -- the webhook (spec 4.3) ---------------------------------------------------------------------


def webhook_problem(payload: Mapping[str, Any], checksum_key: str | SecretStr) -> str | None:
    """Why a webhook is not genuine, or None when it is."""
    data = payload.get("data")
    if not isinstance(data, dict):
        return "webhook has no data object"
    given = payload.get("signature")
    if not isinstance(given, str) or not given:
        return "webhook signature is missing"
    if not same(sign(checksum_key, data_string(data)), given.lower()):
        return "webhook signature does not match"
    return None


def notification(payload: Mapping[str, Any]) -> base.PaymentNotification:
    """A verified webhook parsed; `ValidationError` naming the field when the signed
    `amount` is not a JSON integer of at most 15 digits or `orderCode` not a positive
    integer payOS could have made."""
    data: Mapping[str, Any] = payload["data"]
    amount = from_wire_amount(data.get("amount"))
    order_code = parse_amount(data.get("orderCode"), field="orderCode", max_digits=16, text=False)
    if not 0 < order_code <= MAX_ORDER_CODE:
        raise ValidationError("orderCode is out of range", field="orderCode")
    code = str(data.get("code", payload.get("code", "")))
    return base.PaymentNotification(
        gateway=NAME,
        order_ref=str(order_code),
        amount=amount,
        status=PaymentStatus.PAID if code == OK else PaymentStatus.FAILED,
        vendor_code=code,
        gateway_txn_id=str(data.get("reference") or "") or None,
        paid_at=_paid_at(data.get("transactionDateTime")),
        vendor_message=str(data.get("desc") or "") or None,
        raw=dict(payload),
    )


# -- payOS's side (the simulator) ---------------------------------------------------------------


@dataclass(frozen=True)
class CreateRequest:
    """A create as payOS reads it."""

    order_code: int
    amount: int
    description: str
    return_url: str
    cancel_url: str


def check_create(
    body: Any, checksum_key: str | SecretStr, profile: WireProfile = DEFAULT_PROFILE
) -> CreateRequest | tuple[str, str]:
    """The link a create asks for, or payOS's refusal (`code`, `desc`) [U codes]."""
    if not isinstance(body, dict):
        return BAD_REQUEST, "Invalid JSON"
    expected = sign(checksum_key, data_string(body, CREATE_FIELDS))
    if not same(expected, str(body.get("signature", ""))):
        return BAD_SIGNATURE, "Signature invalid"
    code, amount = body.get("orderCode"), body.get("amount")
    description = str(body.get("description", ""))
    if (
        not isinstance(code, int)
        or not isinstance(amount, int)
        or not 0 < code <= MAX_ORDER_CODE
        or amount <= 0
        or not 0 < len(description) <= profile.max_description
    ):
        return BAD_REQUEST, "Invalid parameters"
    return CreateRequest(
        order_code=code,
        amount=amount,
        description=description,
        return_url=str(body.get("returnUrl", "")),
        cancel_url=str(body.get("cancelUrl", "")),
    )


PENDING, PAID, CANCELLED = "PENDING", "PAID", "CANCELLED"
"""A payment link's `status` while unpaid, once paid, once cancelled."""


@dataclass
class Link:
    """A payment link as payOS holds it."""

    request: CreateRequest
    link_id: str
    created_at: str
    status: str = PENDING
    transactions: list[dict[str, Any]] = field(default_factory=list)


def signed_answer(data: Mapping[str, Any], checksum_key: str | SecretStr) -> dict[str, Any]:
    """payOS's success answer carrying `data` and its signature."""
    signature = sign(checksum_key, data_string(data))
    return {"code": OK, "desc": "success", "data": dict(data), "signature": signature}


def refusal_answer(code: str, desc: str) -> dict[str, Any]:
    """payOS's answer refusing a call."""
    return {"code": code, "desc": desc, "data": None}


def created_link(
    link: Link, *, bank_bin: str, account_number: str, checkout_url: str, qr_code: str
) -> dict[str, Any]:
    """The data of a create's answer: the account to pay, the checkout URL, the QR."""
    request = link.request
    return {
        "bin": bank_bin,
        "accountNumber": account_number,
        "accountName": "UBND PHUONG MO PHONG",
        "amount": request.amount,
        "description": request.description,
        "orderCode": request.order_code,
        "currency": "VND",
        "paymentLinkId": link.link_id,
        "status": link.status,
        "checkoutUrl": checkout_url,
        "qrCode": qr_code,
    }


def link_info(link: Link) -> dict[str, Any]:
    """The data of a status (or cancel) answer."""
    paid = sum(t["amount"] for t in link.transactions)
    return {
        "id": link.link_id,
        "orderCode": link.request.order_code,
        "amount": link.request.amount,
        "amountPaid": paid,
        "amountRemaining": max(link.request.amount - paid, 0),
        "status": link.status,
        "createdAt": link.created_at,
        "transactions": list(link.transactions),
        "cancellationReason": None,
        "canceledAt": None,
    }


def webhook(
    link: Link,
    *,
    amount: int,
    reference: str,
    when: datetime,
    account_number: str,
    checksum_key: str | SecretStr,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The signed webhook payOS sends when `link` is paid (reporting `amount`), and the
    transaction it then lists (keys unsorted and nulls kept, as payOS sends them)."""
    stamp = when.strftime(_TIME)
    description = link.request.description
    data: dict[str, Any] = {
        "orderCode": link.request.order_code,
        "amount": to_wire_amount(amount),
        "description": description,
        "accountNumber": account_number,
        "reference": reference,
        "transactionDateTime": stamp,
        "currency": "VND",
        "paymentLinkId": link.link_id,
        "code": OK,
        "desc": "Thành công",
        "counterAccountBankId": "",
        "counterAccountBankName": "",
        "counterAccountName": None,
        "counterAccountNumber": None,
        "virtualAccountName": "",
        "virtualAccountNumber": "",
    }
    transaction = {
        "reference": reference,
        "amount": amount,
        "accountNumber": account_number,
        "description": description,
        "transactionDateTime": stamp,
        "counterAccountBankId": "",
        "counterAccountBankName": None,
        "counterAccountName": None,
        "counterAccountNumber": None,
        "virtualAccountName": None,
        "virtualAccountNumber": None,
    }
    payload = {**signed_answer(data, checksum_key), "success": True}
    return payload, transaction


def with_amount(payload: Mapping[str, Any], amount: int) -> bytes:
    """A webhook reporting another amount, the signature unchanged (a forgery), as JSON."""
    forged = {**payload, "data": {**payload["data"], "amount": amount}}
    return json.dumps(forged, ensure_ascii=False).encode("utf-8")


def return_query(link: Link, *, paid: bool) -> dict[str, str]:
    """The query payOS sends the browser back with (to returnUrl or cancelUrl; unsigned)."""
    return {
        "code": OK,
        "id": link.link_id,
        "cancel": "false" if paid else "true",
        "status": link.status,
        "orderCode": str(link.request.order_code),
    }


def confirmed(url: str) -> dict[str, Any]:
    """payOS's answer to a confirm-webhook call that registered `url`."""
    return {"code": OK, "desc": "success", "data": {"webhookUrl": url}}


def webhook_url(body: Any) -> str | None:
    """The URL a confirm-webhook call registers (None when there is none)."""
    url = body.get("webhookUrl") if isinstance(body, dict) else None
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else None
