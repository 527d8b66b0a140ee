"""SePay's messages: the transfer webhook, its authentication, the transaction list.

The only module that speaks SePay's vocabulary, for the clients (`SepayWebhook`,
`SepayTransactions`) and the simulator alike.

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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.banks.matching import BankTransfer, TransferDirection
from connectors.core.deprecation import moved
from connectors.core.errors import ValidationError
from connectors.core.signing import HmacSigner
from connectors.vn.money import parse_amount
from connectors.vn.time import VN_TZ, to_vn

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_PROFILE",
    "NAME",
    "ListQuery",
    "WebhookPayload",
    "WireProfile",
    "bearer_token",
    "detail_answer",
    "encode_json",
    "format_time",
    "hmac_signature",
    "list_headers",
    "list_item",
    "list_params",
    "list_refused",
    "page_answer",
    "parse_payload",
    "parse_time",
    "payload_for",
    "read_list_query",
    "read_page",
    "transfer_from_item",
    "transfer_from_payload",
]

NAME = "sepay"
"""The provider's name."""
DEFAULT_BASE_URL = "https://userapi.sepay.vn"
"""SePay's user API host (the transaction list)."""


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


DEFAULT_PROFILE = WireProfile()
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


def parse_time(text: str, profile: WireProfile = DEFAULT_PROFILE) -> datetime:
    """A SePay time ("2023-03-25 14:02:37", GMT+7) as an aware datetime in GMT+7."""
    try:
        return datetime.strptime(text, profile.time_format).replace(tzinfo=VN_TZ)
    except (TypeError, ValueError):
        raise ValidationError(
            f"transactionDate {text!r} is not {profile.time_format}", field="transactionDate"
        ) from None


def format_time(moment: datetime, profile: WireProfile = DEFAULT_PROFILE) -> str:
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


def transfer_from_payload(
    payload: WebhookPayload, profile: WireProfile = DEFAULT_PROFILE
) -> BankTransfer:
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
        source=NAME,
        raw=payload.model_dump(by_alias=True),
    )


def payload_for(
    transfer: BankTransfer, *, accumulated: int | None, profile: WireProfile = DEFAULT_PROFILE
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
    secret: HmacSigner, body: bytes, timestamp: int | str, profile: WireProfile = DEFAULT_PROFILE
) -> str:
    """The signature header value: prefix + hex HMAC-SHA256 of "{timestamp}." + body."""
    return profile.signature_prefix + secret.sign(f"{timestamp}.".encode() + body)


def list_item(
    transfer: BankTransfer,
    *,
    accumulated: int | None,
    webhook_success: bool,
    profile: WireProfile = DEFAULT_PROFILE,
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


def transfer_from_item(item: Any, profile: WireProfile = DEFAULT_PROFILE) -> BankTransfer:
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
        source=NAME,
        raw=dict(item),
    )


# -- the transaction list ------------------------------------------------------------------------


def list_headers(token: str) -> dict[str, str]:
    """The headers of a transaction-list call (the API token as a Bearer token)."""
    return {"Authorization": f"Bearer {token}", "Accept": "application/json"}


def list_params(
    *,
    since: datetime | None,
    until: datetime | None,
    account: str | None,
    direction: TransferDirection | None,
    profile: WireProfile = DEFAULT_PROFILE,
) -> dict[str, str]:
    """The query of a transaction-list read, oldest first, a full page at a time (add
    `page`)."""
    params = {"per_page": str(profile.page_size), "transaction_date_sort": "asc"}
    if since is not None:
        params["transaction_date_from"] = format_time(since, profile)
    if until is not None:
        params["transaction_date_to"] = format_time(until, profile)
    if account is not None:
        params["account_number"] = account
    if direction is not None:
        params["transfer_type"] = TransferDirection(direction).value
    return params


def read_page(
    content: bytes, profile: WireProfile = DEFAULT_PROFILE
) -> tuple[list[BankTransfer], bool]:
    """A page of the transaction list: its transfers and whether more pages follow.

    Raises `ValueError` (JSON, `ValidationError`), `KeyError`, `TypeError` or
    `AttributeError` for a page that cannot be read.
    """
    body: Any = json.loads(content.decode("utf-8"))
    items = body["data"]
    if not isinstance(items, list):
        raise TypeError("data is not a list")
    has_more = bool(body.get("meta", {}).get("pagination", {}).get("has_more", False))
    return [transfer_from_item(item, profile) for item in items], has_more


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer ...` header (None without one)."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


@dataclass(frozen=True)
class ListQuery:
    """A transaction-list query as SePay reads it (bounds in GMT+7)."""

    page: int
    per_page: int
    since_id: int | None
    start: datetime | None
    stop: datetime | None
    transfer_type: str | None
    account: str | None
    ascending: bool

    def takes(self, transfer: BankTransfer) -> bool:
        """Whether `transfer` passes the query's filters."""
        return (
            (self.start is None or transfer.transferred_at >= self.start)
            and (self.stop is None or transfer.transferred_at <= self.stop)
            and self.transfer_type in (None, transfer.direction.value)
            and self.account in (None, transfer.account)
            and (self.since_id is None or int(transfer.transfer_id) > self.since_id)
        )


def read_list_query(
    args: Mapping[str, str], profile: WireProfile = DEFAULT_PROFILE
) -> ListQuery | None:
    """A transaction-list query, or None when SePay refuses its parameters."""
    try:
        query = ListQuery(
            page=int(args.get("page", "1")),
            per_page=int(args.get("per_page", "20")),
            since_id=int(args["since_id"]) if "since_id" in args else None,
            start=_bound(args.get("transaction_date_from"), end=False, profile=profile),
            stop=_bound(args.get("transaction_date_to"), end=True, profile=profile),
            transfer_type=args.get("transfer_type"),
            account=args.get("account_number"),
            ascending=args.get("transaction_date_sort", "desc") == "asc",
        )
    except (ValueError, ValidationError):
        return None
    if query.page < 1 or not 1 <= query.per_page <= profile.page_size:
        return None
    return query


def _bound(value: str | None, *, end: bool, profile: WireProfile) -> datetime | None:
    """A list filter bound: "YYYY-MM-DD" (the whole day) or "YYYY-MM-DD HH:MM:SS", GMT+7."""
    if value is None:
        return None
    if len(value) == 10:
        value += " 23:59:59" if end else " 00:00:00"
    return parse_time(value, profile)


def page_answer(items: list[dict[str, object]], *, total: int, query: ListQuery) -> dict[str, Any]:
    """One page of the transaction list, with its pagination."""
    last_page = max((total + query.per_page - 1) // query.per_page, 1)
    pagination = {
        "total": total,
        "per_page": query.per_page,
        "current_page": query.page,
        "last_page": last_page,
        "has_more": query.page < last_page,
    }
    return {"status": "success", "data": items, "meta": {"pagination": pagination}}


def detail_answer(item: dict[str, object]) -> dict[str, Any]:
    """The answer about one transaction."""
    return {"status": "success", "data": item}


def list_refused(status: int) -> dict[str, Any]:
    """SePay's error answer with HTTP `status` (401, 404 or 422)."""
    if status == 401:
        return {"status": "error", "message": "Unauthenticated"}
    return {"status": "error", "error_code": "not_found" if status == 404 else "invalid_params"}


__getattr__ = moved(__name__, {"WIRE": "connectors.banks.sepay.wire:DEFAULT_PROFILE"})
