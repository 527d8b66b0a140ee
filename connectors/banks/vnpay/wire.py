"""VNPay 2.1.0 on the wire: encoders, signing strings, amounts, dates and code tables.

Shared by the client and the simulator (specs/payments.md section 1). Every detail that
is not from VNPay's own pages lives in `WireProfile` (override it per client); the rest is
fixed here:

- pay/return/IPN: every non-empty `vnp_*` parameter but `vnp_SecureHash(Type)`, keys
  sorted, `key=form-encoded value` joined by `&`, HMAC-SHA512 lowercase hex (1.3);
- querydr and refund: raw values joined by `|` in a fixed order, HMAC-SHA512 (1.6, 1.7);
- `vnp_Amount` is VND x 100: `to_wire_amount` and `from_wire_amount` are the only places
  that scale;
- dates are `yyyyMMddHHmmss` in GMT+7 (`connectors.vn.time`), whatever the host's zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote_plus

from pydantic import SecretStr

from connectors.banks.base import CallbackOutcome, PaymentErrorCode, PaymentStatus
from connectors.core.errors import ValidationError
from connectors.core.signing import HmacSigner
from connectors.vn.money import parse_amount

__all__ = [
    "API_CODES",
    "DEFAULT_PROFILE",
    "PAY_RESPONSE_CODES",
    "QUERY_HASH_FIELDS",
    "QUERY_RESPONSE_HASH_FIELDS",
    "REFUND_HASH_FIELDS",
    "REFUND_RESPONSE_HASH_FIELDS",
    "SANDBOX_BASE_URL",
    "TRANSACTION_STATUSES",
    "WireProfile",
    "api_error_code",
    "encode_value",
    "from_wire_amount",
    "joined",
    "payment_status",
    "query_status",
    "sign",
    "signing_string",
    "to_wire_amount",
]

SANDBOX_BASE_URL = "https://sandbox.vnpayment.vn"
"""The sandbox host: pay page and merchant_webapi both live there [V]."""

Encoder = Literal["java", "python"]


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
    - `max_amount`: `vnp_Amount` is n[1,12] after x100 [V].
    """

    version: str = "2.1.0"
    pay_path: str = "/paymentv2/vpcpay.html"
    api_path: str = "/merchant_webapi/api/transaction"
    encoder: Encoder = "java"
    currency: str = "VND"
    locale: str = "vn"
    order_type: str = "other"
    max_amount: int = 9_999_999_999
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


DEFAULT_PROFILE = WireProfile()

_HASH_KEYS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})


def encode_value(value: str, encoder: Encoder = "java") -> str:
    """Form-encode one value: space as `+`, `:` as `%3A`, `/` as `%2F` (spec 1.3)."""
    if encoder == "python":
        return quote_plus(value, safe="")
    return quote_plus(value, safe="*").replace("~", "%7E")


def signing_string(params: Mapping[str, str], encoder: Encoder = "java") -> str:
    """The string VNPay signs, which is also the query string sent (spec 1.3 steps 1-3)."""
    keys = sorted(
        k for k, v in params.items() if k.startswith("vnp_") and k not in _HASH_KEYS and v != ""
    )
    return "&".join(f"{k}={encode_value(str(params[k]), encoder)}" for k in keys)


def sign(secret: str | SecretStr, data: str) -> str:
    """HMAC-SHA512 of `data` with the hash secret (both UTF-8), lowercase hex."""
    return HmacSigner(secret, "sha512").sign(data)


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
