"""The `InvoiceProvider` protocol every e-invoice vendor adapter implements, and what it returns.

Idempotency (spec 2.9): `issue(doc, idempotency_key=...)` takes the caller's key (VNPT
``fkey``, Viettel ``transactionUuid``, MISA ``RefID``...). Store it *before* calling; reuse it
after a crash. When the answer is lost (a timeout after the request left), the adapter looks
the document up by that key before any retry and returns the document it finds, so a retry
never issues twice. `OutcomeUnknown` (carrying the key) is raised only when the vendor offers
no lookup, or the lookup itself cannot answer.
"""

from __future__ import annotations

import enum
import importlib
import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from connectors.core.errors import (
    ConfigError,
    ConnectorError,
    Duplicate,
    NotFound,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    TransportError,
    ValidationError,
)
from connectors.einvoice.models import Invoice, Receipt
from connectors.providers import by_domain

__all__ = [
    "DOCUMENT_MAX_BYTES",
    "MALFORMED",
    "PROVIDERS",
    "VENDOR_ENV",
    "DocumentStatus",
    "DownloadFormat",
    "InvoiceProvider",
    "IssuedDocument",
    "Vendor",
    "check_key",
    "issue_with_lookup",
    "new_key",
    "provider_from_env",
    "status_of",
    "status_text",
]

MALFORMED = "malformed_response"

DOCUMENT_MAX_BYTES = 25 * 1024 * 1024
"""The largest answer a download (PDF, signed XML, a vendor's ZIP; base64 inside JSON or
SOAP included) may be: far above a one-page receipt, far below what would strain memory.
Every other e-invoice call keeps the transport's default limit (4 MiB)."""
"""The `ProviderError.code` of an answer the adapter cannot read."""

DownloadFormat = Literal["pdf", "xml"]
"""What `download` returns: the printable PDF or the signed XML."""


class DocumentStatus(enum.StrEnum):
    """Where an issued document stands at the vendor."""

    ISSUED = "issued"
    """Issued and signed (and coded by the tax authority when the series is coded)."""
    PENDING = "pending"
    """Accepted but not numbered yet (vendor works asynchronously): ask again later."""
    CANCELLED = "cancelled"
    """Cancelled (hủy)."""
    REPLACED = "replaced"
    """Replaced by another document (bị thay thế)."""
    ADJUSTED = "adjusted"
    """Adjusted by another document (bị điều chỉnh)."""


@dataclass(frozen=True)
class IssuedDocument:
    """A document as the vendor holds it.

    `key` is the idempotency key it was issued under; `number` the invoice number (SHDon,
    None while pending); `template` and `symbol` its KHMSHDon/KHHDon (or EBL01/25T);
    `lookup_code` the code a citizen types on the vendor's portal to find it (mã tra cứu);
    `issued_at` aware, in GMT+7; `raw` the vendor's answer, for audit.
    """

    provider: str
    key: str
    number: str | None
    template: str
    symbol: str
    lookup_code: str | None
    issued_at: datetime | None
    status: DocumentStatus
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Vendor:
    """What the domain knows of a vendor's wire, declared once in its `wire.py` (``VENDOR``).

    `name` is the registry name (``vnpt``); `title` the vendor in messages; `key_field` its
    name for our idempotency key (``fkey``) and `key_min_length`..`key_max_length` its
    limits; `not_found_code` the vendor code a lookup that found nothing carries;
    `secret_fields` the message fields that carry a secret (masked in logs).
    """

    name: str
    title: str
    key_field: str
    not_found_code: str | None = None
    key_min_length: int = 1
    key_max_length: int = 36
    secret_fields: tuple[str, ...] = ()


@runtime_checkable
class InvoiceProvider(Protocol):
    """An e-invoice vendor: issue, look up, cancel, replace, adjust, download.

    Every method raises our errors only: `ValidationError` before sending, `ProviderError`
    subclasses with `code` from `connectors.einvoice.codes.ResultCode`, `TransportError`,
    or `OutcomeUnknown` with the key.
    """

    name: str

    def issue(self, doc: Invoice | Receipt, idempotency_key: str | None = None) -> IssuedDocument:
        """Issue (and sign) `doc` under `idempotency_key` (made if None: see `.key`)."""
        ...

    def get(self, key: str) -> IssuedDocument:
        """The document issued under `key`; `NotFound` if there is none."""
        ...

    def status(self, key: str) -> DocumentStatus:
        """The status of the document issued under `key`."""
        ...

    def cancel(self, key: str, reason: str) -> IssuedDocument:
        """Cancel the document issued under `key` (hủy); returns it with its new status."""
        ...

    def replace(
        self, key: str, doc: Invoice | Receipt, *, reason: str, idempotency_key: str | None = None
    ) -> IssuedDocument:
        """Issue `doc` replacing the document under `key` (thay thế); returns the new one."""
        ...

    def adjust(
        self, key: str, doc: Invoice | Receipt, *, reason: str, idempotency_key: str | None = None
    ) -> IssuedDocument:
        """Issue `doc` adjusting the document under `key` (điều chỉnh); returns the new one."""
        ...

    def download(self, key: str, format: DownloadFormat = "pdf") -> bytes:
        """The document under `key` as PDF or XML bytes."""
        ...


def status_of(
    table: Mapping[str, DocumentStatus], value: str | None, default: DocumentStatus
) -> DocumentStatus:
    """Our status for a vendor's status `value` (`default` for one `table` lacks)."""
    return table.get(value or "", default)


