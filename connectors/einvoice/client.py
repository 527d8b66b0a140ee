"""The base of every e-invoice vendor client: what `InvoiceProvider` asks, written once.

A vendor's client subclasses `InvoiceClient` (on `connectors.core.client.ProviderClient`:
settings declared once, keywords + `from_settings` + `from_env`) and implements its
vendor's steps:

- `_create(doc, key, operation, related)`: issue `doc` under the idempotency `key`, sent
  through `_issue_keyed` (looked up by key before any resend); `related` is the document a
  replacement or an adjustment refers to (None for a plain issue);
- `_find(key)`: the document issued under `key`, or None;
- `_cancel(document, reason)`: cancel a document that is not cancelled yet;
- `_download(key, format)`: its PDF or XML bytes (read up to `DOCUMENT_MAX_BYTES`).

The base checks every input before anything is sent (document, key, reason, format: a
`ValidationError` naming the field), answers `get`, `status`, `cancel`, `replace`, `adjust`
and `download` from those steps, turns a vendor's refusal into the domain's error
(`connectors.einvoice.codes.INVOICE_ERRORS`) and reads a REST vendor's JSON answers.
Everything a vendor names on the wire is in its provider's `wire.py`.
"""

from __future__ import annotations

import enum
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import requests

from connectors.core.client import ProviderClient
from connectors.core.errors import (
    ConnectorError,
    NotFound,
    ProviderError,
    Rejected,
    ValidationError,
)
from connectors.core.http_errors import error_for_status, request_id_of
from connectors.core.redaction import Redactor
from connectors.core.transport import Transport
from connectors.einvoice.codes import Refusal, ResultCode, refusal_error
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import (
    DOCUMENT_MAX_BYTES,
    MALFORMED,
    DocumentStatus,
    DownloadFormat,
    IssuedDocument,
    Vendor,
    check_key,
    issue_with_lookup,
)
from connectors.vn.time import now_vn, to_vn

if TYPE_CHECKING:  # settings (pydantic-settings) load with the first vendor client
    from connectors.core.config import ProviderSettings

__all__ = [
    "REASON_MAX_LENGTH",
    "InvoiceClient",
    "Related",
    "RelatedKind",
    "TokenCache",
    "check_reason",
    "read_json",
]

S = TypeVar("S", bound="ProviderSettings")
P = TypeVar("P")

Doc = Invoice | Receipt

REASON_MAX_LENGTH = 255
"""The longest cancel, replace or adjust reason every vendor takes."""


class RelatedKind(enum.StrEnum):
    """How a new document refers to an issued one."""

    REPLACE = "replace"
    """Thay thế: the new document replaces the old one."""
    ADJUST = "adjust"
    """Điều chỉnh: the new document adjusts the old one."""


@dataclass(frozen=True)
class Related:
    """The document a replacement or an adjustment refers to, as the vendor holds it."""

    kind: RelatedKind
    original: IssuedDocument
    reason: str


