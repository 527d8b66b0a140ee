"""SePay's messages: the transfer webhook, its authentication, the transaction list.

Fidelity labels (see docs/banks/reconciliation.md):
- [V] developer.sepay.vn: SePay POSTs JSON for each incoming/outgoing transaction; the
  receiver answers HTTP 2xx with `{"success": true}`; API-key auth sends
  `Authorization: Apikey <key>`; retries up to 7 times at Fibonacci intervals (~33 minutes);
  reject HMAC timestamps more than 5 minutes off; transaction list `GET /v2/transactions`
  with `Authorization: Bearer <token>`, `data` + `meta.pagination`, at most 100 per page.
- [S] integrators' code and third-party notes: the payload field names (`id`, `gateway`,
  `transactionDate` "yyyy-MM-dd HH:mm:ss" in GMT+7, `accountNumber`, `code`, `content`,
  `transferType` in/out, `transferAmount`, `accumulated`, `subAccount`, `referenceCode`,
  `description`); the HMAC scheme `X-SePay-Signature: sha256=<hex>` over
  `"{X-SePay-Timestamp}." + raw body`; the 5-second delivery timeout.
- [U] modelled here: that transaction-list ids equal webhook ids; the `account_number`
  filter of the list.

Every one of those details is a field of `WireProfile`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.banks.matching import BankTransfer, TransferDirection
from connectors.core.errors import ValidationError
from connectors.core.signing import HmacSigner
from connectors.vn.money import parse_amount
from connectors.vn.time import VN_TZ, to_vn

__all__ = [
    "WIRE",
    "WebhookPayload",
    "WireProfile",
    "encode_json",
    "format_time",
    "hmac_signature",
    "list_item",
    "parse_payload",
    "parse_time",
    "payload_for",
    "transfer_from_item",
    "transfer_from_payload",
]

PROVIDER = "sepay"


@dataclass(frozen=True, slots=True)
class WireProfile:
    """Every SePay wire detail in one overridable place (labels in the module docstring)."""

    signature_header: str = "X-SePay-Signature"
    timestamp_header: str = "X-SePay-Timestamp"
    signature_prefix: str = "sha256="
    api_key_header: str = "Authorization"
    api_key_scheme: str = "Apikey"
    timestamp_tolerance: float = 300.0
    time_format: str = "%Y-%m-%d %H:%M:%S"
    success_status: int = 200
    success_body: bytes = b'{"success": true}'
    retry_delays: tuple[float, ...] = (60.0, 60.0, 120.0, 180.0, 300.0, 480.0, 780.0)
    delivery_timeout: float = 5.0
    transactions_path: str = "/v2/transactions"
    page_size: int = 100


WIRE = WireProfile()
"""The default profile."""


def _webhook_amount(value: object) -> int:
    """A webhook amount: a JSON integer or ASCII digits, exact (`parse_amount`); a float,
    a sign, an exponent, a boolean or over 15 digits is refused."""
    try:
        return parse_amount(value)
    except ValidationError as exc:
        raise ValueError(exc.message.removeprefix("amount ")) from None


def _signed_amount(value: object) -> int:
    """The account balance after the transfer (informational; an overdraft is negative):
    as `_webhook_amount`, with an optional leading minus."""
    if isinstance(value, str) and value.startswith("-"):
        return -_webhook_amount(value[1:])
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return -_webhook_amount(-value)
    return _webhook_amount(value)


_ZERO_FRACTION = re.compile(r"\A([0-9]+)\.0+\Z")


def _listed_amount(value: object, name: str) -> int:
    """An amount of the transaction list: as `_webhook_amount`, and also "2277000.00"
    (text with an all-zero fraction, how SePay's API writes amounts [S])."""
    if isinstance(value, str) and (match := _ZERO_FRACTION.match(value)):
        value = match.group(1)
    try:
        return parse_amount(value, field=name)
    except ValidationError as exc:
        raise ValueError(exc.message) from None


class WebhookPayload(BaseModel):
    """The JSON body SePay POSTs for one bank transaction (field names [S])."""

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    id: int | str
    gateway: str | None = None
    transaction_date: str = Field(alias="transactionDate")
    account_number: str = Field(alias="accountNumber")
    code: str | None = None
    content: str = ""
    transfer_type: Literal["in", "out"] = Field(alias="transferType")
    transfer_amount: int = Field(alias="transferAmount")
    accumulated: int | None = None
    sub_account: str | None = Field(default=None, alias="subAccount")
    reference_code: str | None = Field(default=None, alias="referenceCode")
    description: str | None = None

    @field_validator("transfer_amount", mode="before")
    @classmethod
    def _amount(cls, value: object) -> object:
        return _webhook_amount(value)

    @field_validator("accumulated", mode="before")
    @classmethod
    def _balance(cls, value: object) -> object:
        return None if value is None else _signed_amount(value)

    @field_validator("account_number", mode="before")
    @classmethod
    def _account(cls, value: object) -> object:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def parse_time(text: str, profile: WireProfile = WIRE) -> datetime:
    """A SePay time ("2023-03-25 14:02:37", GMT+7) as an aware datetime in GMT+7."""
    try:
        return datetime.strptime(text, profile.time_format).replace(tzinfo=VN_TZ)
    except (TypeError, ValueError):
        raise ValidationError(
            f"transactionDate {text!r} is not {profile.time_format}", field="transactionDate"
        ) from None


def format_time(moment: datetime, profile: WireProfile = WIRE) -> str:
    """`moment` (aware) in SePay's format, GMT+7."""
    return to_vn(moment).strftime(profile.time_format)


def parse_payload(body: bytes) -> WebhookPayload:
    """The webhook body as a `WebhookPayload`; `ValidationError` naming the bad field."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError, huge ints
        raise ValidationError("the webhook body is not JSON", field="body") from None
    if not isinstance(data, dict):
        raise ValidationError("the webhook body is not a JSON object", field="body")
    try:
        return WebhookPayload.model_validate(data)
    except pydantic.ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"]) or "body"
        raise ValidationError(f"{name}: {error['msg']}", field=name) from None


def transfer_from_payload(payload: WebhookPayload, profile: WireProfile = WIRE) -> BankTransfer:
    """The typed `BankTransfer` a webhook payload describes."""
    return BankTransfer(
        transfer_id=str(payload.id),
        account=payload.account_number,
        amount=payload.transfer_amount,
        content=payload.content,
        transferred_at=parse_time(payload.transaction_date, profile),
        direction=TransferDirection(payload.transfer_type),
        reference_code=payload.reference_code,
        bank=payload.gateway,
        code=payload.code,
        sub_account=payload.sub_account,
        source=PROVIDER,
        raw=payload.model_dump(by_alias=True),
    )


def payload_for(
    transfer: BankTransfer, *, accumulated: int | None, profile: WireProfile = WIRE
) -> dict[str, Any]:
    """The webhook JSON object SePay would send for `transfer` (id numeric when it can be)."""
    return {
        "id": int(transfer.transfer_id) if transfer.transfer_id.isdigit() else transfer.transfer_id,
        "gateway": transfer.bank,
        "transactionDate": format_time(transfer.transferred_at, profile),
        "accountNumber": transfer.account,
        "code": transfer.code,
        "content": transfer.content,
        "transferType": transfer.direction.value,
        "transferAmount": transfer.amount,
        "accumulated": accumulated,
        "subAccount": transfer.sub_account,
        "referenceCode": transfer.reference_code,
        "description": transfer.content,
    }


def encode_json(obj: Any) -> bytes:
    """Compact UTF-8 JSON, the bytes that are signed and sent."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def hmac_signature(
    secret: HmacSigner, body: bytes, timestamp: int | str, profile: WireProfile = WIRE
) -> str:
    """The signature header value: prefix + hex HMAC-SHA256 of "{timestamp}." + body."""
    return profile.signature_prefix + secret.sign(f"{timestamp}.".encode() + body)