def status_text(table: Mapping[str, DocumentStatus], status: DocumentStatus, default: str) -> str:
    """The vendor's text for our `status`: the first `table` entry naming it, else `default`."""
    return next((text for text, ours in table.items() if ours is status), default)


def new_key() -> str:
    """A fresh idempotency key: 32 lower-case hex characters (fits every vendor's limits)."""
    return uuid.uuid4().hex


def check_key(key: str | None, *, min_length: int = 1, max_length: int = 36) -> str:
    """`key`, or a new one if None; `ValidationError` (field "idempotency_key") if unusable.

    Keys are printable ASCII without spaces, `min_length`..`max_length` characters (the
    vendor's limits: Viettel ``transactionUuid`` 10-36).
    """
    if key is None:
        return new_key()
    if (
        not isinstance(key, str)
        or not min_length <= len(key) <= max_length
        or not all(33 <= ord(c) < 127 for c in key)
    ):
        raise ValidationError(
            f"idempotency key must be {min_length}-{max_length} printable ASCII characters "
            "without spaces",
            field="idempotency_key",
        )
    return key


def issue_with_lookup(
    send: Callable[[], IssuedDocument],
    lookup: Callable[[], IssuedDocument | None],
    *,
    key: str,
    provider: str,
    operation: str,
    attempts: int = 3,
    wait: Callable[[int], None] = lambda _retry: None,
) -> IssuedDocument:
    """Send a keyed write; when its answer is lost, look it up by `key` before any retry.

    `send` performs one attempt (no transport retries of its own) and returns the document;
    `lookup` returns the document issued under `key`, or None if the vendor has none. An
    ambiguous answer -- lost (a `TransportError`: timeout, reset, truncated body; an
    `OutcomeUnknown`), a 5xx (`ProviderUnavailable`: it may come after the commit) or an
    unreadable one (a `ProviderError` with code ``malformed_response``) -- is followed by
    the lookup before anything is resent; a `RateLimited` answer is retried the same way. A
    `Duplicate` answer (the key was used before, e.g. by a run that crashed) is also resolved
    by the lookup, so issuing under one key is idempotent. `wait(n)` is called before
    re-sending attempt n + 1, only when the lookup found nothing. Raises `OutcomeUnknown`
    with the key when the lookup cannot tell (it fails in any way but "not found"), or when
    nothing was found after the last attempt; other errors pass through.
    """
    last: ConnectorError | None = None
    for attempt in range(1, max(attempts, 1) + 1):
        if attempt > 1:
            found = _lookup_or_unknown(lookup, key, provider, operation, last)
            if found is not None:
                return found
            wait(attempt - 1)
        try:
            return send()
        except Duplicate as exc:
            found = _lookup_or_unknown(lookup, key, provider, operation, exc)
            if found is not None:
                return found
            raise
        except TransportError as exc:
            last = exc
        except (OutcomeUnknown, ProviderUnavailable, RateLimited) as exc:
            last = exc
        except ProviderError as exc:
            if exc.code != MALFORMED:
                raise
            last = exc
    found = _lookup_or_unknown(lookup, key, provider, operation, last)
    if found is not None:
        return found
    raise OutcomeUnknown(
        f"{operation} at {provider} did not complete after {attempts} attempt(s); "
        "the document was not found under its key",
        idempotency_key=key,
        provider=provider,
        operation=operation,
    ) from last


def _lookup_or_unknown(
    lookup: Callable[[], IssuedDocument | None],
    key: str,
    provider: str,
    operation: str,
    cause: ConnectorError | None,
) -> IssuedDocument | None:
    try:
        return lookup()
    except NotFound:
        return None
    except ConnectorError as exc:
        # Whatever stops the lookup (network, 5xx, an unreadable answer, a refused login),
        # it cannot tell whether the write happened.
        raise OutcomeUnknown(
            f"{operation} at {provider} may or may not have happened and the lookup by key "
            f"failed: {exc.message}",
            idempotency_key=key,
            provider=provider,
            operation=operation,
        ) from (cause or exc)


VENDOR_ENV = "CONNECTORS_EINVOICE_VENDOR"
"""The environment variable naming the commune's vendor (``vnpt``, ``viettel``, ...)."""

PROVIDERS: dict[str, str] = {p.name: p.client for p in by_domain("einvoice")}
"""Vendor name -> ``"module:Class"`` of its adapter (imported only when chosen; derived
from `connectors.providers`). Each class has ``from_env(**values)`` reading its own
``CONNECTORS_<VENDOR>_...`` settings."""


def provider_from_env(vendor: str | None = None, **values: Any) -> InvoiceProvider:
    """The adapter of `vendor` (default: ``$CONNECTORS_EINVOICE_VENDOR``), configured from
    its environment variables and `values`.

    This is how a commune switches vendors without touching code. Raises `ConfigError`
    (field ``"vendor"``) for a missing or unknown vendor, and the adapter's `ConfigError`
    for bad settings.
    """
    name = (vendor if vendor is not None else os.environ.get(VENDOR_ENV, "")).strip().lower()
    target = PROVIDERS.get(name)
    if target is None:
        known = ", ".join(sorted(PROVIDERS))
        raise ConfigError(
            f"unknown e-invoice vendor {name!r} ({VENDOR_ENV}); expected one of: {known}",
            field="vendor",
        )
    module_name, _, class_name = target.partition(":")
    adapter = getattr(importlib.import_module(module_name), class_name)
    provider: InvoiceProvider = adapter.from_env(**values)
    return provider