def check_reason(reason: str) -> str:
    """`reason` stripped; `ValidationError` (field "reason") when empty or too long."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("a reason is required", field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            f"the reason is longer than {REASON_MAX_LENGTH} characters", field="reason"
        )
    return reason.strip()


class InvoiceClient(ProviderClient[S], Generic[S, P], ABC):
    """Implements `InvoiceProvider` over a vendor's steps (see the module docstring).

    `profile` is the vendor's `wire.WireProfile` (every guessed wire detail; the class's
    `default_profile` when None); `clock` (seconds since the epoch) dates documents
    without `issued_at` and ages tokens. Thread-safe.
    """

    vendor: ClassVar[Vendor] = Vendor("provider", "the vendor", "key")
    """The vendor's facts (its `wire.VENDOR`); `name` and `secret_wire_fields` follow it."""
    default_profile: ClassVar[Any] = None
    """The vendor's `wire.DEFAULT_PROFILE`."""
    document_max_bytes: ClassVar[int] = DOCUMENT_MAX_BYTES
    """How large a download's answer may be."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        vendor = cls.__dict__.get("vendor")
        if isinstance(vendor, Vendor):
            cls.name = vendor.name
            cls.secret_wire_fields = vendor.secret_fields

    def __init__(
        self,
        settings: S | None = None,
        /,
        *,
        transport: Transport | None = None,
        profile: P | None = None,
        clock: Callable[[], float] = time.time,
        **fields: Any,
    ) -> None:
        super().__init__(settings, transport=transport, **fields)
        self.profile: P = self.default_profile if profile is None else profile
        self._clock = clock

    # -- a vendor's steps ----------------------------------------------------------------

    @abstractmethod
    def _create(
        self, doc: Doc, key: str, operation: str, related: Related | None
    ) -> IssuedDocument:
        """Issue `doc` under `key` (through `_issue_keyed`); `operation` names it in errors."""

    @abstractmethod
    def _find(self, key: str) -> IssuedDocument | None:
        """The document issued under `key`, or None."""

    @abstractmethod
    def _cancel(self, document: IssuedDocument, reason: str) -> IssuedDocument:
        """Cancel `document` (not cancelled yet); the document as it stands after."""

    @abstractmethod
    def _download(self, key: str, format: DownloadFormat) -> bytes:
        """The document under `key` as PDF or XML bytes."""

    def _check_doc(self, doc: Doc, prefix: str = "") -> None:
        """The vendor's own limits on a document (`ValidationError` naming `prefix` + the
        field, before anything is sent); none by default."""

    def _cancel_refused(self, key: str, refusal: ConnectorError) -> IssuedDocument:
        """After a cancel refused as ``wrong_state`` (already cancelled, whoever did it):
        the document as the vendor holds it."""
        return self.get(key)

    # -- InvoiceProvider -----------------------------------------------------------------

    def issue(self, doc: Doc, idempotency_key: str | None = None) -> IssuedDocument:
        """Issue (and sign) `doc` under `idempotency_key` (made if None: see `.key`).

        A lost or ambiguous answer is followed by a lookup by key before any resend; one key
        issues once. `OutcomeUnknown` (with the key) when the lookup cannot tell.
        """
        doc, key = self._checked(doc, idempotency_key)
        return self._create(doc, key, "issue", None)

    def get(self, key: str) -> IssuedDocument:
        """The document issued under `key`; `NotFound` if there is none."""
        found = self._find(key)
        if found is None:
            raise NotFound(
                f"no {self.vendor.title} invoice under {self.vendor.key_field} {key!r}",
                provider=self.name,
                operation="get",
                code=ResultCode.NOT_FOUND.value,
                vendor_code=self.vendor.not_found_code,
            )
        return found

    def status(self, key: str) -> DocumentStatus:
        """The status of the document issued under `key`."""
        return self.get(key).status

    def cancel(self, key: str, reason: str) -> IssuedDocument:
        """Cancel the document issued under `key` (hủy); cancelling it again is a no-op."""
        reason = check_reason(reason)
        current = self.get(key)
        if current.status is DocumentStatus.CANCELLED:
            return current
        try:
            return self._cancel(current, reason)
        except Rejected as exc:
            if exc.code != ResultCode.WRONG_STATE.value:
                raise
            return self._cancel_refused(key, exc)

    def replace(
        self, key: str, doc: Doc, *, reason: str, idempotency_key: str | None = None
    ) -> IssuedDocument:
        """Issue `doc` replacing the document under `key` (thay thế); returns the new one."""
        return self._issue_related(RelatedKind.REPLACE, key, doc, reason, idempotency_key)

    def adjust(
        self, key: str, doc: Doc, *, reason: str, idempotency_key: str | None = None
    ) -> IssuedDocument:
        """Issue `doc` adjusting the document under `key` (điều chỉnh); returns the new one."""
        return self._issue_related(RelatedKind.ADJUST, key, doc, reason, idempotency_key)

    def download(self, key: str, format: DownloadFormat = "pdf") -> bytes:
        """The document under `key` as PDF or XML bytes; `format` checked before sending."""
        if format not in ("pdf", "xml"):
            raise ValidationError(f"format must be 'pdf' or 'xml', not {format!r}", field="format")
        return self._download(key, format)

    # -- for the vendor's steps ----------------------------------------------------------

    def _checked(self, doc: object, idempotency_key: str | None) -> tuple[Doc, str]:
        """`doc` and its key, or `ValidationError` before anything is sent."""
        if not isinstance(doc, Invoice | Receipt):
            raise ValidationError("doc must be an Invoice or a Receipt", field="doc")
        self._check_doc(doc)
        vendor = self.vendor
        key = check_key(
            idempotency_key, min_length=vendor.key_min_length, max_length=vendor.key_max_length
        )
        return doc, key

    def _issue_related(
        self,
        kind: RelatedKind,
        key: str,
        doc: Doc,
        reason: str,
        idempotency_key: str | None,
    ) -> IssuedDocument:
        doc, new_key = self._checked(doc, idempotency_key)
        reason = check_reason(reason)
        if new_key == key:
            raise ValidationError(
                "the new document needs its own idempotency key", field="idempotency_key"
            )
        original = self.get(key)  # NotFound before anything is written
        return self._create(doc, new_key, kind.value, Related(kind, original, reason))

    def _issue_keyed(
        self,
        send: Callable[[], IssuedDocument],
        key: str,
        operation: str,
        lookup: Callable[[], IssuedDocument | None] | None = None,
    ) -> IssuedDocument:
        """`send` one keyed write, looked up by `key` (`_find`, or `lookup`) after an
        ambiguous answer and before any resend (`issue_with_lookup`)."""
        return issue_with_lookup(
            send,
            lookup if lookup is not None else lambda: self._find(key),
            key=key,
            provider=self.name,
            operation=operation,
            attempts=self.transport.retry.max_attempts,
            wait=self._wait,
        )

    def _wait(self, retry: int) -> None:
        """Before re-sending a write the lookup did not find (retry `retry`)."""
        policy = self.transport.retry
        policy.sleep(policy.backoff(retry))

    def _issued_at(self, doc: Doc) -> datetime:
        """When `doc` is issued: its own `issued_at`, else now (GMT+7)."""
        return to_vn(doc.issued_at) if doc.issued_at else now_vn(self._clock)

    def _malformed(self, operation: str, message: str, **context: Any) -> ProviderError:
        """The error of an answer that cannot be read (code ``malformed_response``)."""
        return ProviderError(
            message, provider=self.name, operation=operation, code=MALFORMED, **context
        )

    def _refused(self, refusal: Refusal, operation: str, **context: Any) -> ProviderError:
        """The error of a vendor's refusal (`INVOICE_ERRORS`), its raw answer kept."""
        return refusal_error(refusal, provider=self.name, operation=operation, **context)

    def _json_answer(
        self,
        response: requests.Response,
        operation: str,
        refusal_of: Callable[[Any, int], Refusal | None],
    ) -> dict[str, Any]:
        """A REST vendor's JSON answer, or its error (`read_json`)."""
        return read_json(
            response,
            operation,
            provider=self.name,
            title=self.vendor.title,
            redactor=self.transport.redactor,
            refusal_of=refusal_of,
        )


