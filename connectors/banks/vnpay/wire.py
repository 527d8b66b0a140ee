"""VNPay 2.1.0 on the wire: every `vnp_*` name, encoders, signing strings, amounts, codes.

The only module that speaks VNPay's vocabulary, for the client (`VnpayGateway`) and the
simulator alike (specs/payments.md section 1): the pay redirect, the return/IPN callback,
querydr and refund, their answers and checksums. Every detail that is not from VNPay's own
pages lives in `WireProfile` (override it per client); the rest is fixed here:

- pay/return/IPN: every non-empty `vnp_*` parameter but `vnp_SecureHash(Type)`, keys
  sorted, `key=form-encoded value` joined by `&`, HMAC-SHA512 lowercase hex (1.3);
- querydr and refund: raw values joined by `|` in a fixed order, HMAC-SHA512 (1.6, 1.7);
- `vnp_Amount` is VND x 100: `to_wire_amount` and `from_wire_amount` are the only places
  that scale;
- dates are `yyyyMMddHHmmss` in GMT+7 (`connectors.vn.time`), whatever the host's zone.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl, quote_plus

from connectors.banks import base
from connectors.banks.base import CallbackOutcome, Capability, PaymentStatus, RefundStatus
from connectors.banks.codes import PaymentErrorCode, Refusal
from connectors.banks.hmac_hex import hmac_hex, same
from connectors.core.errors import SignatureError, ValidationError
from connectors.vn.money import parse_amount
from connectors.vn.time import format_compact, parse_compact

if TYPE_CHECKING:  # pydantic's types module is not loaded for an annotation
    from pydantic import SecretStr

__all__ = [
    "API_CODES",
    "DEFAULT_PROFILE",
    "NAME",
    "ORDER_FIELD",
    "PAY_ERRORS",
    "PAY_OUTCOMES",
    "PAY_RESPONSE_CODES",
    "QUERY_HASH_FIELDS",
    "QUERY_RESPONSE_HASH_FIELDS",
    "REFUND_HASH_FIELDS",
    "REFUND_RESPONSE_HASH_FIELDS",
    "SANDBOX_BASE_URL",
    "TRANSACTION_STATUSES",
    "TXN_REF",
    "VENDOR",
    "ApiRequest",
    "ApiResult",
    "PayOrder",
    "WireProfile",
    "api_answer",
    "api_error_code",
    "bill_fields",
    "callback",
    "callback_params",
    "callback_problem",
    "check_pay",
    "encode_value",
    "from_wire_amount",
    "ipn_acknowledged",
    "joined",
    "notification",
    "pay_params",
    "pay_url",
    "payment_status",
    "query_body",
    "query_report",
    "query_status",
    "read_answer",
    "read_api_request",
    "refund_body",
    "refund_result",
    "same_pay",
    "sign",
    "signed",
    "signing_string",
    "signing_strings",
    "to_wire_amount",
    "with_amount",
]

NAME = "vnpay"
"""The provider's name."""

SANDBOX_BASE_URL = "https://sandbox.vnpayment.vn"
"""The sandbox host: pay page and merchant_webapi both live there [V]."""

Encoder = Literal["java", "python"]

TXN_REF = re.compile(r"\A[A-Za-z0-9._-]{1,100}\Z")
"""What `vnp_TxnRef` may hold (the merchant's order reference) [S]."""

VENDOR = base.Vendor(
    NAME,
    "VNPay",
    frozenset(
        {Capability.REDIRECT, Capability.QUERY, Capability.REFUND, Capability.PARTIAL_REFUND}
    ),
    order_ref=TXN_REF,
    secret_fields=("vnp_SecureHash",),
)
"""VNPay's facts: redirect, querydr, full and partial refunds; no cancel (a payment expires)."""


