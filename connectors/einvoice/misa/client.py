"""The MISA meInvoice adapter: `MisaInvoice`, an `InvoiceClient` over REST/JSON.

Fidelity: derived from an unofficial copy of MISA's integration document (spec einvoice.md
2.4, [P]); guessed details are in `connectors.einvoice.misa.wire.WireProfile`.

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

from collections.abc import Sequence
from typing import Any

from connectors.core.deprecation import moved
from connectors.core.errors import (
    ConnectorError,
    Duplicate,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    TransportError,
    ValidationError,
)
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.einvoice.client import InvoiceClient, Related
from connectors.einvoice.misa import wire
from connectors.einvoice.misa.series import SeriesLock, SeriesLocks
from connectors.einvoice.misa.session import MisaInvoiceSettings, MisaSession
from connectors.einvoice.misa.wire import (
    DEFAULT_PROFILE,
    WireProfile,
    cancel_call,
    download_call,
    download_data,
    found_document,
    invoice_payload,
    issued_document,
    item_refusal,
    original_invoice,
    publish_call,
    publish_results,
    status_call,
)
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import MALFORMED, DownloadFormat, IssuedDocument, check_key
from connectors.vn import now_vn

__all__ = ["MisaInvoice", "MisaInvoiceSettings"]

Doc = Invoice | Receipt


class MisaInvoice(InvoiceClient[MisaInvoiceSettings, WireProfile]):
    """Issue, look up, cancel, replace, adjust and download through MISA meInvoice.

    Construction: `MisaInvoice(app_id=..., tax_code=..., username=..., password=...)`,
    `MisaInvoice.from_settings(settings)` or `MisaInvoice.from_env()`; options `transport`,
    `profile` (`wire.WireProfile`), `clock` (also ages the token) and `series_locks`, which
    may be shared between clients of one process (pass `PostgresSeriesLocks` when several
    processes or servers issue on one series). Thread-safe.
    """

    vendor = wire.VENDOR
    settings_class = MisaInvoiceSettings
    default_profile = DEFAULT_PROFILE

    def __init__(
        self,
        settings: MisaInvoiceSettings | None = None,
        /,
        *,
        series_locks: SeriesLock | None = None,
        **options: Any,
    ) -> None:
        super().__init__(settings, **options)
        self.series_locks: SeriesLock = series_locks or SeriesLocks(
            spacing=self.profile.series_spacing_seconds
        )
        self.session = MisaSession(
            self.settings, self.transport, profile=self.profile, clock=self._clock
        )

    # -- MISA only -----------------------------------------------------------------------

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
            if not isinstance(doc, Invoice | Receipt):
                raise ValidationError(
                    "doc must be an Invoice or a Receipt", field=f"docs[{index}].doc"
                )
            self._check_doc(doc, f"docs[{index}].")
        payloads = [
            invoice_payload(d, ref_id=k, issue_date=self._issue_date(d))
            for d, k in zip(docs, checked, strict=True)
        ]
        pending = dict(zip(checked, payloads, strict=True))
        issued: dict[str, IssuedDocument] = {}
        refused: dict[str, ProviderError] = {}
        attempts = self.transport.retry.max_attempts

        def found(key: str) -> bool:
            """Whether `key` is issued after all (looked up): then it leaves `pending`."""
            document = self._lookup_or_unknown(key, "issue_batch")
            if document is not None:
                issued[key] = document
                del pending[key]
            return document is not None

        with self.series_locks.hold_all(self._series_key(d) for d in docs):
            for attempt in range(1, attempts + 1):
                if attempt > 1:
                    self._wait(attempt - 1)
                    for key in list(pending):
                        found(key)
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
                    if isinstance(error, Duplicate) and found(key):
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
                provider=self.name,
                operation="issue_batch",
            )
        if refused:
            raise next(iter(refused.values()))
        return [issued[k] for k in checked]

    # -- MISA's steps --------------------------------------------------------------------

    def _check_doc(self, doc: Doc, prefix: str = "") -> None:
        """At most `max_lines_per_invoice` lines (MISA answers ``XMLTooLong``)."""
        limit = self.profile.max_lines_per_invoice
        if len(doc.lines) > limit:
            raise ValidationError(
                f"MISA takes at most {limit} lines per invoice, got {len(doc.lines)}",
                field=f"{prefix}lines",
            )

    def _create(
        self, doc: Doc, key: str, operation: str, related: Related | None
    ) -> IssuedDocument:
        """``POST /invoice`` with ``RefID`` = `key` (``ReferenceType`` 1 for a replacement,
        2 for an adjustment, naming the original), under the series' lock."""
        original = None
        if related is not None:
            fallback = now_vn(self._clock).date()
            original = original_invoice(related.kind, related.original, related.reason, fallback)
        payload = invoice_payload(
            doc, ref_id=key, issue_date=self._issue_date(doc), original=original
        )

        def send() -> IssuedDocument:
            results, errors = self._send_invoices([payload], [key], operation)
            if key in errors:
                raise errors[key]
            return results[key]

        with self.series_locks.hold(self._series_key(doc)):
            return self._issue_keyed(send, key, operation)

    def _find(self, key: str) -> IssuedDocument | None:
        """``POST /invoice/status`` by RefID."""
        answer = self.session.send(status_call(key, self.profile), idempotency=Idempotency.READ)
        return found_document(answer, key, self.profile)

    def _cancel(self, document: IssuedDocument, reason: str) -> IssuedDocument:
        """``POST /invoice/cancel`` [G], under the series' lock."""
        call = cancel_call(document, now_vn(self._clock).date(), reason, self.profile)
        with self.series_locks.hold(self._series_of(document)):
            self.session.send(
                call, idempotency=Idempotency.KEYED_WRITE, key=str(document.lookup_code)
            )
        return self.get(document.key)

    def _download(self, key: str, format: DownloadFormat) -> bytes:
        """``POST /invoice/download`` of the document's ``TransactionID``."""
        found = self.get(key)
        answer = self.session.send(
            download_call(found.lookup_code, format, self.profile),
            idempotency=Idempotency.READ,
            max_response_bytes=self.document_max_bytes,
        )
        data = download_data(answer, found.lookup_code)
        if data is None:
            raise self._malformed("download", f"MISA returned no {format} for RefID {key!r}")
        return data

    # -- internals -----------------------------------------------------------------------

    def _send_invoices(
        self, payloads: list[dict[str, Any]], keys: list[str], operation: str
    ) -> tuple[dict[str, IssuedDocument], dict[str, ProviderError]]:
        """One POST /invoice; the documents issued and the per-invoice refusals, by RefID."""
        body = self.session.send(
            publish_call(operation, payloads, self.profile),
            idempotency=Idempotency.KEYED_WRITE,
            key=keys[0],
            retry=RetryPolicy.no_retries(),
        )
        by_ref = publish_results(body)
        results: dict[str, IssuedDocument] = {}
        errors: dict[str, ProviderError] = {}
        for key, payload in zip(keys, payloads, strict=True):
            item = by_ref.get(key)
            if item is None:
                errors[key] = self._malformed(
                    operation, f"MISA answered without a result for RefID {key!r}"
                )
                continue
            refusal = item_refusal(item)
            if refusal is not None:
                errors[key] = self._refused(refusal, operation)
            else:
                results[key] = issued_document(item, key, payload, self.profile)
        return results, errors

    def _lookup_or_unknown(self, key: str, operation: str) -> IssuedDocument | None:
        """`_find` after an ambiguous answer: `OutcomeUnknown` (with the key) if it fails."""
        try:
            return self._find(key)
        except ConnectorError as exc:
            raise OutcomeUnknown(
                f"{operation} at {self.name} may or may not have happened and the lookup by "
                f"RefID failed: {exc.message}",
                idempotency_key=key,
                provider=self.name,
                operation=operation,
            ) from exc

    def _issue_date(self, doc: Doc) -> str:
        return self._issued_at(doc).date().isoformat()

    def _series_key(self, doc: Doc) -> str:
        return f"{self.settings.tax_code}/{doc.template}/{doc.series}"

    def _series_of(self, found: IssuedDocument) -> str:
        return f"{self.settings.tax_code}/{found.template}/{found.symbol}"


__getattr__ = moved(
    __name__,
    {
        "MisaMeInvoice": "connectors.einvoice.misa:MisaInvoice",
        "MisaSettings": "connectors.einvoice.misa:MisaInvoiceSettings",
    },
)
