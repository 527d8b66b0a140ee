"""The MISA meInvoice adapter: `MisaMeInvoice` implements `InvoiceProvider` over REST/JSON.

Fidelity: derived from an unofficial copy of MISA's integration document (spec einvoice.md
2.4, [P]); guessed details are in `connectors.einvoice.misa.wire.MisaProfile`.

- ``POST /auth/token`` with ``appid``, ``taxcode``, ``username``, ``password`` gives a
  bearer token (valid ~14 days; refreshed weekly, and at once when MISA says it expired).
- `issue` sends ``POST /invoice`` with the caller's key as ``RefID``. When the answer is
  lost, or MISA says ``DuplicateRefID``, the document is looked up by RefID
  (``/invoice/status``, ``inputType`` 2) before any retry: a timeout never issues twice.
- Writes on one series are serialised by a per-series lock (`SeriesLocks`), because MISA
  numbers a series in arrival order and refuses concurrent requests.
- Limits are checked before anything is sent: <= 30 invoices per request, <= 200 lines per
  invoice (`ValidationError`).
- Every MISA code maps onto `ResultCode` (`connectors.einvoice.codes`); a top-level
  ``success: true`` is not trusted alone: each invoice's own ``ErrorCode`` is checked.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from connectors.core.config import load_settings
from connectors.core.errors import (
    ConnectorError,
    Duplicate,
    NotFound,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    Rejected,
    TransportError,
    ValidationError,
)
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import Transport
from connectors.einvoice.codes import Refusal, ResultCode, refusal_error
from connectors.einvoice.misa.series import SeriesLock, SeriesLocks
from connectors.einvoice.misa.session import PROVIDER, MisaSession, MisaSettings
from connectors.einvoice.misa.wire import (
    DEFAULT_PROFILE,
    MisaProfile,
    OriginalInvoice,
    decode_result_list,
    invoice_payload,
    result_code_of,
)
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import (
    DOCUMENT_MAX_BYTES,
    MALFORMED,
    DocumentStatus,
    DownloadFormat,
    IssuedDocument,
    check_key,
    issue_with_lookup,
)
from connectors.vn import VN_TZ, now_vn, to_vn

__all__ = ["MisaMeInvoice", "MisaSettings"]

Doc = Invoice | Receipt


class MisaMeInvoice:
    """Issue, look up, cancel, replace, adjust and download through MISA meInvoice.

    Thread-safe. `series_locks` may be shared between clients of one process; pass
    `PostgresSeriesLocks` when several processes or servers issue on one series. `clock`
    (seconds since the epoch) dates documents without `issued_at` and ages the token.
    """

    name = PROVIDER

    def __init__(
        self,
        settings: MisaSettings,
        *,
        profile: MisaProfile = DEFAULT_PROFILE,
        transport: Transport | None = None,
        series_locks: SeriesLock | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.profile = profile
        self.transport = settings.transport(
            PROVIDER, "Authorization", "token", "appid", "data", given=transport
        )
        self.series_locks: SeriesLock = series_locks or SeriesLocks(
            spacing=profile.series_spacing_seconds
        )
        self._clock = clock
        self.session = MisaSession(settings, self.transport, profile=profile, clock=clock)

    @classmethod
    def from_env(cls, **values: Any) -> MisaMeInvoice:
        """A client from ``CONNECTORS_MISA_*`` (and `values`); ConfigError if bad."""
        return cls(load_settings(MisaSettings, **values))

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def __repr__(self) -> str:
        return f"MisaMeInvoice(base_url={self.settings.base_url!r})"

    # -- InvoiceProvider -----------------------------------------------------------------

    def issue(self, doc: Doc, idempotency_key: str | None = None) -> IssuedDocument:
        """Issue `doc` with ``RefID`` = `idempotency_key` (made if None).

        Lost answer or ``DuplicateRefID`` -> lookup by RefID before any retry;
        `OutcomeUnknown` (with the key) when that cannot answer.
        """
        return self._issue_one(doc, idempotency_key, None, "issue")

    def issue_batch(
        self, docs: Sequence[Doc], keys: Sequence[str | None] | None = None
    ) -> list[IssuedDocument]:
        """Issue up to 30 documents in one request; returns them in order.

        Limits are checked before sending. Each document keeps its own RefID; after a lost
        answer the documents already issued are found by RefID and only the others resent.
        A document MISA refuses raises its error (the others stay issued: look them up).
        """
        if not docs:
            raise ValidationError("a batch needs at least one document", field="docs")
        if len(docs) > self.profile.max_invoices_per_request:
            raise ValidationError(
                f"MISA takes at most {self.profile.max_invoices_per_request} invoices per "
                f"request, got {len(docs)}",
                field="docs",
            )
        wanted = list(keys) if keys is not None else [None] * len(docs)
        if len(wanted) != len(docs):
            raise ValidationError("one key per document", field="keys")
        checked = [check_key(k) for k in wanted]
        if len(set(checked)) != len(checked):
            raise ValidationError("keys must differ within a batch", field="keys")
        for index, doc in enumerate(docs):
            self._check_doc(doc, f"docs[{index}].")
        payloads = [
            invoice_payload(d, ref_id=k, issue_date=self._issue_date(d))
            for d, k in zip(docs, checked, strict=True)
        ]
        pending = dict(zip(checked, payloads, strict=True))
        issued: dict[str, IssuedDocument] = {}
        refused: dict[str, ProviderError] = {}
        attempts = self.transport.retry.max_attempts
        with self.series_locks.hold_all(self._series_key(d) for d in docs):
            for attempt in range(1, attempts + 1):
                if attempt > 1:
                    self._wait(attempt - 1)
                    for key in list(pending):
                        found = self._lookup_or_unknown(key, "issue_batch")
                        if found is not None:
                            issued[key] = found
                            del pending[key]
                if not pending:
                    break
                try:
                    results, errors = self._send_invoices(
                        list(pending.values()), list(pending), "issue_batch"
                    )
                except (TransportError, OutcomeUnknown, ProviderUnavailable):
                    continue  # ambiguous: look the documents up before resending
                except ProviderError as exc:
                    if exc.code != MALFORMED:
                        raise
                    continue
                for key, document in results.items():
                    issued[key] = document
                    del pending[key]
                for key, error in errors.items():
                    if isinstance(error, Duplicate):
                        found = self._lookup_or_unknown(key, "issue_batch")
                        if found is not None:
                            issued[key] = found
                            del pending[key]
                            continue
                    if error.retryable:
                        continue
                    refused[key] = error
                    del pending[key]
                if not pending:
                    break
        if pending:
            raise OutcomeUnknown(
                f"{len(pending)} document(s) of the batch may or may not be issued; "
                "look them up by RefID",
                idempotency_key=next(iter(pending)),
                provider=PROVIDER,
                operation="issue_batch",
            )
        if refused:
            raise next(iter(refused.values()))
        return [issued[k] for k in checked]

    def get(self, key: str) -> IssuedDocument:
        """The document issued under RefID `key`; `NotFound` if none."""
        found = self._lookup(key)
        if found is None:
            raise NotFound(
                f"no MISA invoice under RefID {key!r}",
                provider=PROVIDER,
                operation="get",
                code=ResultCode.NOT_FOUND.value,
                vendor_code="InvoiceNotFound",
            )
        return found

    def status(self, key: str) -> DocumentStatus:
        """The status of the document issued under `key`."""
        return self.get(key).status

    def cancel(self, key: str, reason: str) -> IssuedDocument:
        """Cancel the document under `key`; cancelling a cancelled document is a no-op."""
        reason = _reason(reason)
        original = self.get(key)
        if original.status is DocumentStatus.CANCELLED:
            return original
        body = {
            "TransactionID": original.lookup_code,
            "InvNo": original.number,
            "RefDate": now_vn(self._clock).date().isoformat(),
            "CancelReason": reason,
        }
        try:
            with self.series_locks.hold(self._series_of(original)):
                self.session.post(
                    "cancel",
                    self.profile.cancel_path,
                    json=body,
                    idempotency=Idempotency.KEYED_WRITE,
                    key=str(original.lookup_code),
                )
        except Rejected as exc:
            if exc.code != ResultCode.WRONG_STATE.value:
                raise
        return self.get(key)

    def replace(
        self, key: str, doc: Doc, *, reason: str, idempotency_key: str | None = None
    ) -> IssuedDocument:
        """Issue `doc` replacing the document under `key` (``ReferenceType`` 1)."""
        return self._issue_one(doc, idempotency_key, (key, reason, 1), "replace")

    def adjust(
        self, key: str, doc: Doc, *, reason: str, idempotency_key: str | None = None
    ) -> IssuedDocument:
        """Issue `doc` adjusting the document under `key` (``ReferenceType`` 2)."""
        return self._issue_one(doc, idempotency_key, (key, reason, 2), "adjust")

    def download(self, key: str, format: DownloadFormat = "pdf") -> bytes:
        """The signed XML or the PDF of the document under `key`."""
        if format not in ("pdf", "xml"):
            raise ValidationError(f"format must be 'pdf' or 'xml', not {format!r}", field="format")
        found = self.get(key)
        body = self.session.post(
            "download",
            self.profile.download_path,
            json=[found.lookup_code],
            params={"downloadDataType": format},
            idempotency=Idempotency.READ,
            max_response_bytes=DOCUMENT_MAX_BYTES,
        )
        for item in decode_result_list(body.get("data")):
            if item.get("TransactionID") == found.lookup_code and item.get("Data"):
                return base64.b64decode(str(item["Data"]))
        raise ProviderError(
            f"MISA returned no {format} for RefID {key!r}",
            provider=PROVIDER,
            operation="download",
            code="malformed_response",
        )

    # -- issuing -------------------------------------------------------------------------

    def _issue_one(
        self,
        doc: Doc,
        idempotency_key: str | None,
        related: tuple[str, str, int] | None,
        operation: str,
    ) -> IssuedDocument:
        self._check_doc(doc, "")
        key = check_key(idempotency_key)
        original = None
        if related is not None:
            related_key, reason, reference_type = related
            if related_key == key:
                raise ValidationError(
                    "the new document needs its own idempotency key", field="idempotency_key"
                )
            reason = _reason(reason)
            old = self.get(related_key)
            original = OriginalInvoice(
                reference_type=reference_type,
                template=old.template,
                series=old.symbol,
                number=str(old.number or ""),
                date=(old.issued_at or now_vn(self._clock)).astimezone(VN_TZ).date().isoformat(),
                note=reason,
            )
        payload = invoice_payload(
            doc, ref_id=key, issue_date=self._issue_date(doc), original=original
        )

        def send() -> IssuedDocument:
            results, errors = self._send_invoices([payload], [key], operation)
            if key in errors:
                raise errors[key]
            return results[key]

        with self.series_locks.hold(self._series_key(doc)):
            return issue_with_lookup(
                send,
                lambda: self._lookup(key),
                key=key,
                provider=PROVIDER,
                operation=operation,
                attempts=self.transport.retry.max_attempts,
                wait=self._wait,
            )

    def _send_invoices(
        self, payloads: list[dict[str, Any]], keys: list[str], operation: str
    ) -> tuple[dict[str, IssuedDocument], dict[str, ProviderError]]:
        """One POST /invoice; the documents issued and the per-invoice refusals, by RefID."""
        body = self.session.post(
            operation,
            self.profile.issue_path,
            json={
                "SignType": self.profile.sign_type,
                "InvoiceData": payloads,
                "PublishInvoiceData": None,
            },
            idempotency=Idempotency.KEYED_WRITE,
            key=keys[0],
            retry=RetryPolicy.no_retries(),
        )
        by_ref = {
            str(item.get("RefID")): item
            for item in decode_result_list(body.get("publishInvoiceResult"))
        }
        results: dict[str, IssuedDocument] = {}
        errors: dict[str, ProviderError] = {}
        for key, payload in zip(keys, payloads, strict=True):
            item = by_ref.get(key)
            if item is None:
                errors[key] = ProviderError(
                    f"MISA answered without a result for RefID {key!r}",
                    provider=PROVIDER,
                    operation=operation,
                    code="malformed_response",
                )
            elif item.get("ErrorCode"):
                code = str(item["ErrorCode"])
                errors[key] = refusal_error(
                    Refusal(result_code_of(code), code, _text(item.get("DescriptionErrorCode"))),
                    provider=PROVIDER,
                    operation=operation,
                )
            else:
                results[key] = self._document(item, key, payload)
        return results, errors

    def _lookup_or_unknown(self, key: str, operation: str) -> IssuedDocument | None:
        """`_lookup` after an ambiguous answer: `OutcomeUnknown` (with the key) if it fails."""
        try:
            return self._lookup(key)
        except ConnectorError as exc:
            raise OutcomeUnknown(
                f"{operation} at {PROVIDER} may or may not have happened and the lookup by "
                f"RefID failed: {exc.message}",
                idempotency_key=key,
                provider=PROVIDER,
                operation=operation,
            ) from exc

    def _lookup(self, key: str) -> IssuedDocument | None:
        body = self.session.post(
            "lookup",
            self.profile.status_path,
            json=[key],
            params={"inputType": self.profile.status_by_refid},
            idempotency=Idempotency.READ,
        )
        for item in decode_result_list(body.get("data")):
            if str(item.get("RefID")) == key:
                return self._document(item, key, None)
        return None

    def _document(
        self, item: Mapping[str, Any], key: str, payload: Mapping[str, Any] | None
    ) -> IssuedDocument:
        source = {**(payload or {}), **item}
        status_value = item.get("EInvoiceStatus", 1)
        status = self.profile.status_names.get(
            int(status_value) if str(status_value).isdigit() else 1, DocumentStatus.ISSUED
        )
        number = item.get("InvNo")
        if str(number or "").isdigit():
            number = str(int(str(number))) or None  # "00000001" -> "1"
        if not number or number == "0":
            number = None
            status = DocumentStatus.PENDING
        return IssuedDocument(
            provider=PROVIDER,
            key=key,
            number=str(number) if number else None,
            template=str(source.get("InvTemplateNo", "")),
            symbol=str(source.get("InvSeries", "")),
            lookup_code=_text(item.get("TransactionID")),
            issued_at=_issued_at(source.get("InvDate")),
            status=status,
            raw=dict(item),
        )

    # -- helpers -------------------------------------------------------------------------

    def _check_doc(self, doc: object, prefix: str) -> None:
        if not isinstance(doc, Invoice | Receipt):
            raise ValidationError("doc must be an Invoice or a Receipt", field=f"{prefix}doc")
        limit = self.profile.max_lines_per_invoice
        if len(doc.lines) > limit:
            raise ValidationError(
                f"MISA takes at most {limit} lines per invoice, got {len(doc.lines)}",
                field=f"{prefix}lines",
            )

    def _issue_date(self, doc: Doc) -> str:
        when = to_vn(doc.issued_at) if doc.issued_at else now_vn(self._clock)
        return when.date().isoformat()

    def _series_key(self, doc: Doc) -> str:
        return f"{self.settings.tax_code}/{doc.template}/{doc.series}"

    def _series_of(self, found: IssuedDocument) -> str:
        return f"{self.settings.tax_code}/{found.template}/{found.symbol}"

    def _wait(self, retry: int) -> None:
        policy = self.transport.retry
        policy.sleep(policy.backoff(retry))


def _reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("a reason is required", field="reason")
    if len(reason) > 255:
        raise ValidationError("the reason is at most 255 characters", field="reason")
    return reason.strip()


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _issued_at(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)