@dataclass(frozen=True)
class WireProfile:
    """VNPay details that are guessed or deployment-specific, in one place.

    - `encoder`: how values are form-encoded in the signing string. "java" (Java
      `URLEncoder` / WHATWG `URLSearchParams`: `*` kept, `~` as `%7E`) is the spec's
      recommendation [U: VNPay's server encoder is unpublished]; "python" is
      `urllib.parse.quote_plus`. They differ only on `* ~`, which `ascii_safe` text never
      holds; verification accepts either.
    - `pay_path`, `api_path`: paths under the base URL [V sandbox, U production].
    - `ipn_messages`: the `Message` sent with each `RspCode` [V codes, spelling varies];
      an outcome missing from it is answered as `ERROR`.
    - `min_amount`, `max_amount`: whole VND; `vnp_Amount` is n[1,12] after x100 [V].
    """

    version: str = "2.1.0"
    pay_path: str = "/paymentv2/vpcpay.html"
    api_path: str = "/merchant_webapi/api/transaction"
    encoder: Encoder = "java"
    currency: str = "VND"
    locale: str = "vn"
    order_type: str = "other"
    min_amount: int = 1
    max_amount: int | None = 9_999_999_999
    ipn_messages: Mapping[CallbackOutcome, tuple[str, str]] = field(
        default_factory=lambda: {
            CallbackOutcome.ACCEPTED: ("00", "Confirm Success"),
            CallbackOutcome.DUPLICATE: ("02", "Order already confirmed"),
            CallbackOutcome.ORDER_NOT_FOUND: ("01", "Order not found"),
            CallbackOutcome.AMOUNT_MISMATCH: ("04", "invalid amount"),
            CallbackOutcome.INVALID_SIGNATURE: ("97", "Invalid signature"),
            CallbackOutcome.MALFORMED: ("99", "Input data required"),
            CallbackOutcome.ERROR: ("99", "Unknow error"),
        }
    )

    def answer(self, outcome: CallbackOutcome) -> base.HttpAnswer:
        """HTTP 200 with `{"RspCode": "..", "Message": ".."}` (spec 1.4)."""
        code, message = self.ipn_messages.get(outcome) or self.ipn_messages[CallbackOutcome.ERROR]
        body = f'{{"RspCode":"{code}","Message":"{message}"}}'.encode()
        return base.HttpAnswer(200, (("Content-Type", "application/json"),), body)


DEFAULT_PROFILE = WireProfile()

_HASH = "vnp_SecureHash"
_HASH_KEYS = frozenset({_HASH, "vnp_SecureHashType"})


_AS_IS = re.compile(r"[A-Za-z0-9_.\-]*")
"""Values both encoders leave unchanged (most: amounts, codes, dates)."""
_ENCODERS_DIFFER = frozenset("*~")
"""The only characters the two encoders write differently (`*` kept by "java", `~` kept by
"python")."""


def encode_value(value: str, encoder: Encoder = "java") -> str:
    """Form-encode one value: space as `+`, `:` as `%3A`, `/` as `%2F` (spec 1.3)."""
    if _AS_IS.fullmatch(value):
        return value
    if encoder == "python":
        return quote_plus(value, safe="")
    return quote_plus(value, safe="*").replace("~", "%7E")


def _signed_items(params: Mapping[str, str]) -> list[tuple[str, str]]:
    """The signed `(name, value)` pairs, sorted by name (spec 1.3 steps 1-2)."""
    return sorted(
        (k, str(v))
        for k, v in params.items()
        if k.startswith("vnp_") and k not in _HASH_KEYS and v != ""
    )


def _joined(items: list[tuple[str, str]], encoder: Encoder) -> str:
    return "&".join([f"{k}={encode_value(v, encoder)}" for k, v in items])


def signing_string(params: Mapping[str, str], encoder: Encoder = "java") -> str:
    """The string VNPay signs, which is also the query string sent (spec 1.3 steps 1-3)."""
    return _joined(_signed_items(params), encoder)


def signing_strings(params: Mapping[str, str]) -> tuple[str, ...]:
    """Every distinct string a sender could have signed for `params`: the "java" one, and the
    "python" one too when a value holds a character the encoders write differently."""
    items = _signed_items(params)
    java = _joined(items, "java")
    if any(not _ENCODERS_DIFFER.isdisjoint(v) for _, v in items):
        return (java, _joined(items, "python"))
    return (java,)


