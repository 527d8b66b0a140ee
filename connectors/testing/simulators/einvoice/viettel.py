"""Viettel S-Invoice simulated: login with expiring tokens, createInvoice de-duplicated by
``transactionUuid``, gap-free numbering per series, search, cancel and file download.

Speaks the wire format of `connectors.einvoice.viettel.wire` (never the client). Route names,
for arming faults: ``login``, ``issue``, ``lookup``, ``cancel``, ``download``. Ledger kinds:
``invoice`` (key = transactionUuid; replacements and adjustments too) and ``cancel``.

It refuses what Viettel's document marks required when it is missing (``templateCode``,
``invoiceSeries``, ``currencyCode``, ``paymentStatus``, ``transactionUuid`` of 10-36
characters; [P] the text copy of Viettel's document, code index id 19888917787), a line
``discount`` that is not a percentage (0-100, as the document and Odoo have it) or that does
not match ``itemTotalAmountAfterDiscount``, and a cancel without ``reasonDelete``,
``additionalReferenceDesc`` or ``additionalReferenceDate``. The search answer carries the
payment status in ``status`` ("Chưa thanh toán"), as Odoo reads it. HTTP 500 ``GENERAL``
answers an expired token; `faults.add("issue", CommitThenStatus(500, body))` creates the
invoice and then answers 500.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connectors.core.errors import ValidationError
from connectors.einvoice.gdt import document_from_model
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import DocumentStatus
from connectors.einvoice.viettel.wire import (
    ADJUSTMENT_ADJUST,
    ADJUSTMENT_ORIGINAL,
    ADJUSTMENT_REPLACE,
    DEFAULT_PROFILE,
    WireProfile,
    answer,
    create_result,
    document_from_payload,
    error_answer,
    file_answer,
    login_answer,
    login_of,
    login_refused,
    make_nested_zip,
    search_item,
    token_of_cookies,
)
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.einvoice.base import InvoiceSimulator

__all__ = ["SimInvoice", "ViettelInvoiceSimulator"]

_TOLERANCE = 5  # đồng: quantity x unit price vs line amount
_REQUIRED_GENERAL = (
    "templateCode",
    "invoiceSeries",
    "currencyCode",
    "paymentStatus",
    "transactionUuid",
)
_RATES = {-2, -1, 0, 5, 8, 10}


@dataclass
class SimInvoice:
    """One invoice the simulated Viettel holds."""

    transaction_uuid: str
    invoice_no: str
    series: str
    template_code: str
    issue_date: int
    reservation_code: str
    total: int
    payload: dict[str, Any]
    document: Invoice | Receipt
    status: DocumentStatus = DocumentStatus.ISSUED
    pending: bool = False
    """Accepted, number not yet given out (Viettel's asynchronous processing)."""
    paid: bool = False
    history: list[str] = field(default_factory=list)


class ViettelInvoiceSimulator(InvoiceSimulator):
    """The simulated vendor. `token_ttl` seconds per token; `clock` ages them."""

    provider = "viettel"
    title = "Viettel S-Invoice simulator (TEST)"

    def __init__(
        self,
        *,
        username: str = "0100109106-509",
        password: str = "sim-password",  # noqa: S107 - a simulator's fake credential
        supplier_tax_code: str = "0100109106",
        token_ttl: float = 1200.0,
        clock: Callable[[], float] = time.time,
        profile: WireProfile = DEFAULT_PROFILE,
        asynchronous: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.username, self.password = username, password
        self.supplier_tax_code = supplier_tax_code
        self.token_ttl = token_ttl
        self.asynchronous = asynchronous
        """Answer createInvoice with an empty invoiceNo until `process_pending()` runs."""
        self.clock = clock
        self.profile = profile
        self.invoices: dict[str, SimInvoice] = {}
        self.tokens: dict[str, float] = {}
        self.logins = 0
        self._numbers: dict[str, int] = {}
        self._state = threading.RLock()
        api = profile.api_prefix
        self.add_route("POST", profile.login_path, self._login, name="login")
        create = profile.create_path.replace("{tax_code}", "{tax}")
        self.add_route("POST", api + create, self._create, name="issue")
        self.add_route("POST", api + profile.search_path, self._search, name="lookup")
        self.add_route("POST", api + profile.cancel_path, self._cancel, name="cancel")
        self.add_route("POST", api + profile.file_path, self._file, name="download")

    # -- helpers for tests ---------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Make every issued token expired (Viettel then answers HTTP 500 ``GENERAL``)."""
        with self._state:
            for token in self.tokens:
                self.tokens[token] = 0.0

    def process_pending(self) -> None:
        """Finish asynchronous processing: every pending invoice shows its number."""
        with self._state:
            for invoice in self.invoices.values():
                invoice.pending = False

    def by_number(self, invoice_no: str) -> SimInvoice | None:
        """The invoice numbered `invoice_no` (series + number; zero padding ignored)."""
        with self._state:
            for invoice in self.invoices.values():
                if not invoice_no.startswith(invoice.series):
                    continue
                number = invoice_no[len(invoice.series) :]
                own = int(invoice.invoice_no[len(invoice.series) :])
                if number.isdigit() and int(number) == own:
                    return invoice
        return None

    def signed_xml(self, invoice: SimInvoice) -> bytes:
        """The invoice as tax-authority XML (HDon), signed with a throw-away TEST key."""
        number = int(invoice.invoice_no[len(invoice.series) :])
        return self.sign(document_from_model(invoice.document, number=number))

    def _pdf(self, invoice: SimInvoice) -> bytes:
        number = int(invoice.invoice_no[len(invoice.series) :])
        return self.document_pdf(
            document_from_model(invoice.document, number=number),
            lookup_code=invoice.reservation_code,
            key=invoice.transaction_uuid,
        )

    # -- routes --------------------------------------------------------------------------

    def _login(self, request: SimRequest) -> SimResponse:
        try:
            body = request.json()
        except ValueError:
            return _error(400, "JSON_PARSE_ERROR", "unreadable JSON")
        if login_of(body) != (self.username, self.password):
            return SimResponse.json(login_refused("Bad credentials"), 401)
        with self._state:
            self.logins += 1
            token = hashlib.sha256(f"{self.logins}:{self.clock()}".encode()).hexdigest()[:32]
            self.tokens[token] = self.clock() + self.token_ttl
        return SimResponse.json(login_answer(token, self.token_ttl))

    def _authorised(self, request: SimRequest) -> SimResponse | None:
        token = token_of_cookies(request.header("cookie") or "", self.profile)
        with self._state:
            expiry = self.tokens.get(token)
        if expiry is None:
            return SimResponse.xml(
                "<InvalidTokenException><error>invalid_token</error>"
                "<error_description>Invalid access token</error_description>"
                "</InvalidTokenException>",
                401,
            )
        if self.clock() >= expiry:
            return _error(500, "GENERAL", None)
        return None

    def _create(self, request: SimRequest) -> SimResponse:
        refused = self._authorised(request)
        if refused is not None:
            return refused
        if request.path_params.get("tax") != self.supplier_tax_code:
            return _error(400, "BAD_REQUEST_SUPPLIER_TAX_CODE", "unknown supplier tax code")
        try:
            body = request.json()
            general = body["generalInvoiceInfo"]
        except (ValueError, KeyError, TypeError):
            return _error(400, "JSON_PARSE_ERROR", "unreadable invoice")
        if not isinstance(general, dict):
            return _error(400, "JSON_PARSE_ERROR", "unreadable invoice")
        for required in _REQUIRED_GENERAL:
            if general.get(required) in (None, ""):
                return _error(400, "BAD_REQUEST", f"generalInvoiceInfo.{required} is required")
        uuid = str(general["transactionUuid"])
        if not 10 <= len(uuid) <= 36:
            return _error(400, "BAD_REQUEST_TRANSACTION_UUID", "transactionUuid is 10-36 chars")
        with self._state:
            existing = self.invoices.get(uuid)
            if existing is not None:
                # Same uuid, finished first request: the same invoice again.
                return SimResponse.json(answer(result=self._result(existing)))
            problem = _check_amounts(body)
            if problem is not None:
                return _error(400, *problem)
            try:
                document = document_from_payload(body, profile=self.profile)
            except ValidationError as exc:
                return _error(400, "BAD_REQUEST_INVALID_DATA", exc.message)
            adjustment = str(general.get("adjustmentType", ADJUSTMENT_ORIGINAL))
            original: SimInvoice | None = None
            if adjustment in (ADJUSTMENT_REPLACE, ADJUSTMENT_ADJUST):
                original = self.by_number(str(general.get("originalInvoiceId", "")))
                if original is None:
                    return _error(400, "INVOICE_NOT_FOUND", "original invoice not found")
                if original.status is not DocumentStatus.ISSUED:
                    return _error(400, "INVOICE_ALREADY_CANCELED", "original not issued")
            series = str(general.get("invoiceSeries", ""))
            number = self._numbers.get(series, 0) + 1
            self._numbers[series] = number
            invoice = SimInvoice(
                transaction_uuid=uuid,
                invoice_no=f"{series}{number}",
                series=series,
                template_code=str(general.get("templateCode", "")),
                issue_date=int(general.get("invoiceIssuedDate", 0)),
                reservation_code=hashlib.sha256(uuid.encode()).hexdigest()[:10].upper(),
                total=_total(body),
                payload=body,
                document=document,
                pending=self.asynchronous,
                paid=bool(general.get("paymentStatus")),
            )
            self.invoices[uuid] = invoice
            if original is not None:
                original.status = (
                    DocumentStatus.REPLACED
                    if adjustment == ADJUSTMENT_REPLACE
                    else DocumentStatus.ADJUSTED
                )
                original.history.append(f"{original.status.value} by {invoice.invoice_no}")
            self.ledger.record(
                "invoice",
                uuid,
                invoice_no=invoice.invoice_no,
                series=series,
                number=number,
                template_code=invoice.template_code,
                adjustment_type=adjustment,
                total=invoice.total,
            )
        return SimResponse.json(answer(result=self._result(invoice)))

    def _result(self, invoice: SimInvoice) -> dict[str, Any]:
        number = "" if invoice.pending else invoice.invoice_no
        return create_result(
            self.supplier_tax_code, number, invoice.transaction_uuid, invoice.reservation_code
        )

    def _search(self, request: SimRequest) -> SimResponse:
        refused = self._authorised(request)
        if refused is not None:
            return refused
        form = {**request.args(), **request.form()}
        with self._state:
            invoice = self.invoices.get(form.get("transactionUuid", ""))
            if invoice is None or form.get("supplierTaxCode") != self.supplier_tax_code:
                return SimResponse.json(answer("NOT_FOUND_DATA", "No data", result=None))
            item = search_item(
                self._result(invoice),
                series=invoice.series,
                template_code=invoice.template_code,
                issue_date=invoice.issue_date,
                paid=invoice.paid,
                status=DocumentStatus.PENDING if invoice.pending else invoice.status,
                profile=self.profile,
            )
        return SimResponse.json(answer(result=[item]))

    def _cancel(self, request: SimRequest) -> SimResponse:
        refused = self._authorised(request)
        if refused is not None:
            return refused
        form = {**request.args(), **request.form()}  # Spring reads query and body alike
        with self._state:
            invoice = self.by_number(form.get("invoiceNo", ""))
            if invoice is None or invoice.template_code != form.get("templateCode"):
                return SimResponse.json(answer("INVOICE_NOT_FOUND", "Invoice not found"))
            if str(invoice.issue_date) != form.get("strIssueDate"):
                return _error(400, "BAD_REQUEST_ISSUE_DATE", "strIssueDate does not match")
            if not all(
                form.get(name)
                for name in ("reasonDelete", "additionalReferenceDesc", "additionalReferenceDate")
            ):
                return _error(400, "BAD_REQUEST_AGREEMENT", "agreement document required")
            if invoice.status is not DocumentStatus.ISSUED:
                return SimResponse.json(answer("INVOICE_ALREADY_CANCELED", "Not cancellable"))
            invoice.status = DocumentStatus.CANCELLED
            self.ledger.record(
                "cancel",
                invoice.transaction_uuid,
                invoice_no=invoice.invoice_no,
                reason=form.get("reasonDelete"),
            )
        return SimResponse.json(answer(description=self.profile.cancel_success))

    def _file(self, request: SimRequest) -> SimResponse:
        refused = self._authorised(request)
        if refused is not None:
            return refused
        body = request.json()
        with self._state:
            invoice = self.by_number(str(body.get("invoiceNo", "")))
        if invoice is None or invoice.template_code != body.get("templateCode"):
            return SimResponse.json(answer("INVOICE_NOT_FOUND", "No file"))
        if body.get("fileType") == "PDF":
            name, data = f"{invoice.invoice_no}.pdf", self._pdf(invoice)
        elif body.get("fileType") == "ZIP":
            name = f"{invoice.invoice_no}.zip"
            data = make_nested_zip(f"{invoice.invoice_no}.xml", self.signed_xml(invoice))
        else:
            return _error(400, "BAD_REQUEST_FILE_TYPE", "fileType is PDF or ZIP")
        return SimResponse.json(file_answer(name, data))


def _error(status: int, code: str, message: str | None) -> SimResponse:
    return SimResponse.json(error_answer(status, code, message), status)


def _check_amounts(body: dict[str, Any]) -> tuple[str, str] | None:
    """Viettel's checks: line amounts within 5 đồng, known rates, tax totals adding up.

    ``summarizeInfo`` is optional: Odoo leaves the totals to Viettel ("We leave the
    summarized information computation to SInvoice", ``models/account_move.py``); when it is
    sent it must agree with the lines.
    """
    try:
        items = body["itemInfo"]
        breakdowns = body.get("taxBreakdowns") or []
        line_tax = Decimal(0)
        for item in items:
            if "unitPrice" not in item:
                continue  # a note line
            if item["taxPercentage"] not in _RATES and not 0 < item["taxPercentage"] < 100:
                return "VAT_PERCENTAGE_INVALID", f"line {item.get('lineNumber')}"
            gross = abs(Decimal(str(item["quantity"])) * Decimal(str(item["unitPrice"])))
            if abs(gross - Decimal(str(item["itemTotalAmountWithoutTax"]))) > _TOLERANCE:
                return (
                    "IVI_TOTAL_A_WITHOUT_TAX_AND_UP_QUAN_NOT_COMPARED",
                    f"line {item.get('lineNumber')}",
                )
            percent = Decimal(str(item.get("discount", 0)))
            if not 0 <= percent <= 100:
                return "BAD_REQUEST_DISCOUNT", f"line {item.get('lineNumber')}: discount is a %"
            after = item.get("itemTotalAmountAfterDiscount")
            if after is not None:
                taken = Decimal(str(item.get("itemDiscount", gross * percent / 100)))
                if abs(gross - taken - Decimal(str(after))) > _TOLERANCE:
                    return (
                        "BAD_REQUEST_DISCOUNT",
                        f"line {item.get('lineNumber')}: discount does not match",
                    )
            sign = 1 if item.get("isIncreaseItem", True) else -1
            line_tax += sign * Decimal(str(item["taxAmount"]))
        by_rate = sum(
            (
                (1 if b.get("taxAmountPos", True) else -1) * Decimal(str(b["taxAmount"]))
                for b in breakdowns
            ),
            Decimal(0),
        )
        if breakdowns and by_rate != line_tax:
            return "VAT_AMOUNT_INVALID", "tax breakdowns do not add up"
        summary = body.get("summarizeInfo")
        if summary is None:
            return None
        tax = Decimal(str(summary["totalTaxAmount"]))
        if tax != line_tax:
            return "VAT_AMOUNT_INVALID", "tax amounts do not add up"
        without = Decimal(str(summary["totalAmountWithoutTax"]))
        if Decimal(str(summary["totalAmountWithTax"])) != without + tax:
            return "VAT_AMOUNT_INVALID", "total with tax does not add up"
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return "JSON_PARSE_ERROR", "missing or malformed amounts"
    return None


def _total(body: dict[str, Any]) -> int:
    """The invoice's total with tax: from ``summarizeInfo``, or computed from the lines."""
    summary = body.get("summarizeInfo")
    if summary is not None:
        return int(Decimal(str(summary["totalAmountWithTax"])))
    total = Decimal(0)
    for item in body["itemInfo"]:
        if "unitPrice" not in item:
            continue
        sign = 1 if item.get("isIncreaseItem", True) else -1
        net = item.get("itemTotalAmountAfterDiscount", item["itemTotalAmountWithoutTax"])
        total += sign * (Decimal(str(net)) + Decimal(str(item["taxAmount"])))
    return int(total)
