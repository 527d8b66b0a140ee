"""A receipt's or invoice's PDF as the simulated vendors hand it out: one A4 page, Vietnamese.

Drawn from the document's tax-authority form (`HDonDocument`, what the simulator signs):
title, template, symbol and number, date, the seller and the buyer, a table of the lines,
the totals, the amount in words, the lookup code and our idempotency key, and a line saying
it comes from a simulator. The layout is the simulators' own (each vendor has its own in
life); what matters is that a person reads the right document and the text extracts.
"""

from __future__ import annotations

from decimal import Decimal

from connectors.einvoice.gdt import HDonDocument, Party
from connectors.einvoice.gdt.document import Line
from connectors.testing.pdf import Align, PdfPage

__all__ = ["document_pdf"]

_LEFT, _RIGHT, _TOP = 48.0, 547.0, 800.0
_BODY, _SMALL, _LEADING = 10.0, 8.0, 14.0
_INVOICE_TITLES = {"1": "HÓA ĐƠN GIÁ TRỊ GIA TĂNG", "2": "HÓA ĐƠN BÁN HÀNG"}
"""The title of an invoice without its own, by template number (KHMSHDon)."""
_PAYMENT = {"TM": "Tiền mặt", "CK": "Chuyển khoản", "TM/CK": "Tiền mặt hoặc chuyển khoản"}
# Table columns: (heading, right edge or left edge, alignment); column 1 is the name.
_NAME = 1
_COLUMNS: tuple[tuple[str, float, Align], ...] = (
    ("STT", 66.0, "center"),
    ("", 84.0, "left"),  # the name column; its heading depends on the document
    ("ĐVT", 330.0, "left"),
    ("Số lượng", 420.0, "right"),
    ("Đơn giá", 480.0, "right"),
    ("Thành tiền", _RIGHT, "right"),
)
_NAME_WIDTH = 240.0


def _money(value: Decimal | int | None) -> str:
    """Whole đồng grouped by dots, as Vietnamese documents print them (``1.250.000``)."""
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")