def read_json(
    response: requests.Response,
    operation: str,
    *,
    provider: str,
    title: str,
    redactor: Redactor,
    refusal_of: Callable[[Any, int], Refusal | None],
) -> dict[str, Any]:
    """A REST vendor's JSON answer (an object), or its error.

    `refusal_of(body, http_status)` (the vendor's `wire.py`) reads a refusal, raised as the
    domain's error; then an HTTP error status raises its error (`error_for_status`) and a
    body that is not a JSON object is malformed. Every error carries the HTTP status, the
    request id and a redacted excerpt of the body.
    """
    try:
        body = response.json()
    except ValueError:  # requests' JSONDecodeError too
        body = None
    context: dict[str, Any] = {
        "http_status": response.status_code,
        "request_id": request_id_of(response.headers),
        "body_excerpt": redactor.excerpt(response.content, response.headers.get("Content-Type")),
    }
    refusal = refusal_of(body, response.status_code)
    if refusal is not None:
        raise refusal_error(refusal, provider=provider, operation=operation, **context)
    if response.status_code >= 400:
        raise error_for_status(response, provider=provider, operation=operation, redactor=redactor)
    if not isinstance(body, dict):
        raise ProviderError(
            f"{title} answered {operation} with a body that is not JSON",
            provider=provider,
            operation=operation,
            code=MALFORMED,
            **context,
        )
    return body


class TokenCache:
    """A vendor's session token, kept until shortly before it expires; thread-safe.

    `login()` signs in and returns the token and how many seconds it lives; it is called
    when there is no token, it is too old (`margin` seconds before its end), or on `get(force=True)`
    (the vendor said it expired). One login at a time.
    """

    def __init__(
        self,
        login: Callable[[], tuple[str, float]],
        *,
        clock: Callable[[], float] = time.time,
        margin: float = 0.0,
    ) -> None:
        self._login = login
        self._clock = clock
        self._margin = margin
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0

    def get(self, *, force: bool = False) -> str:
        """The token, signing in first when needed (or `force`)."""
        with self._lock:
            now = self._clock()
            if not force and self._token is not None and now < self._expires:
                return self._token
            token, lifetime = self._login()
            self._token = token
            self._expires = now + max(lifetime - self._margin, 0.0)
            return token