def sign(secret: str | SecretStr, data: str) -> str:
    """HMAC-SHA512 of `data` with the hash secret (both UTF-8), lowercase hex."""
    return hmac_hex(secret, data, "sha512")


def to_wire_amount(vnd: int) -> str:
    """Whole VND -> `vnp_Amount` (VND x 100). The only place that multiplies."""
    return str(vnd * 100)


def from_wire_amount(value: object, *, provider: str = "vnpay") -> int:
    """`vnp_Amount` -> whole VND (÷ 100), after the signature was verified.

    The only place that divides. `vnp_Amount` is text of 1 to 15 ASCII digits and a
    multiple of 100 (`connectors.vn.money.parse_amount`); anything else (VNPay never sends
    it) raises `ValidationError(field="vnp_Amount")`.
    """
    wire_amount = parse_amount(value, field="vnp_Amount", number=False)
    if wire_amount % 100:
        raise ValidationError("vnp_Amount is not VND x 100", field="vnp_Amount", provider=provider)
    return wire_amount // 100


QUERY_HASH_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
"""querydr request checksum order (spec 1.6) [S]."""

REFUND_HASH_FIELDS = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
"""refund request checksum order (spec 1.7) [S]."""

REFUND_RESPONSE_HASH_FIELDS = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
)
"""refund response checksum order (spec 1.7); the raw x100 amount is hashed [U]."""