def _number(value: Decimal | None) -> str:
    """A quantity with a decimal comma and no trailing zeros (``2``, ``1,5``)."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text.replace(".", ",")


class _Writer:
    """A cursor going down the page."""

    def __init__(self, page: PdfPage) -> None:
        self.page = page
        self.y = _TOP

    def line(self, text: str, *, size: float = _BODY, bold: bool = False, gap: float = 0) -> None:
        for part in self.page.wrap(text, _RIGHT - _LEFT, size, bold=bold):
            self.page.text(_LEFT, self.y, part, size=size, bold=bold)
            self.y -= _LEADING * size / _BODY
        self.y -= gap

    def label(self, label: str, value: str | None) -> None:
        """``label: value`` with the label in bold; nothing if `value` is empty."""
        if not value:
            return
        offset = self.page.width(label + ": ", _BODY, bold=True)
        self.page.text(_LEFT, self.y, label + ":", bold=True)
        parts = self.page.wrap(value, _RIGHT - _LEFT - offset, _BODY)
        for part in parts:
            self.page.text(_LEFT + offset, self.y, part)
            self.y -= _LEADING

    def rule(self, gap: float = 6) -> None:
        self.page.rule(_LEFT, self.y + _LEADING - 4, _RIGHT, self.y + _LEADING - 4)
        self.y -= gap


def _party(writer: _Writer, heading: str, party: Party | None, person: str = "Họ tên") -> None:
    if party is None:
        writer.label(heading, "(không ghi)")
        return
    writer.label(heading, party.name or party.person_name)
    if party.name and party.person_name:
        writer.label(person, party.person_name)
    writer.label("Mã số thuế", party.tax_code)
    writer.label("Số định danh (CCCD)", party.citizen_id)
    writer.label("Mã ĐVQHNS", party.budget_unit_code)
    writer.label("Địa chỉ", party.address)
    if party.bank_account:
        writer.label("Tài khoản", f"{party.bank_account} {party.bank_name or ''}".strip())


def _row(writer: _Writer, cells: tuple[str, ...], *, bold: bool = False) -> None:
    """One table row; the name cell wraps, the row grows to fit it."""
    page = writer.page
    names = page.wrap(cells[_NAME], _NAME_WIDTH, _BODY, bold=bold)
    for column, ((_heading, x, align), cell) in enumerate(zip(_COLUMNS, cells, strict=True)):
        if column == _NAME:
            for n, part in enumerate(names):
                page.text(x, writer.y - n * _LEADING, part, bold=bold)
        else:
            page.text(x, writer.y, cell, bold=bold, align=align)
    writer.y -= _LEADING * len(names)


def _line_cells(line: Line) -> tuple[str, ...]:
    return (
        str(line.number),
        line.name,
        line.unit or "",
        _number(line.quantity),
        _money(line.unit_price),
        _money(line.amount),
    )


def _table(writer: _Writer, document: HDonDocument, receipt: bool) -> None:
    headings = tuple(h for h, _x, _a in _COLUMNS)
    name = "Nội dung thu" if receipt else "Tên hàng hóa, dịch vụ"
    writer.rule(gap=2)
    _row(writer, (headings[0], name, *headings[2:]), bold=True)
    writer.rule(gap=2)
    for line in document.lines:
        _row(writer, _line_cells(line))
    writer.rule(gap=2)
    totals = document.totals
    rows = [("Cộng tiền trước thuế", totals.total_before_tax)]
    if totals.trade_discount:
        rows.append(("Chiết khấu thương mại", totals.trade_discount))
    if totals.total_tax or totals.rate_totals:
        rates = ", ".join(r.rate for r in totals.rate_totals)
        rows.append((f"Thuế GTGT ({rates})" if rates else "Thuế GTGT", totals.total_tax))
    rows += [(fee.name, fee.amount) for fee in totals.fees]
    if receipt and not totals.total_tax:
        rows = []
    for label, amount in rows:
        writer.page.text(420, writer.y, label, align="right")
        writer.page.text(_RIGHT, writer.y, _money(amount), align="right")
        writer.y -= _LEADING
    writer.page.text(420, writer.y, "Tổng cộng thanh toán", bold=True, align="right")
    writer.page.text(_RIGHT, writer.y, _money(totals.grand_total), bold=True, align="right")
    writer.y -= _LEADING + 4


def document_pdf(
    document: HDonDocument,
    *,
    vendor: str,
    lookup_code: str | None = None,
    key: str | None = None,
) -> bytes:
    """`document` as a one-page PDF from the simulated `vendor`, in Vietnamese.

    `lookup_code` is the code a citizen types on the vendor's portal (mã tra cứu), `key`
    our idempotency key for the document; both are printed when given.
    """
    receipt = document.template.upper().startswith(("EBL", "BL")) or (
        document.title or ""
    ).upper().startswith("BIÊN LAI")
    default = "BIÊN LAI THU PHÍ, LỆ PHÍ" if receipt else _INVOICE_TITLES.get(document.template)
    title = document.title or default or "HÓA ĐƠN"
    page = PdfPage()
    writer = _Writer(page)
    page.text(_RIGHT, writer.y, f"{vendor}: trình mô phỏng, bản thử", size=_SMALL, align="right")
    writer.y -= 26
    page.text((_LEFT + _RIGHT) / 2, writer.y, title, size=15, bold=True, align="center")
    writer.y -= _LEADING + 2
    when = document.issue_date
    page.text(
        (_LEFT + _RIGHT) / 2,
        writer.y,
        f"Ngày {when.day:02d} tháng {when.month:02d} năm {when.year}",
        align="center",
    )
    writer.y -= _LEADING
    number = "(chưa cấp số)" if document.number is None else f"{document.number:07d}"
    page.text(
        (_LEFT + _RIGHT) / 2,
        writer.y,
        f"Mẫu số: {document.template}    Ký hiệu: {document.symbol}    Số: {number}",
        align="center",
    )
    writer.y -= _LEADING + 10
    _party(writer, "Đơn vị thu" if receipt else "Đơn vị bán hàng", document.seller)
    writer.y -= 6
    _party(
        writer,
        "Người nộp" if receipt else "Người mua hàng",
        document.buyer,
        "Họ tên người nộp" if receipt else "Họ tên người mua",
    )
    writer.label("Hồ sơ", document.dossier_code)
    writer.label("Hình thức thanh toán", _PAYMENT.get(document.payment_method or ""))
    writer.y -= 8
    _table(writer, document, receipt)
    writer.label("Số tiền viết bằng chữ", document.totals.grand_total_words)
    writer.y -= 10
    writer.label("Mã tra cứu", lookup_code)
    writer.label("Khóa (idempotency key)", key)
    writer.y -= 10
    signer = "Người thu tiền" if receipt else "Người bán hàng"
    page.text(_RIGHT - 80, writer.y, signer, bold=True, align="center")
    page.text(_RIGHT - 80, writer.y - _LEADING, "(Ký số)", size=_SMALL, align="center")
    page.text(
        (_LEFT + _RIGHT) / 2,
        40,
        "Bản thể hiện do trình mô phỏng tạo, không có giá trị pháp lý.",
        size=_SMALL,
        align="center",
    )
    return page.to_bytes(title=f"{title} {document.symbol} {number}")
