"""VNPT Invoice simulated: the three ASMX services over SOAP 1.1, with VNPT's rules.

- ``ImportAndPublishInv``: ``fkey`` de-duplication (``ERR:13``), gap-free numbering per
  (pattern, serial), back-dating refused (``ERR:30``), totals checked (``ERR:3``).
- ``listInvByCusFkey`` (the lookup by fkey: ``<Data><Item>...`` or an empty ``<Data/>``),
  ``GetInvDataByFkey`` (the coded XML, base64; ``ERR:24`` for a series the tax authority
  does not code), ``cancelInv``/``cancelInvNoPay`` (``ERR:9`` when the paid state does not
  fit), ``ReplaceInvoiceAction``/``AdjustInvoiceAction``, downloads (``ERR:11`` for an
  unpaid invoice on the paid-only methods, ``ERR:6`` for an unknown fkey).

Requests are read the way an ASMX server reads them: only the parameters VNPT's WSDL
declares for the operation count (`connectors.einvoice.vnpt.wire.OPERATIONS`, exact names
in the ``http://tempuri.org/`` namespace); anything else is ignored, so a misspelt
credential arrives empty and the call answers ``ERR:1``. An unknown SOAPAction gets a SOAP
fault. `faults.add(method, CommitThenStatus(500))` processes a call and then answers it
badly; `TimeoutAfterCommit(hold=0)` processes it and resets the connection.

Routes are named after the SOAP method (``ImportAndPublishInv``, ``GetInvDataByFkey``,
``cancelInv``...), so a fault can be armed on one method. Ledger kinds: ``invoice`` (key =
fkey; replacements and adjustments too) and ``cancel``. `answer_next(method, "ERR:5")`
makes the next call of a method answer that string without processing.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lxml import etree

from connectors.core.errors import ValidationError
from connectors.core.safexml import parse_xml
from connectors.einvoice.gdt import document_from_model
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import DocumentStatus
from connectors.einvoice.vnpt.wire import (
    DEFAULT_PROFILE,
    OPERATIONS,
    SERVICES,
    InvoiceItem,
    WireProfile,
    document_from_xml,
    format_publish_date,
    invoice_list_xml,
    login_of,
    padded_number,
    publish_result,
    soap_call,
    soap_envelope,
)
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.einvoice.base import InvoiceSimulator, soap_fault
from connectors.vn.time import now_vn

__all__ = ["SimInvoice", "VnptInvoiceSimulator"]

_PUBLISH = SERVICES["PublishService"]
_BUSINESS = SERVICES["BusinessService"]
_PORTAL = SERVICES["PortalService"]


@dataclass
class SimInvoice:
    """One invoice the simulated VNPT holds."""

    fkey: str
    pattern: str
    serial: str
    number: int
    arising_date: str
    document: Invoice | Receipt
    total: int
    lookup_code: str
    status: DocumentStatus = DocumentStatus.ISSUED
    paid: bool = False
    related: str | None = None
    published_at: str = ""
    """``publishDate`` as VNPT writes it (``6/1/2025 9:30:15 AM``)."""


class VnptInvoiceSimulator(InvoiceSimulator):
    """The simulated vendor, with one staff account and one ServiceRole user."""

    provider = "vnpt"
    title = "VNPT Invoice simulator (TEST)"

    def __init__(
        self,
        *,
        account: str = "sim-admin",
        account_password: str = "sim-ac-pass",  # noqa: S107 - a simulator's fake credential
        username: str = "sim-service",
        password: str = "sim-service-pass",  # noqa: S107 - a simulator's fake credential
        profile: WireProfile = DEFAULT_PROFILE,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.account, self.account_password = account, account_password
        self.username, self.password = username, password
        self.profile = profile
        self.invoices: dict[str, SimInvoice] = {}
        self._numbers: dict[tuple[str, str], int] = defaultdict(int)
        self._last_date: dict[tuple[str, str], str] = {}
        self._canned: dict[str, deque[str]] = defaultdict(deque)
        self._state = threading.RLock()
        for path, methods in (
            (profile.publish_path, _PUBLISH),
            (profile.business_path, _BUSINESS),
            (profile.portal_path, _PORTAL),
        ):
            for method in methods:
                self.add_route("POST", f"{path}/{method}", self._dispatch, name=method)

    # -- helpers for tests ---------------------------------------------------------------

    def answer_next(self, method: str, result: str, *, times: int = 1) -> None:
        """Make the next `times` calls of `method` answer `result` (e.g. ``"ERR:5"``)."""
        self._canned[method].extend([result] * times)

    def mark_paid(self, fkey: str) -> None:
        """What ``confirmPaymentFkey`` does: the invoice counts as paid."""
        with self._state:
            self.invoices[fkey].paid = True

    # -- SOAP plumbing -------------------------------------------------------------------

    def handle(self, request: SimRequest) -> SimResponse:
        """Route by SOAPAction: ``/PublishService.asmx`` + action -> route of that method."""
        action = (request.header("soapaction") or "").strip('"').rsplit("/", 1)[-1]
        if request.method == "POST" and action:
            if action not in OPERATIONS:
                return _fault(
                    "Server did not recognize the value of HTTP Header SOAPAction: "
                    f"{request.header('soapaction') or ''}."
                )
            request = dataclasses.replace(request, path=f"{request.path}/{action}")
        return super().handle(request)

    def _dispatch(self, request: SimRequest) -> SimResponse:
        try:
            method, params = soap_call(request.body)
        except ValidationError:
            return _fault("Server was unable to read request.")
        canned = self._canned.get(method)
        if canned:
            return SimResponse.xml(soap_envelope(method, canned.popleft()))
        handler = getattr(self, f"_op_{method}")
        result: str = handler(params)
        return SimResponse.xml(soap_envelope(method, result))

    def _login_refused(self, params: dict[str, str], *, staff: bool = True) -> str | None:
        """``ERR:1`` for a wrong staff account (when the call carries one), ``ERR:7`` for a
        wrong ServiceRole user (``ERR:1`` on calls without a staff account); else None."""
        login = login_of(params)
        if staff and (login.account, login.account_password) != (
            self.account,
            self.account_password,
        ):
            return "ERR:1"
        if (login.username, login.password) != (self.username, self.password):
            return "ERR:7" if staff else "ERR:1"
        return None

    def _invoice_data(self, params: dict[str, str]) -> etree._Element | str:
        """The call's ``xmlInvData`` read, or the answer refusing the call (its login, then
        ``ERR:3`` for data that is not XML)."""
        refused = self._login_refused(params)
        if refused is not None:
            return refused
        try:
            return parse_xml(params.get("xmlInvData", ""), what="xmlInvData")
        except ValidationError:
            return "ERR:3"

    # -- PublishService ------------------------------------------------------------------

    def _op_ImportAndPublishInv(self, params: dict[str, str]) -> str:
        root = self._invoice_data(params)
        if isinstance(root, str):
            return root
        holders = root.findall("HDon")
        if root.tag != "DSHDon" or not holders:
            return "ERR:3"
        if len(holders) > 5000:
            return "ERR:10"
        pattern, serial = params.get("pattern", ""), params.get("serial", "")
        if not pattern or not serial:
            return "ERR:35"
        numbers: dict[str, int] = {}
        with self._state:
            for holder in holders:
                outcome = self._publish_one(holder, pattern, serial, related=None)
                if isinstance(outcome, str):
                    return outcome
                numbers[outcome.fkey] = outcome.number
        return publish_result(pattern, serial, numbers)

    def _publish_one(
        self, holder: etree._Element, pattern: str, serial: str, *, related: str | None
    ) -> SimInvoice | str:
        """The invoice `holder` publishes (recorded), or the ``ERR:n`` refusing it."""
        fkey = (holder.findtext("key") or "").strip()
        data = holder.find("DLHDon")
        if not fkey or data is None:
            return "ERR:3"
        if fkey in self.invoices:
            return "ERR:13"
        issue_date = (data.findtext("TTChung/NLap") or "").strip()
        try:
            total = _checked_total(data)
            document = document_from_xml(
                holder, pattern=pattern, serial=serial, profile=self.profile
            )
        except (ValueError, ArithmeticError):  # our ValidationError is a ValueError
            return "ERR:3"
        series = (pattern, serial)
        if issue_date < self._last_date.get(series, ""):
            return "ERR:30"
        self._numbers[series] += 1
        number = self._numbers[series]
        self._last_date[series] = issue_date
        invoice = SimInvoice(
            fkey=fkey,
            pattern=pattern,
            serial=serial,
            number=number,
            arising_date=f"{issue_date}T00:00:00",
            document=document,
            total=total,
            lookup_code=fkey,
            related=related,
            published_at=format_publish_date(now_vn()),
        )
        self.invoices[fkey] = invoice
        self.ledger.record(
            "invoice",
            fkey,
            pattern=pattern,
            serial=serial,
            number=number,
            total=total,
            related=related,
        )
        return invoice

    def _op_GetInvDataByFkey(self, params: dict[str, str]) -> str:
        if self._login_refused(params) is not None:
            return "ERR:1"  # either account refused
        with self._state:
            invoice = self.invoices.get(params.get("fkey", ""))
            if invoice is None or params.get("pattern", invoice.pattern) not in (
                "",
                invoice.pattern,
            ):
                return "ERR:2"
            if not invoice.serial.startswith("C"):
                return "ERR:24"  # only a coded series (C...) gets a tax-authority code
            coded = self.coded_xml(invoice)
        return base64.b64encode(coded).decode("ascii")

    def coded_xml(self, invoice: SimInvoice) -> bytes:
        """The signed XML with a (simulated) tax-authority code ``MCCQT`` after ``DLHDon``."""
        root = parse_xml(self.signed_xml(invoice), what="signed HDon")
        code = hashlib.sha256(f"mccqt:{invoice.fkey}".encode()).hexdigest()[:34].upper()
        mccqt = etree.Element("MCCQT", Id="MCCQT")
        mccqt.text = code
        root.insert(1, mccqt)
        return etree.tostring(root, encoding="utf-8", xml_declaration=True)

    # -- BusinessService -----------------------------------------------------------------

    def _cancel(self, params: dict[str, str], *, no_pay: bool) -> str:
        refused = self._login_refused(params)
        if refused is not None:
            return refused
        with self._state:
            invoice = self._issued(params.get("fkey", ""))
            if isinstance(invoice, str):
                return invoice
            if invoice.paid == no_pay:
                return "ERR:9"
            invoice.status = DocumentStatus.CANCELLED
            self.ledger.record("cancel", invoice.fkey, number=invoice.number)
        return "OK:"

    def _issued(self, fkey: str) -> SimInvoice | str:
        """The issued invoice under `fkey` (call under the state lock), or the answer
        refusing to act on it: ``ERR:2`` (none), ``ERR:8`` (cancelled, replaced...)."""
        invoice = self.invoices.get(fkey)
        if invoice is None:
            return "ERR:2"
        if invoice.status is not DocumentStatus.ISSUED:
            return "ERR:8"
        return invoice

    def _op_cancelInv(self, params: dict[str, str]) -> str:
        return self._cancel(params, no_pay=False)

    def _op_cancelInvNoPay(self, params: dict[str, str]) -> str:
        return self._cancel(params, no_pay=True)

    def _related(self, params: dict[str, str], root_tag: str, new_status: DocumentStatus) -> str:
        root = self._invoice_data(params)
        if isinstance(root, str):
            return root
        if root.tag != root_tag or not (root.findtext("LDo") or "").strip():
            return "ERR:3"
        pattern, serial = params.get("pattern", ""), params.get("serial", "")
        with self._state:
            original = self._issued(params.get("fkey", ""))
            if isinstance(original, str):
                return original
            if original.pattern != pattern:
                return "ERR:19"
            outcome = self._publish_one(root, pattern, serial, related=original.fkey)
            if isinstance(outcome, str):
                return outcome
            original.status = new_status
        return publish_result(pattern, serial, {outcome.fkey: outcome.number})

    def _op_ReplaceInvoiceAction(self, params: dict[str, str]) -> str:
        return self._related(params, "ThayTheHD", DocumentStatus.REPLACED)

    def _op_AdjustInvoiceAction(self, params: dict[str, str]) -> str:
        return self._related(params, "DieuChinhHD", DocumentStatus.ADJUSTED)

    # -- PortalService -------------------------------------------------------------------

    def _op_listInvByCusFkey(self, params: dict[str, str]) -> str:
        if self._login_refused(params, staff=False) is not None:
            return "ERR:1"
        with self._state:
            invoice = self.invoices.get(params.get("key", ""))
            if invoice is None:
                return invoice_list_xml([])
            item = InvoiceItem(
                fkey=invoice.fkey,
                inv_token=f"{invoice.pattern};{invoice.serial};{invoice.number}",
                pattern=invoice.pattern,
                serial=invoice.serial,
                number=padded_number(invoice.number),
                status=self.profile.status_text(invoice.status),
                publish_date=invoice.published_at,
                amount=str(invoice.total),
                customer=_customer(invoice.document),
            )
        return invoice_list_xml([item])

    def _download(self, params: dict[str, str], *, pdf: bool, no_pay: bool) -> str:
        if self._login_refused(params, staff=False) is not None:
            return "ERR:1"
        with self._state:
            invoice = self.invoices.get(params.get("fkey", ""))
            if invoice is None:
                return "ERR:6"
            if not invoice.paid and not no_pay:
                return "ERR:11"
            if pdf:
                return base64.b64encode(self._pdf(invoice)).decode("ascii")
            return self.signed_xml(invoice).decode("utf-8")

    def signed_xml(self, invoice: SimInvoice) -> bytes:
        """The invoice as tax-authority XML (HDon), signed with a throw-away TEST key."""
        return self.sign(document_from_model(invoice.document, number=invoice.number))

    def _pdf(self, invoice: SimInvoice) -> bytes:
        return self.document_pdf(
            document_from_model(invoice.document, number=invoice.number),
            lookup_code=invoice.lookup_code,
            key=invoice.fkey,
        )

    def _op_downloadInvFkey(self, params: dict[str, str]) -> str:
        return self._download(params, pdf=False, no_pay=False)

    def _op_downloadInvFkeyNoPay(self, params: dict[str, str]) -> str:
        return self._download(params, pdf=False, no_pay=True)

    def _op_downloadInvPDFFkey(self, params: dict[str, str]) -> str:
        return self._download(params, pdf=True, no_pay=False)

    def _op_downloadInvPDFFkeyNoPay(self, params: dict[str, str]) -> str:
        return self._download(params, pdf=True, no_pay=True)


def _checked_total(data: etree._Element) -> int:
    """The grand total, after checking that lines and totals add up (else ValueError).

    Goods lines (TChat 1, 5) add, trade-discount lines (3) subtract, notes and promotions
    (4, 2) count nothing; amounts are compared without sign (adjustments may be negative).
    """
    net = Decimal(0)
    for item in data.iterfind("NDHDon/DSHHDVu/HHDVu"):
        amount = Decimal(item.findtext("ThTien") or "0")
        nature = item.findtext("TChat")
        if nature in ("1", "5"):
            net += amount
        elif nature == "3":
            net -= amount
    before_tax = Decimal(data.findtext("NDHDon/TToan/TgTCThue") or "0")
    tax = Decimal(data.findtext("NDHDon/TToan/TgTThue") or "0")
    total = Decimal(data.findtext("NDHDon/TToan/TgTTTBSo") or "x")
    if abs(before_tax) != abs(net) or before_tax + tax != total:
        raise ValueError("totals do not add up")
    return int(total)


def _fault(message: str) -> SimResponse:
    return soap_fault("soap:Client", message)


def _customer(document: Invoice | Receipt) -> str:
    buyer = document.buyer
    if buyer is None:
        return ""
    return buyer.legal_name or buyer.name or ""