QUERY_RESPONSE_HASH_FIELDS = (
    *REFUND_RESPONSE_HASH_FIELDS,
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
"""querydr response checksum order (spec 1.6) [S]."""


def joined(data: Mapping[str, object], fields: tuple[str, ...]) -> str:
    """`fields` of `data` as raw text joined by `|`; a missing value is empty (1.6)."""
    return "|".join("" if data.get(k) is None else str(data.get(k)) for k in fields)


PAY_RESPONSE_CODES: Mapping[str, str] = {
    "00": "success",
    "07": "money deducted, suspected fraud",
    "09": "card/account not registered for Internet Banking",
    "10": "card/account authentication failed more than 3 times",
    "11": "payment window expired",
    "12": "card/account locked",
    "13": "wrong OTP",
    "24": "customer cancelled",
    "51": "insufficient balance",
    "65": "daily limit exceeded",
    "75": "paying bank under maintenance",
    "79": "wrong payment password too many times",
    "99": "other error",
}
"""`vnp_ResponseCode` of the return URL and IPN (spec 1.5) [V]."""

TRANSACTION_STATUSES: Mapping[str, str] = {
    "00": "success",
    "01": "not completed",
    "02": "error",
    "04": "reversed",
    "05": "refund in progress",
    "06": "refund sent to the bank",
    "07": "suspected fraud",
    "09": "refund rejected",
}
"""`vnp_TransactionStatus` (spec 1.5) [V]."""

API_CODES: Mapping[str, tuple[PaymentErrorCode, str]] = {
    "02": (PaymentErrorCode.AUTH, "bad TmnCode"),
    "03": (PaymentErrorCode.BAD_REQUEST, "bad format"),
    "91": (PaymentErrorCode.NOT_FOUND, "transaction not found"),
    "94": (PaymentErrorCode.DUPLICATE, "duplicate request"),
    "95": (PaymentErrorCode.REFUND_REFUSED, "original transaction not successful"),
    "97": (PaymentErrorCode.BAD_SIGNATURE, "bad checksum"),
    "99": (PaymentErrorCode.UNKNOWN, "other error"),
}
"""querydr/refund `vnp_ResponseCode` other than 00 -> common code (spec 1.5) [S]."""


def api_error_code(code: str) -> PaymentErrorCode:
    """The common error code for a querydr/refund `vnp_ResponseCode`."""
    return API_CODES.get(code, (PaymentErrorCode.UNKNOWN, ""))[0]


def payment_status(response_code: str, transaction_status: str) -> PaymentStatus:
    """The common status of a return/IPN (spec 1.4, 1.5).

    Paid only when both codes are "00". "07" (money deducted, suspected fraud) in either
    code is UNKNOWN, whatever the other says (someone must look: the money may have
    moved); then "24" is cancelled, "11" expired, "00" with status "01" pending, and
    anything else failed.
    """
    if response_code == "00" and transaction_status == "00":
        return PaymentStatus.PAID
    if response_code == "07" or transaction_status == "07":
        return PaymentStatus.UNKNOWN
    if response_code == "24":
        return PaymentStatus.CANCELLED
    if response_code == "11":
        return PaymentStatus.EXPIRED
    if transaction_status == "01" and response_code == "00":
        return PaymentStatus.PENDING
    return PaymentStatus.FAILED


def query_status(transaction_status: str, transaction_type: str | None) -> PaymentStatus:
    """The common status of a querydr answer from its transaction status and type."""
    if transaction_status in ("05", "06"):
        return (
            PaymentStatus.PARTIALLY_REFUNDED if transaction_type == "03" else PaymentStatus.REFUNDED
        )
    return {
        "00": PaymentStatus.PAID,
        "01": PaymentStatus.PENDING,
        "02": PaymentStatus.FAILED,
        "04": PaymentStatus.REVERSED,
        "07": PaymentStatus.UNKNOWN,
        "09": PaymentStatus.PAID,
    }.get(transaction_status, PaymentStatus.UNKNOWN)


# -- the pay redirect (spec 1.2, 1.3) ------------------------------------------------------


def pay_params(
    *,
    tmn_code: str,
    amount: int,
    txn_ref: str,
    order_info: str,
    return_url: str,
    client_ip: str,
    created_at: datetime,
    expires_at: datetime,
    bank_code: str | None = None,
    locale: str | None = None,
    order_type: str | None = None,
    payer: base.Payer | None = None,
    profile: WireProfile = DEFAULT_PROFILE,
) -> dict[str, str]:
    """The `vnp_*` parameters of the pay redirect (spec 1.2), unsigned (see `signed`)."""
    params = {
        "vnp_Version": profile.version,
        "vnp_Command": "pay",
        "vnp_TmnCode": tmn_code,
        "vnp_Amount": to_wire_amount(amount),
        "vnp_CreateDate": format_compact(created_at),
        "vnp_CurrCode": profile.currency,
        "vnp_IpAddr": client_ip,
        "vnp_Locale": locale or profile.locale,
        "vnp_OrderInfo": order_info,
        "vnp_OrderType": order_type or profile.order_type,
        "vnp_ReturnUrl": return_url,
        "vnp_ExpireDate": format_compact(expires_at),
        "vnp_TxnRef": txn_ref,
    }
    if bank_code:
        params["vnp_BankCode"] = bank_code
    params.update(bill_fields(payer))
    return params


def bill_fields(payer: base.Payer | None) -> dict[str, str]:
    """The payer's phone and e-mail as the optional `vnp_Bill_*` fields (spec 1.2);
    `ValidationError` naming `payer.phone` or `payer.email` when they cannot be sent."""
    fields: dict[str, str] = {}
    if payer is None:
        return fields
    if payer.phone:
        digits = "".join(ch for ch in payer.phone if ch.isdigit())
        if not 9 <= len(digits) <= 15:
            raise ValidationError("payer phone must have 9-15 digits", field="payer.phone")
        fields["vnp_Bill_Mobile"] = digits
    if payer.email:
        email = payer.email.strip()
        if email.count("@") != 1 or any(ch.isspace() for ch in email) or len(email) > 100:
            raise ValidationError("payer email is not an address", field="payer.email")
        fields["vnp_Bill_Email"] = email
    return fields


def signed(
    params: Mapping[str, str], secret: str | SecretStr, encoder: Encoder = "java"
) -> dict[str, str]:
    """`params` with their `vnp_SecureHash` (pay, return and IPN: the sorted query)."""
    return {**params, _HASH: sign(secret, signing_string(params, encoder))}


def pay_url(page: str, params: Mapping[str, str], encoder: Encoder = "java") -> str:
    """The pay page URL for signed `params`: the query is the signing string itself, so
    what is sent is exactly what was signed."""
    return f"{page}?{signing_string(params, encoder)}&{_HASH}={params[_HASH]}"


# -- the return URL and the IPN (spec 1.4, 1.5) ------------------------------------------------


def callback_params(query: Mapping[str, str], body: bytes) -> dict[str, str]:
    """A callback's parameters: the query (GET), or failing that a form-encoded body."""
    params = dict(query)
    if _HASH not in params and body:
        params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params


def callback_problem(
    params: Mapping[str, str], *, secret: str | SecretStr, tmn_code: str
) -> str | None:
    """Why decoded callback `params` are not genuine, or None when they are.

    The checksum is checked against both encoders (no early exit) before anything else is
    read; then the terminal, the order reference and the payment date.
    """
    given = params.get(_HASH)
    if not given:
        return "vnp_SecureHash is missing"
    matched = False
    for data in signing_strings(params):
        matched |= same(sign(secret, data), given.lower())
    if not matched:
        return "vnp_SecureHash does not match"
    if params.get("vnp_TmnCode") != tmn_code:
        return "vnp_TmnCode is not this terminal's"
    if not params.get("vnp_TxnRef"):
        return "vnp_TxnRef is missing"
    pay_date = params.get("vnp_PayDate")
    try:
        if pay_date:
            _pay_date(pay_date)
    except ValidationError:
        return "vnp_PayDate is not yyyyMMddHHmmss"
    return None


_pay_date = functools.lru_cache(maxsize=256)(parse_compact)
"""`parse_compact`, remembered: `callback_problem` checks a callback's pay date and
`notification` reads it."""


def notification(params: Mapping[str, str]) -> base.PaymentNotification:
    """Verified callback `params` parsed (`callback_problem` first).

    `ValidationError(field="vnp_Amount")` when the signed amount is not VND x 100 as ASCII
    digits.
    """
    response_code = params.get("vnp_ResponseCode", "")
    pay_date = params.get("vnp_PayDate")
    return base.PaymentNotification(
        gateway=NAME,
        order_ref=params["vnp_TxnRef"],
        amount=from_wire_amount(params.get("vnp_Amount", "")),
        status=payment_status(response_code, params.get("vnp_TransactionStatus", "")),
        vendor_code=response_code,
        gateway_txn_id=params.get("vnp_TransactionNo") or None,
        paid_at=_pay_date(pay_date) if pay_date else None,
        vendor_message=PAY_RESPONSE_CODES.get(response_code),
        raw=dict(params),
    )


# -- querydr and refund (spec 1.6, 1.7) -----------------------------------------------------


def query_body(
    *,
    request_id: str,
    tmn_code: str,
    txn_ref: str,
    order_info: str,
    paid_created_at: datetime,
    now: datetime,
    ip_addr: str,
    transaction_no: str | None,
    secret: str | SecretStr,
    profile: WireProfile = DEFAULT_PROFILE,
) -> dict[str, str]:
    """The signed querydr body (`vnp_TransactionDate` is the payment's creation time)."""
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": profile.version,
        "vnp_Command": "querydr",
        "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": order_info,
        "vnp_TransactionDate": format_compact(paid_created_at),
        "vnp_CreateDate": format_compact(now),
        "vnp_IpAddr": ip_addr,
    }
    if transaction_no:
        body["vnp_TransactionNo"] = transaction_no
    body[_HASH] = sign(secret, joined(body, QUERY_HASH_FIELDS))
    return body


