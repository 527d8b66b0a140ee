"""MoMo payment API v2 on the wire: every field name, raw signature strings, result codes.

The only module that speaks MoMo's vocabulary, for the client (`MomoGateway`) and the
simulator alike (specs/payments.md section 3). A signature is
HMAC-SHA256(secretKey, rawSignature) in lowercase hex, where rawSignature is `k=v` pairs
joined by `&` in a fixed, alphabetical field order per endpoint, values raw (no URL
encoding) and UTF-8. `accessKey` is the merchant's own key, never a body field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from connectors.banks import base
from connectors.banks.base import CallbackOutcome, Capability, PaymentStatus, RefundStatus
from connectors.banks.codes import PaymentErrorCode, Refusal
from connectors.banks.hmac_hex import hmac_hex, revealed, same
from connectors.core.errors import ValidationError
from connectors.vn.money import parse_amount
from connectors.vn.time import from_epoch_ms

if TYPE_CHECKING:  # pydantic's types module is not loaded for an annotation
    from pydantic import SecretStr

__all__ = [
    "CREATE_FIELDS",
    "DEFAULT_PROFILE",
    "ERROR_CODES",
    "IPN_FIELDS",
    "NAME",
    "ORDER_FIELD",
    "ORDER_ID",
    "ORDER_REF",
    "PAY_OUTCOMES",
    "QUERY_FIELDS",
    "REFUND_FIELDS",
    "RESULT_CODES",
    "SANDBOX_BASE_URL",
    "VENDOR",
    "ApiRequest",
    "Keys",
    "WireProfile",
    "create_answer",
    "create_body",
    "created",
    "error_code",
    "from_wire_amount",
    "ipn",
    "ipn_problem",
    "notification",
    "payment_status",
    "query_answer",
    "query_body",
    "query_report",
    "raw_signature",
    "read_answer",
    "read_request",
    "refund_answer",
    "refund_body",
    "refund_result",
    "refusal_answer",
    "result_code",
    "sign",
    "to_wire_amount",
    "with_amount",
]

NAME = "momo"
"""The provider's name."""

SANDBOX_BASE_URL = "https://test-payment.momo.vn"
"""Sandbox host [V]; production is https://payment.momo.vn."""

ORDER_ID = re.compile(r"\A[0-9a-zA-Z]([-_.]*[0-9a-zA-Z]+)*\Z")
"""`orderId` pattern from MoMo's token-pay page [V]; at most 50 characters."""

ORDER_REF = re.compile(r"\A(?=.{1,50}\Z)[0-9a-zA-Z]([-_.]*[0-9a-zA-Z]+)*\Z")
"""`ORDER_ID` of at most 50 characters."""

VENDOR = base.Vendor(
    NAME,
    "MoMo",
    frozenset(
        {
            Capability.REDIRECT,
            Capability.QR,
            Capability.QUERY,
            Capability.REFUND,
            Capability.PARTIAL_REFUND,
        }
    ),
    order_ref=ORDER_REF,
    secret_fields=("accessKey", "secretKey"),
)
"""MoMo's facts: pay URL and QR, query, full and partial refunds; no cancel."""

CREATE_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "ipnUrl",
    "orderId",
    "orderInfo",
    "partnerCode",
    "redirectUrl",
    "requestId",
    "requestType",
)
"""rawSignature order of `/v2/gateway/api/create` (spec 3.1) [V]."""

IPN_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "message",
    "orderId",
    "orderInfo",
    "orderType",
    "partnerCode",
    "payType",
    "requestId",
    "responseTime",
    "resultCode",
    "transId",
)
"""rawSignature order of the IPN and redirect (spec 3.2) [V]."""

QUERY_FIELDS = ("accessKey", "orderId", "partnerCode", "requestId")
"""rawSignature order of `/v2/gateway/api/query` (spec 3.3) [S]."""

REFUND_FIELDS = (
    "accessKey",
    "amount",
    "description",
    "orderId",
    "partnerCode",
    "requestId",
    "transId",
)
"""rawSignature order of `/v2/gateway/api/refund` (spec 3.3) [S]."""


