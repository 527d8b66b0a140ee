"""MISA meInvoice simulated: token login, RefID de-duplication, numbering per series, a
ledger, and signed tax-authority XML for every invoice it issues.

Routes (under `prefix`, ``/api/integration`` by default), named for fault injection:
``login`` ``POST /auth/token``, ``issue`` ``POST /invoice``, ``status`` ``POST
/invoice/status``, ``download`` ``POST /invoice/download``, ``cancel`` ``POST
/invoice/cancel``.

Rules it enforces, as MISA does: a RefID issues at most once (a second request gets
``DuplicateRefID`` for that invoice); numbers are consecutive per (template, series);
two requests on one series at the same time get ``InvoiceNumberNotCotinuous`` (counted in
`overlaps`); > 30 invoices per request or > 200 lines per invoice are refused. An invoice
without the totals every integrator sends (`connectors.einvoice.misa.wire.REQUIRED_TOTALS`,
``TotalAmountWithoutVATOC`` among them) or whose ``TotalAmountOC`` is not
``TotalAmountWithoutVATOC + TotalVATAmountOC`` gets ``InvalidInvoiceData`` [P].
`faults.add("issue", CommitThenStatus(500))` issues then answers 500.
Ledger kinds: ``invoice`` (key RefID), ``cancel`` (key RefID).
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.core import ValidationError
from connectors.einvoice.gdt import HDonDocument, Line, Party, RateTotal, RelatedInvoice, Totals
from connectors.einvoice.misa.wire import (
    DEFAULT_PROFILE,
    REQUIRED_TOTALS,
    WireProfile,
    bearer_of,
    encode_result_list,
    failure,
    file_row,
    invoice_failure,
    login_of,
    published_row,
    result_row,
    success,
)
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.einvoice.base import InvoiceSimulator

__all__ = ["MisaInvoiceSimulator", "SimInvoice"]

_STATUS_ISSUED, _STATUS_CANCELLED, _STATUS_REPLACED, _STATUS_ADJUSTED = 1, 2, 3, 5
_BUYER_FIELDS = (
    *(("name", "LegalName"), ("person_name", "FullName"), ("tax_code", "TaxCode")),
    *(("address", "Address"), ("phone", "PhoneNumber"), ("email", "Email")),
    *(("citizen_id", "IDNumber"), ("budget_unit_code", "BudgetCode")),
)
"""Party fields of the buyer and the ``Buyer...`` names MISA gives them."""


@dataclass
class SimInvoice:
    """An invoice the simulated MISA holds."""

    ref_id: str
    transaction_id: str
    template: str
    series: str
    number: int
    date: str
    payload: dict[str, Any]
    status: int = _STATUS_ISSUED
    xml: bytes = b""
    extra: dict[str, Any] = field(default_factory=dict)


class MisaInvoiceSimulator(InvoiceSimulator):
    """A stateful MISA meInvoice; see the module docstring for its rules."""

    provider = "misa"
    title = "MISA meInvoice simulator (TEST)"

    def __init__(
        self,
        *,
        app_id: str = "TEST-APPID-0001",
        tax_code: str = "0100109106",
        username: str = "test-user",
        password: str = "test-password",  # noqa: S107 - the simulator's fake account
        prefix: str = "/api/integration",
        profile: WireProfile = DEFAULT_PROFILE,
        processing_delay: float = 0.0,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.app_id, self.tax_code = app_id, tax_code
        self.username, self.password = username, password
        self.profile = profile
        self.processing_delay = processing_delay
        self.tokens: set[str] = set()
        self.invoices: dict[str, SimInvoice] = {}
        self.overlaps = 0
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        self._numbers: dict[str, int] = {}
        self.add_route("POST", prefix + profile.token_path, self._login, name="login")
        self.add_route("POST", prefix + profile.issue_path, self._issue, name="issue")
        self.add_route("POST", prefix + profile.status_path, self._status, name="status")
        self.add_route("POST", prefix + profile.download_path, self._download, name="download")
        self.add_route("POST", prefix + profile.cancel_path, self._cancel, name="cancel")

    # -- helpers -------------------------------------------------------------------------

    def _pdf(self, invoice: SimInvoice) -> bytes:
        return self.document_pdf(
            _hdon(invoice), lookup_code=invoice.transaction_id, key=invoice.ref_id
        )

    def expire_tokens(self) -> None:
        """Forget every token: the next call answers ``TokenExpiredCode``."""
        self.tokens.clear()

    def _fail(self, code: str, description: str = "") -> SimResponse:
        return SimResponse.json(failure(code, description))

    def _authorised(self, request: SimRequest) -> bool:
        return bearer_of(request.header("Authorization") or "") in self.tokens

    def _series(self, template: str, series: str) -> str:
        return f"{template}/{series}"

    # -- routes --------------------------------------------------------------------------

    def _login(self, request: SimRequest) -> SimResponse:
        app_id, *account = login_of(request.json())
        if app_id != self.app_id:
            return self._fail("InvalidAppID")
        if account != [self.tax_code, self.username, self.password]:
            return self._fail("UnAuthorize")
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return SimResponse.json(success(data=token))

    def _issue(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._fail("TokenExpiredCode")
        invoices = request.json().get("InvoiceData") or []
        if len(invoices) > self.profile.max_invoices_per_request:
            return self._fail("TooManyInvoices")
        results = [self._issue_one(payload) for payload in invoices]
        return SimResponse.json(
            success(publishInvoiceResult=encode_result_list(results, self.profile))
        )

    def _issue_one(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        ref_id = str(payload.get("RefID") or "")
        template = str(payload.get("InvTemplateNo") or "")
        series = str(payload.get("InvSeries") or "")

        def refused(code: str, description: str | None = None) -> dict[str, Any]:
            return invoice_failure(ref_id, series, code, description)

        if not ref_id or not template or not series:
            return refused("InvalidInvoiceData")
        missing = [name for name in REQUIRED_TOTALS if payload.get(name) in (None, "")]
        if missing:
            return refused("InvalidInvoiceData", f"{', '.join(missing)} is required")
        try:
            adds_up = Decimal(str(payload["TotalAmountOC"])) == Decimal(
                str(payload["TotalAmountWithoutVATOC"])
            ) + Decimal(str(payload["TotalVATAmountOC"]))
        except ArithmeticError:
            adds_up = False
        if not adds_up:
            return refused(
                "InvalidInvoiceData", "TotalAmountOC <> TotalAmountWithoutVATOC + TotalVATAmountOC"
            )
        if len(payload.get("OriginalInvoiceDetail") or []) > self.profile.max_lines_per_invoice:
            return refused("XMLTooLong")
        key = self._series(template, series)
        with self._lock:
            if key in self._busy:
                self.overlaps += 1
                return refused("InvoiceNumberNotCotinuous")
            if ref_id in self.invoices:
                return refused("DuplicateRefID")
            self._busy.add(key)
        try:
            if self.processing_delay:
                self.sleep(self.processing_delay)
            with self._lock:
                invoice = SimInvoice(
                    ref_id=ref_id,
                    transaction_id=uuid.uuid4().hex,
                    template=template,
                    series=series,
                    number=self._numbers.get(key, 1),
                    date=str(payload.get("InvDate") or date.today().isoformat()),
                    payload=dict(payload),
                )
                try:
                    invoice.xml = self.sign(_hdon(invoice))
                except (ValidationError, ValueError, KeyError, TypeError) as exc:
                    return refused("InvalidInvoiceData", str(exc))
                self._numbers[key] = invoice.number + 1
                self._apply_reference(payload)
                self.invoices[ref_id] = invoice
            self.ledger.record(
                "invoice",
                ref_id,
                transaction_id=invoice.transaction_id,
                series=key,
                number=invoice.number,
                total=payload.get("TotalAmountOC"),
            )
        finally:
            with self._lock:
                self._busy.discard(key)
        return self._row(invoice, published=True)

    def _apply_reference(self, payload: Mapping[str, Any]) -> None:
        kind = payload.get("ReferenceType")
        if kind not in (1, 2):
            return
        for other in self.invoices.values():
            if other.series == payload.get("OrgInvSeries") and str(other.number) == str(
                payload.get("OrgInvNo")
            ):
                other.status = _STATUS_REPLACED if kind == 1 else _STATUS_ADJUSTED

    def _row(self, invoice: SimInvoice, *, published: bool = False) -> dict[str, Any]:
        ids = (invoice.ref_id, invoice.transaction_id)
        row = result_row(
            ids, invoice.template, invoice.series, invoice.number, invoice.date, invoice.status
        )
        return published_row(row) if published else row

    def _status(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._fail("TokenExpiredCode")
        by_refid = request.args().get("inputType") == str(self.profile.status_by_refid)
        wanted = [str(v) for v in request.json() or []]
        with self._lock:
            rows = [
                self._row(inv)
                for inv in self.invoices.values()
                if (inv.ref_id if by_refid else inv.transaction_id) in wanted
            ]
        return SimResponse.json(success(data=encode_result_list(rows, self.profile)))

    def _download(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._fail("TokenExpiredCode")
        kind = request.args().get("downloadDataType", "pdf")
        wanted = [str(v) for v in request.json() or []]
        if len(wanted) > self.profile.max_download_ids:
            return self._fail("InvalidInvoiceData", "too many TransactionIDs")
        with self._lock:
            found = [inv for inv in self.invoices.values() if inv.transaction_id in wanted]
        rows = [
            file_row(inv.transaction_id, inv.xml if kind == "xml" else self._pdf(inv))
            for inv in found
        ]
        return SimResponse.json(success(data=encode_result_list(rows, self.profile)))

    def _cancel(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._fail("TokenExpiredCode")
        body = request.json()
        with self._lock:
            found = next(
                (
                    i
                    for i in self.invoices.values()
                    if i.transaction_id == body.get("TransactionID")
                ),
                None,
            )
            if found is None:
                return self._fail("InvoiceNotFound")
            if found.status == _STATUS_CANCELLED:
                return self._fail("InvoiceCancelled")
            found.status = _STATUS_CANCELLED
        self.ledger.record("cancel", found.ref_id, reason=body.get("CancelReason"))
        return SimResponse.json(success(data=None))


def _dec(value: object) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _opt_dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _hdon(invoice: SimInvoice) -> HDonDocument:
    """The tax-authority XML content of an invoice MISA received (simulated)."""
    p = invoice.payload
    lines: list[Line] = []
    for item in p.get("OriginalInvoiceDetail") or []:
        nature = int(item.get("ItemType", 1))
        discount = _dec(item.get("DiscountAmountOC"))
        lines.append(
            Line(
                number=int(item.get("LineNumber", len(lines) + 1)),
                name=str(item.get("ItemName", "")),
                nature=nature,
                code=item.get("ItemCode"),
                unit=item.get("UnitName"),
                quantity=_opt_dec(item.get("Quantity")),
                unit_price=_opt_dec(item.get("UnitPrice")),
                discount_rate=_opt_dec(item.get("DiscountRate")),
                discount_amount=discount if discount else None,
                amount=_opt_dec(item.get("AmountWithoutVATOC", item.get("AmountOC"))),
                tax_rate=item.get("VATRateName"),
            )
        )
    buyer = Party(**{ours: p.get(f"Buyer{theirs}") for ours, theirs in _BUYER_FIELDS})
    related = None
    if p.get("ReferenceType") in (1, 2):
        related = RelatedInvoice(
            kind=int(p["ReferenceType"]),
            template=str(p.get("OrgInvTemplateNo", "")),
            symbol=str(p.get("OrgInvSeries", "")),
            number=int(str(p.get("OrgInvNo") or 0)),
            issue_date=date.fromisoformat(str(p.get("OrgInvDate"))[:10]),
            note=p.get("InvoiceNote"),
        )
    discount = _dec(p.get("TotalDiscountAmountOC"))
    return HDonDocument(
        template=invoice.template,
        symbol=invoice.series,
        number=invoice.number,
        issue_date=date.fromisoformat(invoice.date[:10]),
        currency=str(p.get("CurrencyCode", "VND")),
        payment_method=p.get("PaymentMethodName"),
        dossier_code=p.get("DossierCode"),
        seller=Party(
            name=p.get("SellerLegalName"),
            tax_code=p.get("SellerTaxCode"),
            address=p.get("SellerAddress"),
        ),
        buyer=buyer,
        lines=tuple(lines),
        related=related,
        totals=Totals(
            total_before_tax=_dec(p.get("TotalAmountWithoutVATOC")),
            total_tax=_dec(p.get("TotalVATAmountOC")),
            grand_total=_dec(p.get("TotalAmountOC")),
            grand_total_words=str(p.get("TotalAmountInWords", "")),
            rate_totals=tuple(
                RateTotal(
                    rate=str(r["VATRateName"]),
                    taxable=_dec(r.get("AmountWithoutVATOC")),
                    tax=_dec(r.get("VATAmountOC")),
                )
                for r in p.get("TaxRateInfo") or []
            ),
            trade_discount=discount if discount else None,
        ),
    )