def refund_body(
    request: base.RefundRequest,
    *,
    paid_created_at: datetime,
    tmn_code: str,
    now: datetime,
    ip_addr: str,
    secret: str | SecretStr,
    profile: WireProfile = DEFAULT_PROFILE,
) -> dict[str, str]:
    """The signed refund body: full (`vnp_TransactionType` 02) or partial (03), keyed by
    `vnp_RequestId` = `request.refund_ref`."""
    body = {
        "vnp_RequestId": request.refund_ref,
        "vnp_Version": profile.version,
        "vnp_Command": "refund",
        "vnp_TmnCode": tmn_code,
        "vnp_TransactionType": PARTIAL_REFUND if request.is_partial else FULL_REFUND,
        "vnp_TxnRef": request.order_ref,
        "vnp_Amount": to_wire_amount(request.amount),
        "vnp_TransactionNo": request.gateway_txn_id or "0",
        "vnp_TransactionDate": format_compact(paid_created_at),
        "vnp_CreateBy": request.requested_by,
        "vnp_CreateDate": format_compact(now),
        "vnp_IpAddr": ip_addr,
        "vnp_OrderInfo": request.reason,
    }
    body[_HASH] = sign(secret, joined(body, REFUND_HASH_FIELDS))
    return body


OK = "00"
"""`vnp_ResponseCode` of success."""
DUPLICATE_REQUEST = "94"
"""`vnp_ResponseCode` of a `vnp_RequestId` already used: on a retried refund, the first
attempt was accepted."""
_TRUSTED = frozenset({OK, DUPLICATE_REQUEST})
_COMMANDS = {"query": "querydr", "refund": "refund"}