@dataclass(frozen=True)
class WireProfile:
    """MoMo details that are guessed or deployment-specific, in one place.

    - `min_amount`/`max_amount`: 1,000-50,000,000 VND for captureWallet [U].
    - `ipn_statuses`: the HTTP status answered per outcome; 204 on success is [V], the
      statuses for refusals are [U] (anything but 204 makes MoMo treat it as not received).
    - `paid_codes`: resultCodes meaning "paid"; 9000 (authorised) counts for a 1-step
      capture [V].
    """

    create_path: str = "/v2/gateway/api/create"
    query_path: str = "/v2/gateway/api/query"
    refund_path: str = "/v2/gateway/api/refund"
    request_type: str = "captureWallet"
    lang: str = "vi"
    partner_name: str = "Cong dich vu cong"
    store_id: str = "DVC"
    min_amount: int = 1_000
    max_amount: int = 50_000_000
    paid_codes: frozenset[int] = frozenset({0, 9000})
    ipn_statuses: Mapping[CallbackOutcome, int] = field(
        default_factory=lambda: {
            CallbackOutcome.ACCEPTED: 204,
            CallbackOutcome.DUPLICATE: 204,
            CallbackOutcome.ORDER_NOT_FOUND: 404,
            CallbackOutcome.AMOUNT_MISMATCH: 400,
            CallbackOutcome.INVALID_SIGNATURE: 400,
            CallbackOutcome.MALFORMED: 400,
            CallbackOutcome.ERROR: 500,
        }
    )

    def answer(self, outcome: CallbackOutcome) -> base.HttpAnswer:
        """HTTP 204 No Content when accepted (spec 3.2); other statuses per `ipn_statuses`."""
        return base.HttpAnswer(
            self.ipn_statuses.get(outcome) or self.ipn_statuses[CallbackOutcome.ERROR]
        )


DEFAULT_PROFILE = WireProfile()


def raw_signature(data: Mapping[str, object], fields: tuple[str, ...], access_key: str) -> str:
    """`k=v&k=v...` over `fields` in order, raw values, `accessKey` from the merchant."""
    get = data.get
    return "&".join([f"{k}={access_key if k == 'accessKey' else _text(get(k))}" for k in fields])


def _text(value: object) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sign(secret: str | SecretStr, raw: str) -> str:
    """HMAC-SHA256 of the UTF-8 raw signature, lowercase hex."""
    return hmac_hex(secret, raw, "sha256")


RESULT_CODES: Mapping[int, str] = {
    0: "success",
    9000: "authorised",
    8000: "waiting for the user to confirm again",
    7000: "processing",
    7002: "processing at the payment provider",
    1000: "initiated, waiting for the user",
    10: "maintenance",
    11: "access denied",
    12: "unsupported API version",
    13: "merchant authentication failed",
    20: "bad format request",
    21: "invalid amount",
    22: "amount out of range",
    40: "duplicate requestId",
    41: "duplicate orderId",
    42: "invalid orderId or not found",
    43: "conflicting transaction",
    99: "unknown error",
    1001: "insufficient funds",
    1002: "rejected by issuer",
    1003: "cancelled",
    1004: "over limit",
    1005: "URL or QR expired",
    1006: "user declined",
    1007: "account inactive",
    1017: "cancelled by partner",
    1026: "promotion restriction",
    1080: "refund failed",
    1081: "refund rejected",
}
"""resultCode table (spec 3.4): 0-20 and 1000-9000 [V], the rest [U]."""

ERROR_CODES: Mapping[int, PaymentErrorCode] = {
    10: PaymentErrorCode.TEMPORARY,
    11: PaymentErrorCode.AUTH,
    12: PaymentErrorCode.BAD_REQUEST,
    13: PaymentErrorCode.BAD_SIGNATURE,
    20: PaymentErrorCode.BAD_REQUEST,
    21: PaymentErrorCode.INVALID_AMOUNT,
    22: PaymentErrorCode.INVALID_AMOUNT,
    40: PaymentErrorCode.DUPLICATE,
    41: PaymentErrorCode.DUPLICATE,
    42: PaymentErrorCode.NOT_FOUND,
    43: PaymentErrorCode.DUPLICATE,
    1080: PaymentErrorCode.REFUND_REFUSED,
    1081: PaymentErrorCode.REFUND_REFUSED,
}


def error_code(result_code: int) -> PaymentErrorCode:
    """The common error code for a refusing resultCode."""
    return ERROR_CODES.get(result_code, PaymentErrorCode.UNKNOWN)


def payment_status(
    result_code: int, paid_codes: frozenset[int] = DEFAULT_PROFILE.paid_codes
) -> PaymentStatus:
    """The common status of a payment's resultCode (IPN, redirect or query)."""
    if result_code in paid_codes:
        return PaymentStatus.PAID
    if result_code in (1000, 7000, 7002, 8000, 9000):
        return PaymentStatus.PENDING
    if result_code in (1003, 1006, 1017):
        return PaymentStatus.CANCELLED
    if result_code == 1005:
        return PaymentStatus.EXPIRED
    return PaymentStatus.FAILED


