"""Comparing a vendor's returned XML with what was sent."""

from __future__ import annotations

from dataclasses import replace

import pytest

from connectors.core import SignatureError, parse_xml
from connectors.einvoice.gdt import (
    Difference,
    DocumentMismatch,
    SellerCredentials,
    build_hdon,
    check_returned,
    differences,
    document_from_model,
    serialize,
    sign_hdon,
)

from .samples import SIGNED_AT, sample_invoice, sample_receipt


def vendor_copy(
    credentials: SellerCredentials, *, number: int = 42, edit: tuple[str, str] | None = None
) -> bytes:
    """What a vendor sends back: our content, numbered by it, optionally edited, signed."""
    text = serialize(build_hdon(document_from_model(sample_receipt(), number=number))).decode()
    if edit is not None:
        text = text.replace(*edit)
    root = parse_xml(text)
    return serialize(sign_hdon(root, credentials, signing_time=SIGNED_AT))


def test_the_vendors_number_is_not_a_difference(credentials: SellerCredentials) -> None:
    checked = check_returned(sample_receipt(), vendor_copy(credentials, number=42))
    assert 42 == checked.parsed.document.number
    assert checked.signature is not None
    assert not checked.signature.trusted


def test_a_changed_amount_is_reported_with_its_path(credentials: SellerCredentials) -> None:
    returned = vendor_copy(credentials, edit=("<DGia>2000</DGia>", "<DGia>2100</DGia>"))
    with pytest.raises(DocumentMismatch) as raised:
        check_returned(sample_receipt(), returned)
    assert [Difference("lines[0].unit_price", "2000", "2100")] == raised.value.differences
    assert "content_mismatch" == raised.value.code


def test_words_in_another_style_are_not_a_difference(credentials: SellerCredentials) -> None:
    returned = vendor_copy(credentials, edit=("Sáu nghìn đồng", "Sáu ngàn đồng chẵn"))
    check_returned(sample_receipt(), returned)


def test_words_for_another_amount_are_a_difference(credentials: SellerCredentials) -> None:
    returned = vendor_copy(credentials, edit=("Sáu nghìn đồng", "Bảy nghìn đồng"))
    with pytest.raises(DocumentMismatch) as raised:
        check_returned(sample_receipt(), returned)
    assert ["totals.grand_total_words"] == [d.path for d in raised.value.differences]


def test_a_changed_buyer_and_total_are_both_listed(credentials: SellerCredentials) -> None:
    returned = vendor_copy(
        credentials,
        edit=("<HVTNMHang>Nguyễn Văn Thử</HVTNMHang>", "<HVTNMHang>Trần Thị Khác</HVTNMHang>"),
    )
    with pytest.raises(DocumentMismatch) as raised:
        check_returned(sample_receipt(), returned)
    assert [Difference("buyer.person_name", "Nguyễn Văn Thử", "Trần Thị Khác")] == (
        raised.value.differences
    )


def test_tampering_after_signing_is_a_signature_error(credentials: SellerCredentials) -> None:
    returned = vendor_copy(credentials).replace(b"<DGia>2000<", b"<DGia>2100<")
    with pytest.raises(SignatureError):
        check_returned(sample_receipt(), returned)


def test_unsigned_copy_needs_require_signature_false() -> None:
    unsigned = serialize(build_hdon(document_from_model(sample_receipt(), number=1)))
    with pytest.raises(SignatureError):
        check_returned(sample_receipt(), unsigned)
    checked = check_returned(sample_receipt(), unsigned, require_signature=False)
    assert checked.signature is None


def test_differences_cover_lines_rates_and_totals() -> None:
    sent = document_from_model(sample_invoice(), number=7)
    dropped = replace(sent, lines=sent.lines[:2])
    found = {d.path for d in differences(sent, dropped)}
    assert "lines.count" in found
    rates = replace(
        sent.totals, rate_totals=sent.totals.rate_totals[:1], total_tax=sent.totals.total_tax + 1
    )
    found = {d.path for d in differences(sent, replace(sent, totals=rates))}
    assert {
        "totals.total_tax",
        "totals.rate_totals[8%].taxable",
        "totals.rate_totals[8%].tax",
        "totals.rate_totals[KCT].taxable",
        "totals.rate_totals[KCT].tax",
    } == found
    assert [] == differences(sent, sent)
    assert [Difference("number", "7", "8")] == differences(sent, replace(sent, number=8))