def _response_fields(command: object) -> tuple[str, ...]:
    return QUERY_RESPONSE_HASH_FIELDS if command == "querydr" else REFUND_RESPONSE_HASH_FIELDS


def read_answer(
    body: Any,
    http_status: int,
    *,
    operation: Literal["query", "refund"],
    secret: str | SecretStr,
    retried: bool = False,
) -> dict[str, Any] | Refusal | None:
    """A querydr/refund answer: the answer when it leads to a result, the refusal, or None
    for an HTTP error status or a body that is not a JSON object.

    An answer that leads to a result (00, or 94 on a retried refund) is trusted only when
    its checksum matches (`SignatureError` otherwise); a refusal is returned as it is (a
    wrong hash secret makes VNPay's refusal fail the check too).
    """
    if http_status >= 400 or not isinstance(body, dict):
        return None
    code = str(body.get("vnp_ResponseCode", ""))
    if code in _TRUSTED:
        expected = sign(secret, joined(body, _response_fields(_COMMANDS[operation])))
        if not same(expected, str(body.get(_HASH) or "").lower()):
            raise SignatureError(
                "VNPay's answer failed its checksum", provider=NAME, operation=operation
            )
    if code == OK or (code == DUPLICATE_REQUEST and retried):
        return body
    message = str(body.get("vnp_Message") or API_CODES.get(code, (None, ""))[1])
    return Refusal(api_error_code(code), code, message or None)


def query_report(answer: Mapping[str, Any], order_ref: str) -> base.PaymentStatusReport:
    """The payment's status from a querydr answer; `ValidationError` when its amount or
    payment date cannot be read."""
    status_code = str(answer.get("vnp_TransactionStatus", ""))
    pay_date = answer.get("vnp_PayDate")
    amount = answer.get("vnp_Amount")
    txn_type = answer.get("vnp_TransactionType")
    return base.PaymentStatusReport(
        gateway=NAME,
        order_ref=order_ref,
        status=query_status(status_code, str(txn_type) if txn_type else None),
        vendor_code=status_code,
        amount=from_wire_amount(str(amount)) if amount not in (None, "") else None,
        gateway_txn_id=str(answer.get("vnp_TransactionNo") or "") or None,
        paid_at=parse_compact(str(pay_date)) if pay_date else None,
        vendor_message=TRANSACTION_STATUSES.get(status_code),
        raw=dict(answer),
    )


def refund_result(answer: Mapping[str, Any], request: base.RefundRequest) -> base.Refund:
    """The refund a refund answer reports: pending while VNPay processes it (05), or when
    a retry heard 94 (an earlier attempt was accepted: confirm it with querydr)."""
    code = str(answer.get("vnp_ResponseCode", ""))
    duplicate = code == DUPLICATE_REQUEST
    pending = duplicate or str(answer.get("vnp_TransactionStatus")) == REFUNDING
    message = str(answer.get("vnp_Message") or "") or None
    return base.Refund(
        gateway=NAME,
        order_ref=request.order_ref,
        refund_ref=request.refund_ref,
        amount=request.amount,
        status=RefundStatus.PENDING if pending else RefundStatus.SUCCEEDED,
        vendor_code=code,
        gateway_refund_id=None if duplicate else str(answer.get("vnp_TransactionNo") or "") or None,
        vendor_message="accepted on an earlier attempt; confirm with query"
        if duplicate
        else message,
        raw=dict(answer),
    )


