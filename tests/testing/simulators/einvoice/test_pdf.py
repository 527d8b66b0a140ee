"""Every e-invoice simulator's PDF shows the receipt in Vietnamese: who, what, how much."""

from __future__ import annotations

import pytest

from connectors.einvoice import Buyer, Line, Receipt, Seller
from connectors.testing import mount
from tests.einvoice import vendors
from tests.testing.pdftext import text_lines

URL = "https://einvoice.sim.test"
RECEIPT = Receipt(
    seller=Seller(name="UBND Phường Hàng Bạc", tax_code="0100109106", address="Số 1 Hàng Bạc"),
    buyer=Buyer(name="Nguyễn Thị Lụa"),
    template="EBL01",
    symbol="26T",
    dossier_code="HS2026000101",
    lines=(Line.fee("Lệ phí cấp giấy chứng nhận quyền sử dụng đất", 1_000_000),),
)


@pytest.mark.parametrize("vendor", [v.name for v in vendors.VENDORS])
def test_the_receipt_pdf_shows_seller_buyer_lines_and_the_amount_in_words(vendor: str) -> None:
    sim = vendors.simulator(vendor)
    with mount(sim, URL):
        client = vendors.client(vendor, URL)
        issued = client.issue(RECEIPT, idempotency_key="HS2026000101:receipt")
        lines = text_lines(client.download(issued.key, "pdf"))
    text = "\n".join(lines)
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" == lines[1]  # under the simulator's name
    assert "Đơn vị thu: UBND Phường Hàng Bạc" in lines
    assert "Mã số thuế: 0100109106" in lines
    assert "Người nộp: Nguyễn Thị Lụa" in lines
    assert "Lệ phí cấp giấy chứng nhận quyền sử dụng đất" in text
    assert "Tổng cộng thanh toán 1.000.000" in lines
    assert "Số tiền viết bằng chữ: Một triệu đồng" in lines
    assert "Khóa (idempotency key): HS2026000101:receipt" in lines
    assert f"Ký hiệu: {issued.symbol}" in text
    if issued.lookup_code:
        assert f"Mã tra cứu: {issued.lookup_code}" in lines
