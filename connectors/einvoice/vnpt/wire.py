"""VNPT Invoice's wire format: services, ``ERR:n`` codes, ``xmlInvData``, result strings.

Fidelity: the operations and their parameters (names, order, case) are *verified* against
VNPT's own WSDLs as customers' projects carry them (`OPERATIONS`: ``lytranuit/hddt``
``Hddt/Web References/*/{publish,business,portal}Service.wsdl``, copies from eight VNPT
hosts, and ``huuanhuynh/V6AccountingA_2024``
``Winform/HoaDonDienTu/VNPT_78/V6ThuePost_VNPT_78/ApiConnect/Web References/``). The
``OK:``/``ERR:n`` result strings, ``fkey`` and the ``ERR:13`` duplicate rule come from
integrators' code and an unofficial transcription of VNPT's integration document v6.0
(spec 2.3); answer formats are from integrators that read them (each cited where it is
used). What we had to guess (the TT78 ``xmlInvData`` subset, the status numbers beyond 3
and 5, the adjustment ``Type``, the invoice pattern of a template) lives in `WireProfile`.

Every VNPT name the client (`connectors.einvoice.vnpt.client`) and the simulator
(`connectors.testing.simulators.einvoice.vnpt`) use is here; neither imports the other.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from connectors.core.deprecation import moved
from connectors.core.errors import ValidationError
from connectors.core.safexml import parse_xml
from connectors.einvoice import provider
from connectors.einvoice.codes import Refusal, ResultCode, VendorCode
from connectors.einvoice.model_tax import LineKind
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import DocumentStatus, IssuedDocument, Vendor
from connectors.einvoice.symbols import is_valid_receipt_template
from connectors.vn.time import VN_TZ, to_vn

__all__ = [
    "CANCEL",
    "CANCEL_UNPAID",
    "DEFAULT_PROFILE",
    "DOWNLOAD",
    "DOWNLOAD_UNPAID",
    "ERR_CODES",
    "LOOKUP",
    "METHOD_CODES",
    "OPERATIONS",
    "PUBLISH",
    "RELATED",
    "SERVICES",
    "SERVICE_CALLS",
    "SERVICE_OF",
    "SOAP_ENV",
    "TAX_XML",
    "TEMPURI",
    "VENDOR",
    "InvoiceItem",
    "Login",
    "WireProfile",
    "call_params",
    "code_for",
    "decode_base64",
    "document_from_xml",
    "format_publish_date",
    "invoice_list_xml",
    "invoice_xml",
    "listed_document",
    "login_of",
    "no_pay",
    "padded_number",
    "parse_invoice_list",
    "parse_publish_date",
    "parse_publish_result",
    "parse_result",
    "pattern_of_issued",
    "plain_number",
    "publish_result",
    "published_document",
    "refusal",
    "soap_call",
    "soap_envelope",
]

TEMPURI = "http://tempuri.org/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"

_CREDENTIALS = ("Account", "ACpass")
_DOWNLOAD = ("fkey", "userName", "userPass")

OPERATIONS: Mapping[str, tuple[str, ...]] = {
    # PublishService.asmx
    "ImportAndPublishInv": (
        *_CREDENTIALS,
        "xmlInvData",
        "username",
        "password",
        "pattern",
        "serial",
        "convert",
    ),
    "GetInvDataByFkey": ("fkey", "userName", "userPass", "account", "accPass", "pattern"),
    # BusinessService.asmx
    "cancelInv": (*_CREDENTIALS, "fkey", "userName", "userPass"),
    "cancelInvNoPay": (*_CREDENTIALS, "fkey", "userName", "userPass"),
    "ReplaceInvoiceAction": (
        *_CREDENTIALS,
        "xmlInvData",
        "username",
        "pass",
        "fkey",
        "Attachfile",  # sic: lower-case f on replace, AttachFile on adjust
        "convert",
        "pattern",
        "serial",
    ),
    "AdjustInvoiceAction": (
        *_CREDENTIALS,
        "xmlInvData",
        "username",
        "pass",
        "fkey",
        "AttachFile",
        "convert",
        "pattern",
        "serial",
    ),
    # PortalService.asmx
    "downloadInvFkey": _DOWNLOAD,
    "downloadInvFkeyNoPay": _DOWNLOAD,
    "downloadInvPDFFkey": _DOWNLOAD,
    "downloadInvPDFFkeyNoPay": _DOWNLOAD,
    "listInvByCusFkey": ("key", "fromDate", "toDate", "userName", "userPass"),
}
"""Every operation the adapter calls and its parameter elements, in order, exactly as VNPT's
WSDLs declare them (namespace ``http://tempuri.org/``, every one a string except
``convert``, an int). Verified, identical on every host, in ``lytranuit/hddt:Hddt/Web
References/{asta,fp,fya,nghinhphong,pypharm,pypharmhcm,quangtri,...}.{publish,business,
portal}/*Service.wsdl`` and ``huuanhuynh/V6AccountingA_2024:Winform/HoaDonDienTu/VNPT_78/
V6ThuePost_VNPT_78/ApiConnect/Web References/{Publish,Business,Portal}Service/*.wsdl``.
The shipped WSDLs (``wsdl/``) are written by hand from this table, and a test keeps them
equal to it. An ASMX server ignores an element it does not declare: a misspelt credential
arrives empty."""

SERVICES: Mapping[str, tuple[str, ...]] = {
    "PublishService": ("ImportAndPublishInv", "GetInvDataByFkey"),
    "BusinessService": (
        "cancelInv",
        "cancelInvNoPay",
        "ReplaceInvoiceAction",
        "AdjustInvoiceAction",
    ),
    "PortalService": (
        "downloadInvFkey",
        "downloadInvFkeyNoPay",
        "downloadInvPDFFkey",
        "downloadInvPDFFkeyNoPay",
        "listInvByCusFkey",
    ),
}
"""Which ``.asmx`` service holds each operation."""

SERVICE_CALLS: tuple[tuple[str, bool], ...] = (
    ("PublishService", True),
    ("PublishService", False),
    ("BusinessService", False),
    ("PortalService", True),
)
"""The services a client calls and whether it calls them to read (retried) or to write (sent
once per attempt of its own): publish both, business writes, portal reads."""

SERVICE_OF: Mapping[str, str] = {
    operation: service for service, operations in SERVICES.items() for operation in operations
}
"""The service of each operation."""

VENDOR = Vendor(
    name="vnpt",
    title="VNPT",
    key_field="fkey",
    not_found_code="Data",  # a lookup that found nothing answers an empty <Data/>
    key_max_length=50,
    secret_fields=("ACpass", "accPass", "userPass", "pass"),
)
"""VNPT's facts for the domain base: ``fkey`` up to 50 characters, the password
parameters."""
PUBLISH = "ImportAndPublishInv"
LOOKUP = "listInvByCusFkey"
TAX_XML = "GetInvDataByFkey"
CANCEL = "cancelInv"
RELATED: Mapping[str, str] = {"replace": "ReplaceInvoiceAction", "adjust": "AdjustInvoiceAction"}
"""The operation issuing a replacement or an adjustment."""
DOWNLOAD: Mapping[str, str] = {"pdf": "downloadInvPDFFkey", "xml": "downloadInvFkey"}
"""The download operation of each format (PDF as base64, XML as text)."""
CANCEL_UNPAID = "ERR:9"
DOWNLOAD_UNPAID = "ERR:11"
"""The answers sending the caller to the ``...NoPay`` variant (the invoice is not marked
paid, or is)."""


def no_pay(operation: str) -> str:
    """The ``...NoPay`` variant of `operation` (for invoices not marked paid)."""
    return f"{operation}NoPay"


@dataclass(frozen=True)
class Login:
    """The two accounts every call carries: the issuing staff account (``Account``/``ACpass``,
    ``account``/``accPass``) and the web-service user (``username``/``userName`` with
    ``password``/``userPass``/``pass``)."""

    account: str
    account_password: str = field(repr=False)
    username: str
    password: str = field(repr=False)


_LOGIN_PARAMS = {
    "Account": "account",
    "account": "account",
    "ACpass": "account_password",
    "accPass": "account_password",
    "username": "username",
    "userName": "username",
    "password": "password",
    "userPass": "password",
    "pass": "password",
}


def login_of(params: Mapping[str, str]) -> Login:
    """The accounts a call carries (the simulator's reader of `call_params`); a credential
    the call lacks reads as empty."""
    values = dict.fromkeys(("account", "account_password", "username", "password"), "")
    for name, attribute in _LOGIN_PARAMS.items():
        if name in params:
            values[attribute] = params[name]
    return Login(**values)


def call_params(
    operation: str,
    login: Login,
    *,
    fkey: str = "",
    xml: str = "",
    pattern: str = "",
    serial: str = "",
    convert: int = 0,
) -> dict[str, object]:
    """Every parameter `OPERATIONS` declares for `operation`, in order: the credentials from
    `login`, the key (``fkey``, or ``key`` for the lookup), ``xmlInvData``, ``pattern``,
    ``serial`` and ``convert``; the others (dates, attachments) empty."""
    values: dict[str, object] = {
        "fkey": fkey,
        "key": fkey,
        "xmlInvData": xml,
        "pattern": pattern,
        "serial": serial,
        "convert": convert,
    }
    return {
        name: getattr(login, _LOGIN_PARAMS[name]) if name in _LOGIN_PARAMS else values.get(name, "")
        for name in OPERATIONS[operation]
    }


_STATUS_NUMBERS = (
    DocumentStatus.PENDING,  # 0
    DocumentStatus.ISSUED,  # 1
    DocumentStatus.ISSUED,  # 2 (declared)
    DocumentStatus.REPLACED,  # 3
    DocumentStatus.ADJUSTED,  # 4
    DocumentStatus.CANCELLED,  # 5
)


@dataclass(frozen=True)
class WireProfile:
    """Everything about VNPT's wire format that is configurable or guessed ([G])."""

    publish_path: str = "/PublishService.asmx"
    business_path: str = "/BusinessService.asmx"
    portal_path: str = "/PortalService.asmx"
    """The three services sit on the customer's one host (``<MST>-tt78admin.vnpt-invoice.
    com.vn`` in production, ``...admindemo...`` for tests); customers' WSDLs write the
    paths ``publishService.asmx`` or ``PublishService.asmx`` (IIS ignores the case) [V]."""
    invoice_pattern_suffix: str = "001"
    """The ``pattern`` of invoice template n is ``n/<suffix>`` (``1/001``) [G]."""
    convert: int = 0
    """``convert`` parameter: 1 converts TCVN3 text to Unicode; we always send Unicode."""
    date_format: str = "%Y-%m-%d"
    """``NLap`` in ``xmlInvData`` [G: TT78 style assumed for VNPT]."""
    statuses: Mapping[str, DocumentStatus] = field(
        default_factory=lambda: dict(zip("012345", _STATUS_NUMBERS, strict=True))
    )
    """``status`` of a ``listInvByCusFkey`` item. 0 is "not issued" (an SAP client treats it
    as an error, code index id 27781884998) and 3 and 5 are replaced and cancelled (the
    invoice viewer in ``lytranuit/hddt:Hddt/Controllers/Invoice78Controller.cs`` stamps the
    view of an invoice with status 3 or 5) [P]; 1 issued, 2 issued (declared), 4 adjusted
    are [G]. An unknown number reads as issued."""
    send_seller: bool = True
    """Send the seller (``NBan``) in ``xmlInvData``; VNPT may fill it from the account [G]."""
    adjust_increase_type: str = "2"
    adjust_decrease_type: str = "3"
    """``Type`` of a ``DieuChinhHD`` (2 increase, 3 decrease, 4 information) [G]."""

    def pattern_of(self, doc: Invoice | Receipt) -> str:
        """VNPT's ``pattern``: ``1/001`` for invoice template 1, the receipt template as is."""
        if isinstance(doc, Receipt):
            return doc.template
        return f"{doc.template}/{self.invoice_pattern_suffix}"

    def template_of(self, pattern: str) -> str:
        """Our template of a VNPT ``pattern`` (``1/001`` -> ``1``; a receipt's as is)."""
        suffix = f"/{self.invoice_pattern_suffix}"
        return pattern[: -len(suffix)] if pattern.endswith(suffix) else pattern

    def service_path(self, service: str) -> str:
        """The path of a service (`SERVICES`) on the customer's host."""
        paths = {
            "PublishService": self.publish_path,
            "BusinessService": self.business_path,
            "PortalService": self.portal_path,
        }
        return paths[service]

    def status_of(self, value: str | None) -> DocumentStatus:
        """Our status for an item's ``status`` (an unknown number reads as issued)."""
        return provider.status_of(self.statuses, value, DocumentStatus.ISSUED)

    def status_text(self, status: DocumentStatus) -> str:
        """The ``status`` number of our `status` (the simulator writes it)."""
        return provider.status_text(self.statuses, status, "1")


DEFAULT_PROFILE = WireProfile()

_CERT = ResultCode.CERTIFICATE
_BAD = ResultCode.INVALID_DATA

ERR_CODES: Mapping[str, VendorCode] = {
    "1": VendorCode(ResultCode.AUTH, "login failed or the account lacks permission"),
    "2": VendorCode(ResultCode.NOT_FOUND, "invoice (token/fkey) not found"),
    "3": VendorCode(_BAD, "invalid XML data"),
    "4": VendorCode(_BAD, "pattern/serial (or number range) not found"),
    "5": VendorCode(ResultCode.TEMPORARY, "system error, cannot publish"),
    "6": VendorCode(_BAD, "not enough invoice numbers"),
    "7": VendorCode(ResultCode.AUTH, "ServiceRole user invalid or company not found"),
    "8": VendorCode(ResultCode.WRONG_STATE, "already adjusted, replaced, cancelled or converted"),
    "9": VendorCode(ResultCode.WRONG_STATE, "status does not allow the action"),
    "10": VendorCode(_BAD, "batch too large (over 5000)"),
    "11": VendorCode(ResultCode.WRONG_STATE, "unpaid invoice cannot be viewed or downloaded"),
    "12": VendorCode(_BAD, "coded invoice not accepted by the tax authority"),
    "13": VendorCode(_BAD, "uncoded invoice not accepted by the tax authority"),
    "14": VendorCode(ResultCode.TEMPORARY, "numbering error (retry, one call per series)"),
    "15": VendorCode(_BAD, "deserialize error, already published, future date or no rate"),
    "19": VendorCode(_BAD, "pattern mismatch"),
    "20": VendorCode(_BAD, "pattern and serial mismatch"),
    "21": VendorCode(ResultCode.TEMPORARY, "duplicate invoice number (concurrent issue)"),
    "22": VendorCode(_CERT, "certificate not registered"),
    "23": VendorCode(ResultCode.TEMPORARY, "no tax-authority code (MCCQT) yet"),
    "24": VendorCode(_CERT, "certificate does not match the registration"),
    "26": VendorCode(_CERT, "certificate expired"),
    "27": VendorCode(_CERT, "certificate not yet valid"),
    "28": VendorCode(_CERT, "no certificate information"),
    "29": VendorCode(_CERT, "certificate expired at signing time"),
    "30": VendorCode(_BAD, "invoice date earlier than the last issued one"),
    "31": VendorCode(_BAD, "invalid assigned number"),
    "35": VendorCode(_BAD, "pattern and serial required (coded and uncoded series)"),
    "60": VendorCode(_BAD, "cross-type adjustment not allowed"),
    "61": VendorCode(_BAD, "cross-type adjustment not allowed"),
    "62": VendorCode(_BAD, "cross-type adjustment not allowed"),
    "1504": VendorCode(_BAD, "invalid budget-unit code (MDVQHNSach) or name"),
}
"""Every ``ERR:n`` of spec 2.3 and its common meaning (global table)."""

_DUPLICATE_KEY = VendorCode(ResultCode.DUPLICATE, "fkey already used")

_NOT_FOUND = VendorCode(ResultCode.NOT_FOUND, "invoice not found")
_DOWNLOAD_CODES = {"6": _NOT_FOUND}

METHOD_CODES: Mapping[str, Mapping[str, VendorCode]] = {
    "ImportAndPublishInv": {"13": _DUPLICATE_KEY},
    "ReplaceInvoiceAction": {"13": _DUPLICATE_KEY},
    "AdjustInvoiceAction": {"13": _DUPLICATE_KEY},
    "downloadInvFkey": _DOWNLOAD_CODES,
    "downloadInvFkeyNoPay": _DOWNLOAD_CODES,
    "downloadInvPDFFkey": _DOWNLOAD_CODES,
    "downloadInvPDFFkeyNoPay": _DOWNLOAD_CODES,
    "GetInvDataByFkey": {
        "2": _NOT_FOUND,
        "6": _NOT_FOUND,
        "24": VendorCode(ResultCode.TEMPORARY, "no tax-authority code yet"),
    },
}
"""Per-method meanings that differ from `ERR_CODES`. ``ERR:13`` on publish is a duplicate
fkey (``lytranuit/hddt`` Invoice78Controller: "FKey đã tồn tại"; assumed [G] for replace and
adjust). ``ERR:6`` from the download operations is "invoice not found"
(``huuanhuynh/V6AccountingA_2024:.../VNPT_78/.../Vnpt78WS.cs``: "Không tìm thấy hóa đơn").
``GetInvDataByFkey``: ``ERR:24`` "not coded by the tax authority yet" (transcription of
VNPT's document, code index id 58249131891), ``ERR:2``/``ERR:6`` not found [P: the meanings
``lytranuit/hddt`` gives them for ``GetMCCQThueByFkeys``]."""


def code_for(method: str, number: str) -> VendorCode:
    """The meaning of ``ERR:<number>`` answered by `method` (unknown -> invalid data)."""
    specific = METHOD_CODES.get(method, {}).get(number)
    if specific is not None:
        return specific
    return ERR_CODES.get(number, VendorCode(_BAD, "unknown VNPT error"))


def refusal(method: str, number: str, detail: str | None = None) -> Refusal:
    """What ``ERR:<number>`` (with its `detail`) answered by `method` means."""
    known = code_for(method, number)
    return Refusal(known.code, f"ERR:{number}", detail or known.meaning)


def parse_result(text: str | None) -> tuple[bool, str, str | None]:
    """``"OK:..."`` -> ``(True, "...", None)``; ``"ERR:13:detail"`` -> ``(False, "13", "detail")``.

    Anything else is an unreadable answer: `ValidationError`. Payloads that are not status
    strings (a base64 PDF, an XML document) are returned as ``(True, text, None)`` when they
    do not start with ``ERR:``.
    """
    if text is None:
        raise ValidationError("VNPT answered with an empty result", field="result")
    stripped = text.strip()
    if stripped.startswith("ERR:"):
        number, _, detail = stripped[4:].partition(":")
        return False, number.strip(), detail.strip() or None
    if stripped.startswith("OK"):
        return True, stripped[3:] if stripped.startswith("OK:") else stripped[2:], None
    return True, text, None


def parse_publish_result(payload: str, *, pattern: str, serial: str) -> dict[str, str]:
    """``"1/001;C25TAA-key1_1,key2_0000002"`` (after ``OK:``) -> ``{"key1": "1", "key2": "2"}``.

    Publish answers ``pattern;serial-fkey_number,...`` (``lytranuit/hddt`` splits on ``-``
    then ``_``); replace and adjust answers are read by integrators as
    ``pattern;serial;fkey_number`` (``huuanhuynh/V6AccountingA_2024`` Vnpt78WS.cs comment
    ``OK:01GTKT3/001;AA/12E;key_0000002``; ``lytranuit/hddt`` splits on ``;`` then ``_``), so
    both separators are accepted. Numbers lose VNPT's zero padding.
    """
    prefix = f"{pattern};{serial}"
    if not payload.startswith(prefix) or payload[len(prefix) : len(prefix) + 1] not in ("-", ";"):
        raise ValidationError(
            f"VNPT's result does not start with {prefix + '-'!r} or {prefix + ';'!r}",
            field="result",
        )
    numbers: dict[str, str] = {}
    for pair in payload[len(prefix) + 1 :].split(","):
        key, sep, number = pair.rpartition("_")
        if not sep or not key or not number.isdigit():
            raise ValidationError(f"unreadable key_number pair {pair!r}", field="result")
        numbers[key] = plain_number(number)
    return numbers


def publish_result(pattern: str, serial: str, numbers: Mapping[str, int]) -> str:
    """The answer of a publish (replace, adjust) that numbered `numbers` (fkey -> number):
    ``OK:pattern;serial-fkey_0000001,...`` (the simulator's; `parse_publish_result` reads
    it)."""
    pairs = ",".join(f"{fkey}_{padded_number(number)}" for fkey, number in numbers.items())
    return f"OK:{pattern};{serial}-{pairs}"


def _sub(parent: etree._Element, tag: str, value: object | None) -> None:
    """Append <tag>value</tag> unless value is None or empty (no empty tags, QD1271)."""
    if value is None or value == "":
        return
    child = etree.SubElement(parent, tag)
    child.text = str(value)


def _dlhdon(doc: Invoice | Receipt, issued_at: datetime, profile: WireProfile) -> etree._Element:
    totals = doc.totals
    dl = etree.Element("DLHDon")
    general = etree.SubElement(dl, "TTChung")
    _sub(general, "THDon", doc.title)
    _sub(general, "NLap", to_vn(issued_at).strftime(profile.date_format))
    _sub(general, "MHSo", doc.dossier_code)
    _sub(general, "DVTTe", doc.currency)
    _sub(general, "HTTToan", doc.payment_method.value)
    content = etree.SubElement(dl, "NDHDon")
    if profile.send_seller:
        seller = etree.SubElement(content, "NBan")
        _sub(seller, "Ten", doc.seller.name)
        _sub(seller, "MST", doc.seller.tax_code)
        _sub(seller, "DChi", doc.seller.address)
        _sub(seller, "SDThoai", doc.seller.phone)
        _sub(seller, "DCTDTu", doc.seller.email)
        _sub(seller, "STKNHang", doc.seller.bank_account)
        _sub(seller, "TNHang", doc.seller.bank_name)
    if doc.buyer is not None:
        b = doc.buyer
        buyer = etree.SubElement(content, "NMua")
        _sub(buyer, "Ten", b.legal_name)
        _sub(buyer, "MST", b.tax_code)
        _sub(buyer, "MDVQHNSach", b.budget_unit_code)
        _sub(buyer, "DChi", b.address)
        _sub(buyer, "MKHang", b.customer_code)
        _sub(buyer, "SDThoai", b.phone)
        _sub(buyer, "CCCDan", b.citizen_id)
        _sub(buyer, "DCTDTu", b.email)
        _sub(buyer, "HVTNMHang", b.name)
    items = etree.SubElement(content, "DSHHDVu")
    for line, amounts in zip(doc.lines, totals.lines, strict=True):
        item = etree.SubElement(items, "HHDVu")
        _sub(item, "TChat", int(line.kind))
        _sub(item, "STT", amounts.number)
        _sub(item, "MHHDVu", line.code)
        _sub(item, "THHDVu", line.name)
        if line.kind is LineKind.NOTE:
            continue
        _sub(item, "DVTinh", line.unit)
        _sub(item, "SLuong", line.quantity)
        _sub(item, "DGia", line.unit_price)
        if line.discount_rate is not None:
            _sub(item, "TLCKhau", line.discount_rate)
        if amounts.discount:
            _sub(item, "STCKhau", amounts.discount)
        _sub(item, "ThTien", abs(amounts.amount))
        _sub(item, "TSuat", line.tax_rate.code)
        _sub(item, "TThue", abs(amounts.tax))
    pay = etree.SubElement(content, "TToan")
    by_rate = etree.SubElement(pay, "THTTLTSuat")
    for entry in totals.by_rate:
        rate = etree.SubElement(by_rate, "LTSuat")
        _sub(rate, "TSuat", entry.rate.code)
        _sub(rate, "ThTien", entry.amount)
        _sub(rate, "TThue", entry.tax)
    _sub(pay, "TgTCThue", totals.amount)
    _sub(pay, "TgTThue", totals.tax)
    if totals.discount:
        _sub(pay, "TTCKTMai", totals.discount)
    _sub(pay, "TgTTTBSo", totals.total)
    _sub(pay, "TgTTTBChu", totals.words)
    return dl


def invoice_xml(
    doc: Invoice | Receipt,
    *,
    fkey: str,
    issued_at: datetime,
    profile: WireProfile = DEFAULT_PROFILE,
    action: str = "publish",
    reason: str | None = None,
) -> str:
    """The ``xmlInvData`` string (TT78 flavour).

    `action` ``"publish"``: ``<DSHDon><HDon><key/><DLHDon/></HDon></DSHDon>``;
    ``"replace"``: ``<ThayTheHD><key/><LDo/><DLHDon/></ThayTheHD>``;
    ``"adjust"``: ``<DieuChinhHD><key/><LDo/><Type/><DLHDon/></DieuChinhHD>``.
    """
    if action == "publish":
        root = etree.Element("DSHDon")
        holder = etree.SubElement(root, "HDon")
        _sub(holder, "key", fkey)
    elif action in ("replace", "adjust"):
        root = etree.Element("ThayTheHD" if action == "replace" else "DieuChinhHD")
        holder = root
        _sub(holder, "key", fkey)
        _sub(holder, "LDo", reason)
        if action == "adjust":
            increase = doc.totals.total >= 0
            kind = profile.adjust_increase_type if increase else profile.adjust_decrease_type
            _sub(holder, "Type", kind)
    else:
        raise ValueError(f"unknown action {action!r}")
    holder.append(_dlhdon(doc, issued_at, profile))
    return etree.tostring(root, encoding="unicode")


@dataclass(frozen=True)
class InvoiceItem:
    """One ``<Item>`` of a ``listInvByCusFkey`` answer (the lookup by fkey).

    Field names from integrators that read this answer: ``invNum``, ``status`` and
    ``publishDate`` (an SAP ABAP client, code index read_file id 27781884998), ``invNum``
    under ``Data/Item`` (an Odoo module's ``task_check_created_einvoice_at_vnpt``, id
    27290609479), and the whole item list in the ``Item`` class commented out in
    ``lytranuit/hddt:Hddt/Models/ModelInvoice.cs`` [P]. ``number`` is VNPT's zero-padded
    ``invNum`` as given; ``publish_date`` its ``M/d/yyyy h:mm:ss AM`` text [P].
    """

    fkey: str
    inv_token: str
    pattern: str
    serial: str
    number: str
    status: str
    publish_date: str
    amount: str = ""
    customer: str = ""


_ITEM_TAGS = (
    ("index", None),
    ("invToken", "inv_token"),
    ("fkey", "fkey"),
    ("name", None),
    ("publishDate", "publish_date"),
    ("signStatus", None),
    ("pattern", "pattern"),
    ("serial", "serial"),
    ("invNum", "number"),
    ("amount", "amount"),
    ("status", "status"),
    ("cusname", "customer"),
    ("payment", None),
)


def invoice_list_xml(items: list[InvoiceItem]) -> str:
    """The ``listInvByCusFkey`` answer ``<Data><Item>...</Item></Data>`` (the simulator's)."""
    root = etree.Element("Data")
    for position, item in enumerate(items, start=1):
        node = etree.SubElement(root, "Item")
        for tag, attribute in _ITEM_TAGS:
            if tag == "index":
                value: object = position
            elif tag == "name":
                value = item.customer
            elif tag in ("signStatus", "payment"):
                value = 1 if tag == "signStatus" else 0
            else:
                value = getattr(item, attribute or "")
            etree.SubElement(node, tag).text = str(value)
    return etree.tostring(root, encoding="unicode")


def parse_invoice_list(text: str) -> list[InvoiceItem]:
    """Read a ``listInvByCusFkey`` answer; an empty ``<Data/>`` is no invoice.

    Raises `ValidationError` when the answer is not a ``Data`` document.
    """
    root = parse_xml(text, what="VNPT listInvByCusFkey answer")
    if root.tag != "Data":
        raise ValidationError(
            f"listInvByCusFkey answered <{root.tag}>, not <Data>", field="listInvByCusFkeyResult"
        )
    items = []
    for node in root.iterfind("Item"):
        values = {
            attribute: (node.findtext(tag) or "").strip()
            for tag, attribute in _ITEM_TAGS
            if attribute
        }
        items.append(InvoiceItem(**values))
    return items


def listed_document(
    items: list[InvoiceItem], key: str, profile: WireProfile = DEFAULT_PROFILE
) -> IssuedDocument | None:
    """The document a ``listInvByCusFkey`` answer holds under ``fkey`` `key`, or None.

    ``lookup_code`` is the fkey: what VNPT's portal asks a citizen for [G]. An item without
    a number is pending, whatever its status says.
    """
    found = [item for item in items if item.fkey in (key, "")]
    if not found:
        return None
    item = found[0]
    number = plain_number(item.number) if item.number else None
    status = profile.status_of(item.status)
    if not number and status is DocumentStatus.ISSUED:
        status = DocumentStatus.PENDING
    return IssuedDocument(
        provider=VENDOR.name,
        key=key,
        number=number if number and number != "0" else None,
        template=profile.template_of(item.pattern),
        symbol=item.serial,
        lookup_code=key,
        issued_at=parse_publish_date(item.publish_date) if item.publish_date else None,
        status=status,
        raw={
            "fkey": item.fkey or key,
            "invToken": item.inv_token,
            "pattern": item.pattern,
            "serial": item.serial,
            "invNum": item.number,
            "status": item.status,
            "publishDate": item.publish_date,
            "amount": item.amount,
        },
    )


def pattern_of_issued(document: IssuedDocument) -> str:
    """The ``pattern`` VNPT listed a document under (what ``GetInvDataByFkey`` asks for)."""
    return str(document.raw.get("pattern", ""))


def published_document(
    payload: str,
    doc: Invoice | Receipt,
    *,
    fkey: str,
    issued_at: datetime,
    profile: WireProfile = DEFAULT_PROFILE,
) -> IssuedDocument:
    """The document a publish, replace or adjust result (after ``OK:``) gives `fkey`.

    Raises `ValidationError` when the result cannot be read or does not name `fkey`.
    """
    pattern = profile.pattern_of(doc)
    numbers = parse_publish_result(payload, pattern=pattern, serial=doc.series)
    if fkey not in numbers:
        raise ValidationError(f"the result does not name fkey {fkey!r}", field="result")
    return IssuedDocument(
        provider=VENDOR.name,
        key=fkey,
        number=numbers[fkey],
        template=doc.template,
        symbol=doc.series,
        lookup_code=fkey,
        issued_at=issued_at,
        status=DocumentStatus.ISSUED,
        raw={"result": f"OK:{payload}", "fkey": fkey, "pattern": pattern},
    )


def decode_base64(text: str) -> bytes:
    """A base64 answer (a PDF, the coded XML) decoded; `ValidationError` if it is not."""
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("the answer is not base64", field="result") from None


def padded_number(number: int) -> str:
    """``invNum`` as VNPT writes it: seven digits, zero-padded (``0000002``) [P: integrators'
    comments show ``key_0000002``; an SAP client reads eight characters]."""
    return f"{number:07d}"


def plain_number(text: str) -> str:
    """``"0000012"`` -> ``"12"``: the invoice number without VNPT's padding."""
    stripped = text.strip()
    return str(int(stripped)) if stripped.isdigit() else stripped


_PUBLISH_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")


def format_publish_date(moment: datetime) -> str:
    """``publishDate`` as VNPT's .NET host writes it (``6/1/2025 9:30:15 AM``) [P]."""
    local = to_vn(moment)
    hour = local.hour % 12 or 12
    suffix = "AM" if local.hour < 12 else "PM"
    return (
        f"{local.month}/{local.day}/{local.year} {hour}:{local.minute:02d}:{local.second:02d} "
        f"{suffix}"
    )


def parse_publish_date(text: str) -> datetime | None:
    """The aware moment (GMT+7) of a ``publishDate``; None when unreadable."""
    for fmt in _PUBLISH_DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=VN_TZ)
        except ValueError:
            continue
    return None


def soap_envelope(method: str, result: str) -> str:
    """A SOAP 1.1 answer ``<methodResponse><methodResult>result</...>`` (the simulator's)."""
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    response = etree.SubElement(body, f"{{{TEMPURI}}}{method}Response", nsmap={"t": TEMPURI})
    etree.SubElement(response, f"{{{TEMPURI}}}{method}Result").text = result
    return etree.tostring(envelope, encoding="unicode", xml_declaration=False)


def soap_call(body: bytes) -> tuple[str, dict[str, str]]:
    """``(method, {param: text})`` of a SOAP 1.1 request, read as an ASMX server reads it.

    Only the parameters `OPERATIONS` declares for the method count, matched by exact name
    in the ``http://tempuri.org/`` namespace: any other element is ignored, so a misspelt or
    unqualified parameter is absent (the simulator's reader). An unknown method has no
    parameters.
    """
    root = parse_xml(body, what="SOAP request")
    soap_body = root.find(f"{{{SOAP_ENV}}}Body")
    if soap_body is None or len(soap_body) == 0:
        raise ValidationError("no SOAP body", field="Body")
    call = soap_body[0]
    method = etree.QName(call).localname
    declared = set(OPERATIONS.get(method, ()))
    params = {}
    for child in call:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child)
        if name.namespace == TEMPURI and name.localname in declared:
            params[name.localname] = child.text or ""
    return method, params


def _text(node: etree._Element, path: str) -> str | None:
    value = node.findtext(path)
    return value.strip() if value is not None and value.strip() else None


def document_from_xml(
    root: etree._Element, *, pattern: str, serial: str, profile: WireProfile = DEFAULT_PROFILE
) -> Invoice | Receipt:
    """Read ``xmlInvData`` (its ``HDon``, ``ThayTheHD`` or ``DieuChinhHD`` holder) back into
    the model, with the ``pattern`` and ``serial`` sent beside it (the simulator's reader).

    Raises `ValidationError` when it does not make a valid document (or has no seller).
    """
    data = root.find("DLHDon")
    if data is None:
        raise ValidationError("xmlInvData has no DLHDon", field="xmlInvData")
    date_text = _text(data, "TTChung/NLap")
    try:
        day = datetime.strptime(date_text or "", profile.date_format)
    except ValueError:
        raise ValidationError(f"unreadable NLap {date_text!r}", field="NLap") from None
    seller = data.find("NDHDon/NBan")
    if seller is None:
        raise ValidationError("xmlInvData has no seller (NBan)", field="NBan")
    buyer_node = data.find("NDHDon/NMua")
    buyer = None
    if buyer_node is not None:
        buyer = {
            "legal_name": _text(buyer_node, "Ten"),
            "tax_code": _text(buyer_node, "MST"),
            "budget_unit_code": _text(buyer_node, "MDVQHNSach"),
            "address": _text(buyer_node, "DChi"),
            "customer_code": _text(buyer_node, "MKHang"),
            "phone": _text(buyer_node, "SDThoai"),
            "citizen_id": _text(buyer_node, "CCCDan"),
            "email": _text(buyer_node, "DCTDTu"),
            "name": _text(buyer_node, "HVTNMHang"),
        }
    lines = []
    for item in data.iterfind("NDHDon/DSHHDVu/HHDVu"):
        kind = LineKind(int(_text(item, "TChat") or "1"))
        line: dict[str, object] = {
            "name": _text(item, "THHDVu"),
            "kind": kind,
            "code": _text(item, "MHHDVu"),
            "tax_rate": _text(item, "TSuat") or "KCT",
        }
        if kind is not LineKind.NOTE:
            line.update(
                {
                    "unit": _text(item, "DVTinh"),
                    "quantity": _text(item, "SLuong") or "0",
                    "unit_price": _text(item, "DGia") or "0",
                }
            )
            if _text(item, "TLCKhau") is not None:
                line["discount_rate"] = _text(item, "TLCKhau")
            elif _text(item, "STCKhau") is not None:
                line["discount"] = _text(item, "STCKhau")
        lines.append(line)
    values: dict[str, object] = {
        "seller": {
            "name": _text(seller, "Ten"),
            "tax_code": _text(seller, "MST"),
            "address": _text(seller, "DChi"),
            "phone": _text(seller, "SDThoai"),
            "email": _text(seller, "DCTDTu"),
            "bank_account": _text(seller, "STKNHang"),
            "bank_name": _text(seller, "TNHang"),
        },
        "buyer": buyer,
        "lines": lines,
        "symbol": serial,
        "issued_at": day.replace(tzinfo=VN_TZ),
        "currency": _text(data, "TTChung/DVTTe") or "VND",
        "payment_method": _text(data, "TTChung/HTTToan") or "TM/CK",
        "dossier_code": _text(data, "TTChung/MHSo"),
        "is_adjustment": root.tag == "DieuChinhHD",
    }
    title = _text(data, "TTChung/THDon")
    if is_valid_receipt_template(pattern):
        if title:
            values["title"] = title
        return Receipt(template=pattern, **values)
    return Invoice(template=profile.template_of(pattern), title=title, **values)


__getattr__ = moved(__name__, {"VnptProfile": f"{__name__}:WireProfile"})