# -- VNPay's side (the simulator) -----------------------------------------------------------

PAY_OUTCOMES: Mapping[str, tuple[str, str]] = {
    "success": (OK, "00"),
    "cancelled": ("24", "02"),
    "failed": ("51", "02"),
}
"""A citizen's outcome -> (`vnp_ResponseCode`, `vnp_TransactionStatus`) of the callback."""

ORDER_FIELD = "vnp_TxnRef"
"""The form field naming the order on the (simulated) pay page."""
PENDING, PAID, REFUNDING = "01", "00", "05"
"""`vnp_TransactionStatus` of a payment not completed yet, of a successful payment, of a
refund in progress."""
PAYMENT, FULL_REFUND, PARTIAL_REFUND = "01", "02", "03"
"""`vnp_TransactionType` of a payment, a full refund, a partial refund."""

PAY_ERRORS: Mapping[str, str] = {
    "signature": "70",
    "terminal": "71",
    "changed": "72",
    "format": "03",
    "expired": "11",
}
"""The pay page's error codes (`Payment/Error.html?code=NN`) [U]: wrong checksum, unknown
terminal, a `vnp_TxnRef` reused with other content, bad format, expired."""

BAD_TERMINAL, BAD_FORMAT, NOT_FOUND = "02", "03", "91"
REFUND_REFUSED, BAD_CHECKSUM, OTHER_ERROR = "95", "97", "99"
"""querydr/refund refusals: unknown terminal, bad format, no such transaction, refund not
allowed, wrong checksum, other error (`API_CODES`)."""


@dataclass
class PayOrder:
    """A pay redirect as VNPay reads it (amount in whole VND, dates as sent)."""

    txn_ref: str
    amount: int
    create_date: str
    expire_date: str
    order_info: str
    return_url: str
    bank_code: str


def check_pay(
    params: Mapping[str, str],
    *,
    tmn_code: str,
    secret: str | SecretStr,
    now: datetime,
    encoder: Encoder = "java",
) -> PayOrder | str:
    """The order a pay redirect asks for, or the error page's code (`PAY_ERRORS`)."""
    if params.get("vnp_TmnCode") != tmn_code:
        return PAY_ERRORS["terminal"]
    if not same(sign(secret, signing_string(params, encoder)), params.get(_HASH, "")):
        return PAY_ERRORS["signature"]
    required = ("vnp_Amount", "vnp_CreateDate", "vnp_OrderInfo", "vnp_ReturnUrl", "vnp_TxnRef")
    if any(not params.get(k) for k in required):
        return PAY_ERRORS["format"]
    try:
        amount = from_wire_amount(params["vnp_Amount"])
    except ValidationError:
        return PAY_ERRORS["format"]
    expires = params.get("vnp_ExpireDate", "")
    if expires and parse_compact(expires) < now:
        return PAY_ERRORS["expired"]
    return PayOrder(
        txn_ref=params["vnp_TxnRef"],
        amount=amount,
        create_date=params["vnp_CreateDate"],
        expire_date=expires,
        order_info=params["vnp_OrderInfo"],
        return_url=params["vnp_ReturnUrl"],
        bank_code=params.get("vnp_BankCode") or "NCB",
    )


def same_pay(first: Mapping[str, str], second: Mapping[str, str]) -> bool:
    """Whether two pay redirects ask for the same thing (checksums aside)."""
    return {k: v for k, v in first.items() if k != _HASH} == {
        k: v for k, v in second.items() if k != _HASH
    }