def to_wire_amount(vnd: int) -> int:
    """Whole VND -> MoMo's `amount`: a JSON integer of whole VND (no scaling)."""
    return vnd


def from_wire_amount(value: object, *, field: str = "amount") -> int:
    """MoMo's `amount` -> whole VND: a JSON integer, or ASCII digits in the redirect's
    parameters (`connectors.vn.money.parse_amount`); anything else is a `ValidationError`
    naming `field`."""
    return parse_amount(value, field=field)


def result_code(value: object) -> int:
    """A result code or count as MoMo sends it (JSON int or ASCII digits); -1 if not one."""
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _CODE.match(value):
        return int(value)
    return -1


_CODE = re.compile(r"\A-?[0-9]{1,18}\Z")


@dataclass(frozen=True)
class Keys:
    """A partner account's code and key pair: signs and checks its messages."""

    partner_code: str
    access_key: str | SecretStr
    secret_key: str | SecretStr

    def signature(self, data: Mapping[str, object], fields: tuple[str, ...]) -> str:
        """The signature of `data` over `fields` (in that order)."""
        access = self.access_key
        raw = raw_signature(data, fields, revealed(access))
        return sign(self.secret_key, raw)

    def signed(self, data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
        """`data` with its `signature` over `fields`."""
        return {**data, "signature": self.signature(data, fields)}

    def verifies(self, data: Mapping[str, object], fields: tuple[str, ...]) -> bool:
        """Whether `data`'s `signature` (lowercase or not) is its signature over `fields`."""
        given = data.get("signature")
        return isinstance(given, str) and same(self.signature(data, fields), given.lower())


# -- the merchant's requests (spec 3.1, 3.3) ------------------------------------------------


def create_body(
    keys: Keys,
    *,
    request_id: str,
    amount: int,
    order_id: str,
    order_info: str,
    redirect_url: str,
    ipn_url: str,
    extra_data: str = "",
    profile: WireProfile = DEFAULT_PROFILE,
) -> dict[str, Any]:
    """The signed JSON body of a captureWallet create (spec 3.1)."""
    body: dict[str, Any] = {
        "partnerCode": keys.partner_code,
        "partnerName": profile.partner_name,
        "storeId": profile.store_id,
        "requestId": request_id,
        "amount": to_wire_amount(amount),
        "orderId": order_id,
        "orderInfo": order_info,
        "redirectUrl": redirect_url,
        "ipnUrl": ipn_url,
        "requestType": profile.request_type,
        "extraData": extra_data,
        "lang": profile.lang,
    }
    return keys.signed(body, CREATE_FIELDS)


def query_body(
    keys: Keys, *, request_id: str, order_id: str, profile: WireProfile = DEFAULT_PROFILE
) -> dict[str, Any]:
    """The signed JSON body of a status query (spec 3.3)."""
    body = {
        "partnerCode": keys.partner_code,
        "requestId": request_id,
        "orderId": order_id,
        "lang": profile.lang,
    }
    return keys.signed(body, QUERY_FIELDS)


def refund_body(
    keys: Keys, request: base.RefundRequest, *, profile: WireProfile = DEFAULT_PROFILE
) -> dict[str, Any]:
    """The signed JSON body of a refund: `refund_ref` is both its orderId and its requestId
    (MoMo de-duplicates it); `transId` is the payment's (`gateway_txn_id`, digits)."""
    body: dict[str, Any] = {
        "partnerCode": keys.partner_code,
        "orderId": request.refund_ref,
        "requestId": request.refund_ref,
        "amount": to_wire_amount(request.amount),
        "transId": int(request.gateway_txn_id or "0"),
        "lang": profile.lang,
        "description": request.reason,
    }
    return keys.signed(body, REFUND_FIELDS)


# -- MoMo's answers ------------------------------------------------------------------------


def read_answer(
    body: Any, http_status: int, *, query: bool = False
) -> dict[str, Any] | Refusal | None:
    """An API answer: the answer to go on with, the refusal, or None when it is not MoMo's
    (no `resultCode`). A query's answer carries the payment's code: only error codes (and
    99) refuse it; any other answer refuses on a code but 0."""
    if not isinstance(body, dict) or "resultCode" not in body:
        return None
    code = result_code(body.get("resultCode"))
    refused = code in ERROR_CODES or code == 99 if query else code != 0
    if not refused:
        return body
    message = str(body.get("message") or RESULT_CODES.get(code, ""))
    return Refusal(error_code(code), str(code), message or None)


def _opt(value: object) -> str | None:
    return str(value or "") or None


def created(answer: Mapping[str, Any]) -> dict[str, Any]:
    """A create answer's pay URL and QR content (`PaymentIntent` fields)."""
    return {
        "redirect_url": _opt(answer.get("payUrl")),
        "qr_payload": _opt(answer.get("qrCodeUrl")),
        "raw": dict(answer),
    }


def query_report(
    answer: Mapping[str, Any], order_ref: str, paid_codes: frozenset[int]
) -> base.PaymentStatusReport:
    """The payment's status from a query answer, refunds included."""
    code = result_code(answer.get("resultCode"))
    status = payment_status(code, paid_codes)
    refunded = sum(
        result_code(item.get("amount"))
        for item in answer.get("refundTrans") or []
        if isinstance(item, dict) and result_code(item.get("resultCode")) == 0
    )
    amount = result_code(answer.get("amount"))
    if refunded and status is PaymentStatus.PAID:
        full = refunded >= amount
        status = PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED
    return base.PaymentStatusReport(
        gateway=NAME,
        order_ref=order_ref,
        status=status,
        vendor_code=str(code),
        amount=amount,
        gateway_txn_id=_opt(answer.get("transId")),
        refunded_amount=refunded,
        vendor_message=_opt(answer.get("message")),
        raw=dict(answer),
    )


def refund_result(answer: Mapping[str, Any], request: base.RefundRequest) -> base.Refund:
    """The refund a successful refund answer reports."""
    return base.Refund(
        gateway=NAME,
        order_ref=request.order_ref,
        refund_ref=request.refund_ref,
        amount=request.amount,
        status=RefundStatus.SUCCEEDED,
        vendor_code=str(result_code(answer.get("resultCode"))),
        gateway_refund_id=_opt(answer.get("transId")),
        vendor_message=_opt(answer.get("message")),
        raw=dict(answer),
    )


# -- the IPN and the redirect (spec 3.2) -----------------------------------------------------


def ipn_problem(data: Mapping[str, Any], keys: Keys) -> str | None:
    """Why an IPN (or the redirect's parameters) is not genuine, or None when it is."""
    given = data.get("signature")
    if not isinstance(given, str) or not given:
        return "signature is missing"
    if not keys.verifies(data, IPN_FIELDS):
        return "signature does not match"
    if data.get("partnerCode") != keys.partner_code:
        return "partnerCode is not ours"
    return None


def notification(data: Mapping[str, Any], paid_codes: frozenset[int]) -> base.PaymentNotification:
    """A verified IPN parsed; `ValidationError` naming the field for a missing orderId, an
    `amount` that is not a whole number of VND (a JSON integer, or ASCII digits in the
    redirect's parameters) or a `responseTime` that is not epoch milliseconds."""
    code = result_code(data.get("resultCode"))
    amount = from_wire_amount(data.get("amount"))
    order_id = data.get("orderId")
    if not isinstance(order_id, str) or not order_id:
        raise ValidationError("orderId is missing", field="orderId", provider=NAME)
    stamp = data.get("responseTime")
    paid_at = (
        None if stamp in (None, "") else from_epoch_ms(parse_amount(stamp, field="responseTime"))
    )
    return base.PaymentNotification(
        gateway=NAME,
        order_ref=order_id,
        amount=amount,
        status=payment_status(code, paid_codes),
        vendor_code=str(code),
        gateway_txn_id=_opt(data.get("transId")),
        paid_at=paid_at,
        vendor_message=_opt(data.get("message")),
        raw=dict(data),
    )


# -- MoMo's side (the simulator) ---------------------------------------------------------------

ORDER_FIELD = "orderId"
"""The form field naming the order on the (simulated) pay page."""

PAY_OUTCOMES: Mapping[str, tuple[int, str]] = {
    "success": (0, "Successful."),
    "cancelled": (1006, "Transaction denied by user."),
    "failed": (1001, "Insufficient funds."),
}
"""A citizen's outcome -> the IPN's resultCode and message."""

PAID, INITIATED = 0, 1000
"""resultCode of a paid order, and of one waiting for the citizen."""
ACCESS_DENIED, BAD_SIGNATURE, BAD_FORMAT, AMOUNT_OUT_OF_RANGE = 11, 13, 20, 22
DUPLICATE_REQUEST, DUPLICATE_ORDER, BAD_ORDER, REFUND_FAILED = 40, 41, 42, 1080
"""resultCodes the simulated MoMo refuses with (`RESULT_CODES`)."""


@dataclass(frozen=True)
class ApiRequest:
    """A create, query or refund body as MoMo reads it."""

    order_id: str
    request_id: str
    signature: str
    amount: object = None
    order_info: str = ""
    ipn_url: str = ""
    redirect_url: str = ""
    extra_data: str = ""
    request_type: str = ""
    trans_id: object = None


def read_request(
    body: Any, keys: Keys, fields: tuple[str, ...]
) -> tuple[ApiRequest | None, int | None]:
    """A request body read, with the refusal code MoMo answers it with (None: none):
    not an object (20), another partner (11), a wrong signature (13)."""
    if not isinstance(body, dict):
        return None, BAD_FORMAT
    request = ApiRequest(
        order_id=str(body.get("orderId", "")),
        request_id=str(body.get("requestId", "")),
        signature=str(body.get("signature", "")),
        amount=body.get("amount"),
        order_info=str(body.get("orderInfo", "")),
        ipn_url=str(body.get("ipnUrl") or ""),
        redirect_url=str(body.get("redirectUrl", "")),
        extra_data=str(body.get("extraData", "")),
        request_type=str(body.get("requestType", "")),
        trans_id=body.get("transId"),
    )
    if body.get("partnerCode") != keys.partner_code:
        return request, ACCESS_DENIED
    if not same(keys.signature(body, fields), request.signature):
        return request, BAD_SIGNATURE
    return request, None


def refusal_answer(
    request: ApiRequest | None, code: int, *, partner_code: str, now_ms: int
) -> dict[str, Any]:
    """MoMo's answer refusing `request` with `code`."""
    return {
        "partnerCode": partner_code,
        "orderId": None if request is None else request.order_id,
        "requestId": None if request is None else request.request_id,
        "resultCode": code,
        "message": RESULT_CODES.get(code, "error"),
        "responseTime": now_ms,
    }


def create_answer(
    request: ApiRequest, *, partner_code: str, amount: int, pay_url: str, token: str, now_ms: int
) -> dict[str, Any]:
    """MoMo's answer accepting a create: the pay URL, the app link and the QR content."""
    return {
        "partnerCode": partner_code,
        "orderId": request.order_id,
        "requestId": request.request_id,
        "amount": amount,
        "responseTime": now_ms,
        "message": "Thành công.",
        "resultCode": 0,
        "payUrl": pay_url,
        "deeplink": f"momo://app?action=payWithApp&t={token}",
        "qrCodeUrl": f"momo://app?action=payWithApp&isScanQR=true&t={token}",
    }


def query_answer(
    request: ApiRequest,
    *,
    partner_code: str,
    order_id: str,
    amount: int,
    trans_id: int,
    code: int,
    extra_data: str,
    refunds: list[dict[str, Any]],
    now_ms: int,
) -> dict[str, Any]:
    """MoMo's answer to a status query: the order's resultCode, amount and refunds."""
    return {
        "partnerCode": partner_code,
        "orderId": order_id,
        "requestId": request.request_id,
        "extraData": extra_data,
        "amount": amount,
        "transId": trans_id,
        "payType": "qr",
        "resultCode": code,
        "refundTrans": list(refunds),
        "message": RESULT_CODES.get(code, ""),
        "responseTime": now_ms,
    }


def refund_answer(
    request: ApiRequest, *, partner_code: str, amount: int, trans_id: int, now_ms: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """MoMo's answer accepting a refund, and the refund's entry in later query answers."""
    entry = {
        "orderId": request.order_id,
        "amount": amount,
        "resultCode": 0,
        "transId": trans_id,
        "createdTime": now_ms,
    }
    answer = {
        "partnerCode": partner_code,
        "orderId": request.order_id,
        "requestId": request.request_id,
        "amount": amount,
        "transId": trans_id,
        "resultCode": 0,
        "message": "Thành công.",
        "responseTime": now_ms,
    }
    return answer, entry


def ipn(
    keys: Keys,
    request: ApiRequest,
    *,
    amount: int,
    trans_id: int,
    outcome: str,
    now_ms: int,
) -> dict[str, Any]:
    """The signed IPN MoMo sends for the order `request` created, paid or not (`outcome`),
    reporting `amount`."""
    code, message = PAY_OUTCOMES[outcome]
    body: dict[str, Any] = {
        "partnerCode": keys.partner_code,
        "orderId": request.order_id,
        "requestId": request.request_id,
        "amount": to_wire_amount(amount),
        "orderInfo": request.order_info,
        "orderType": "momo_wallet",
        "transId": trans_id,
        "resultCode": code,
        "message": message,
        "payType": "qr",
        "responseTime": now_ms,
        "extraData": request.extra_data,
    }
    return keys.signed(body, IPN_FIELDS)


def with_amount(data: Mapping[str, Any], amount: int) -> bytes:
    """An IPN reporting another amount, the signature unchanged (a forgery), as JSON."""
    return json.dumps({**data, "amount": amount}, ensure_ascii=False).encode("utf-8")