def list_item(
    transfer: BankTransfer,
    *,
    accumulated: int | None,
    webhook_success: bool,
    profile: WireProfile = WIRE,
) -> dict[str, Any]:
    """One entry of the v2 transaction list for `transfer`."""
    incoming = transfer.direction is TransferDirection.IN
    return {
        "id": transfer.transfer_id,
        "transaction_date": format_time(transfer.transferred_at, profile),
        "account_number": transfer.account,
        "va": transfer.sub_account or "",
        "transfer_type": transfer.direction.value,
        "amount_in": transfer.amount if incoming else 0,
        "amount_out": 0 if incoming else transfer.amount,
        "accumulated": accumulated,
        "transaction_content": transfer.content,
        "reference_number": transfer.reference_code,
        "code": transfer.code,
        "bank_brand_name": transfer.bank,
        "webhook_success": 1 if webhook_success else 0,
    }


def transfer_from_item(item: Any, profile: WireProfile = WIRE) -> BankTransfer:
    """The `BankTransfer` a v2 transaction-list entry describes; `ValidationError` if bad."""
    if not isinstance(item, dict):
        raise ValidationError("a transaction entry is not an object", field="data")
    try:
        direction = TransferDirection(str(item.get("transfer_type")))
        key = "amount_in" if direction is TransferDirection.IN else "amount_out"
        amount = _listed_amount(item.get(key), key)
    except ValueError as exc:
        raise ValidationError(f"bad transaction entry: {exc}", field="data") from None
    return BankTransfer(
        transfer_id=str(item.get("id", "")),
        account=str(item.get("account_number") or ""),
        amount=amount,
        content=str(item.get("transaction_content") or ""),
        transferred_at=parse_time(str(item.get("transaction_date")), profile),
        direction=direction,
        reference_code=item.get("reference_number"),
        bank=item.get("bank_brand_name"),
        code=item.get("code"),
        sub_account=item.get("va") or None,
        source=PROVIDER,
        raw=dict(item),
    )