def callback(
    order: PayOrder,
    *,
    outcome: str,
    amount: int,
    transaction_no: str,
    pay_date: datetime,
    tmn_code: str,
    secret: str | SecretStr,
    encoder: Encoder = "java",
) -> dict[str, str]:
    """The signed return/IPN parameters of `order` paid (or not: `outcome`), reporting
    `amount` (whole VND)."""
    response_code, status = PAY_OUTCOMES[outcome]
    params = {
        "vnp_Amount": to_wire_amount(amount),
        "vnp_BankCode": order.bank_code,
        "vnp_BankTranNo": f"VNP{transaction_no}",
        "vnp_CardType": "ATM",
        "vnp_OrderInfo": order.order_info,
        "vnp_PayDate": format_compact(pay_date),
        "vnp_ResponseCode": response_code,
        "vnp_TmnCode": tmn_code,
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionStatus": status,
        "vnp_TxnRef": order.txn_ref,
    }
    return signed(params, secret, encoder)


def with_amount(params: Mapping[str, str], amount: int) -> dict[str, str]:
    """`params` reporting another amount (whole VND), the checksum unchanged (a forgery)."""
    return {**params, "vnp_Amount": to_wire_amount(amount)}


def ipn_acknowledged(body: bytes) -> bool:
    """Whether the merchant's IPN answer tells VNPay to stop (RspCode 00 or 02)."""
    try:
        return json.loads(body).get("RspCode") in ("00", "02")
    except (ValueError, AttributeError):
        return False


@dataclass(frozen=True)
class ApiRequest:
    """A querydr or refund request as VNPay reads it (amounts as sent, x100)."""

    command: str
    request_id: str
    tmn_code: str
    txn_ref: str
    transaction_date: str
    signed: bool
    amount: str = ""
    transaction_type: str = ""
    create_by: str | None = None
    order_info: str = ""


def read_api_request(body: Any, *, secret: str | SecretStr) -> ApiRequest | None:
    """A merchant_webapi body read (None when it is not a JSON object); `signed` says
    whether its checksum matches for its command."""
    if not isinstance(body, dict):
        return None
    command = str(body.get("vnp_Command", ""))
    fields = QUERY_HASH_FIELDS if command == "querydr" else REFUND_HASH_FIELDS
    expected = sign(secret, joined(body, fields))
    create_by = body.get("vnp_CreateBy")
    return ApiRequest(
        command=command,
        request_id=str(body.get("vnp_RequestId", "")),
        tmn_code=str(body.get("vnp_TmnCode", "")),
        txn_ref=str(body.get("vnp_TxnRef", "")),
        transaction_date=str(body.get("vnp_TransactionDate", "")),
        signed=same(expected, str(body.get(_HASH, ""))),
        amount=str(body.get("vnp_Amount", "")),
        transaction_type=str(body.get("vnp_TransactionType", "")),
        create_by=None if create_by is None else str(create_by),
        order_info=str(body.get("vnp_OrderInfo", "")),
    )


@dataclass(frozen=True)
class ApiResult:
    """What a querydr or refund answer reports of a transaction (amount in whole VND)."""

    txn_ref: str
    amount: int
    bank_code: str
    pay_date: str
    transaction_no: str
    transaction_type: str
    transaction_status: str
    order_info: str


def api_answer(
    request: ApiRequest | None,
    *,
    code: str,
    message: str,
    tmn_code: str,
    response_id: str,
    secret: str | SecretStr,
    result: ApiResult | None = None,
) -> dict[str, str]:
    """VNPay's signed querydr/refund answer (with `result` on success)."""
    command = request.command if request is not None else ""
    answer = {
        "vnp_ResponseId": response_id,
        "vnp_Command": command,
        "vnp_ResponseCode": code,
        "vnp_Message": message,
        "vnp_TmnCode": tmn_code,
    }
    if result is not None:
        answer.update(
            {
                "vnp_TxnRef": result.txn_ref,
                "vnp_Amount": to_wire_amount(result.amount),
                "vnp_BankCode": result.bank_code,
                "vnp_PayDate": result.pay_date,
                "vnp_TransactionNo": result.transaction_no,
                "vnp_TransactionType": result.transaction_type,
                "vnp_TransactionStatus": result.transaction_status,
                "vnp_OrderInfo": result.order_info,
            }
        )
        if command == "querydr":
            answer.update({"vnp_PromotionCode": "", "vnp_PromotionAmount": ""})
    answer[_HASH] = sign(secret, joined(answer, _response_fields(command)))
    return answer
