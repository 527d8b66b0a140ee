"""Parsing HDon back: round trips, older versions, and refusal of unsafe or invalid XML."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from lxml import etree

from connectors.core import ValidationError
from connectors.einvoice import Invoice, Line, LineKind
from connectors.einvoice.gdt import (
    DEFAULT_PROFILE,
    SellerCredentials,
    build_hdon,
    document_from_model,
    parse_hdon,
    serialize,
    sign_hdon,
    verify_hdon,
)

from .samples import SELLER, SIGNED_AT, sample_invoice, sample_receipt

_NAMES = st.text(alphabet="abcđơưáàảãạĐÔƯ 0123456789-", min_size=1, max_size=60).filter(
    lambda s: s.strip() == s and "  " not in s and s != ""
)
_RATES = st.sampled_from(["0%", "5%", "8%", "10%", "KCT", "KKKNT", "KHAC:3.50%"])


@st.composite
def lines(draw: st.DrawFn) -> Line:
    return Line(
        name=draw(_NAMES),
        unit=draw(st.none() | st.sampled_from(["lần", "bộ", "trang"])),
        quantity=draw(st.decimals(min_value=0, max_value=10_000, places=3)),
        unit_price=draw(st.decimals(min_value=0, max_value=10_000_000, places=2)),
        tax_rate=draw(_RATES),
        kind=draw(st.sampled_from([LineKind.GOODS, LineKind.GOODS, LineKind.DISCOUNT])),
        code=draw(st.none() | st.from_regex(r"[A-Z]{2}[0-9]{3}", fullmatch=True)),
    )


@given(st.lists(lines(), min_size=1, max_size=12), st.integers(1, 99_999_999))
def test_build_then_parse_gives_back_the_document(items: list[Line], number: int) -> None:
    try:
        invoice = Invoice(
            seller=SELLER, template="1", symbol="C25TAA", issued_at=SIGNED_AT, lines=items
        )
    except ValidationError:
        assume(False)
        raise
    sent = document_from_model(invoice, number=number)
    parsed = parse_hdon(serialize(build_hdon(sent)))
    expected = replace(sent, title=DEFAULT_PROFILE.invoice_title, version="2.1.0")
    assert expected == parsed.document
    assert Decimal(invoice.totals.total) == parsed.document.totals.grand_total
    assert parsed.document.totals.grand_total == sum(
        (r.taxable + r.tax for r in parsed.document.totals.rate_totals), Decimal(0)
    )


def test_parsed_receipt_keeps_every_field_and_the_signature_flag(
    credentials: SellerCredentials,
) -> None:
    sent = document_from_model(sample_receipt(), number=42)
    root = build_hdon(sent)
    parsed = parse_hdon(serialize(sign_hdon(root, credentials, signing_time=SIGNED_AT)))
    assert replace(sent, version="2.1.0") == parsed.document
    assert parsed.has_seller_signature
    assert "SigningData" == parsed.data_id
    assert parsed.tax_authority_code is None
    verify_hdon(parsed.root, trusted_certificate=credentials.certificate)


def _xml(invoice: Invoice | None = None) -> str:
    document = document_from_model(invoice or sample_invoice(), number=9)
    return serialize(build_hdon(document)).decode("utf-8")


def test_older_version_and_tax_authority_code_are_accepted() -> None:
    text = _xml().replace("<PBan>2.1.0</PBan>", "<PBan>2.0.1</PBan>")
    code = "M1-TEST-0000000000000000000000000"[:34]
    text = text.replace("</DLHDon>", f'</DLHDon><MCCQT Id="Id-MCCQT">{code}</MCCQT>')
    parsed = parse_hdon(text)
    assert "2.0.1" == parsed.document.version
    assert code == parsed.tax_authority_code
    assert not parsed.has_seller_signature


def test_unknown_elements_are_refused_naming_them() -> None:
    text = _xml().replace("<TgTThue>", "<Surprise>1</Surprise><TgTThue>")
    with pytest.raises(ValidationError) as raised:
        parse_hdon(text)
    assert "/HDon/DLHDon/NDHDon/TToan/Surprise" == raised.value.field


def test_a_date_with_an_offset_is_refused() -> None:
    text = _xml().replace("<NLap>2025-06-01</NLap>", "<NLap>2025-06-01+07:00</NLap>")
    with pytest.raises(ValidationError) as raised:
        parse_hdon(text)
    assert "/HDon/DLHDon/TTChung/NLap" == raised.value.field


def test_unsafe_xml_is_refused_before_reading() -> None:
    text = '<?xml version="1.0"?><!DOCTYPE HDon [<!ENTITY x "boom">]><HDon>&x;</HDon>'
    with pytest.raises(ValidationError, match="DOCTYPE"):
        parse_hdon(text)


def test_another_root_is_refused() -> None:
    with pytest.raises(ValidationError) as raised:
        parse_hdon("<Invoice/>")
    assert "HDon" == raised.value.field


SAMPLES = Path(__file__).parent.parent / "samples" / "gdt"


def test_a_real_vendor_document_with_empty_elements_parses() -> None:
    """A vendor's HDon (PBan 2.0.0) writes empty optional tags; they read as absent."""
    data = (SAMPLES / "vendor-hdon-2.0.0-empty-elements.xml").read_bytes()
    parsed = parse_hdon(data)
    doc = parsed.document
    assert ("2.0.0", "1", "K21TCC", 6) == (doc.version, doc.template, doc.symbol, doc.number)
    assert (None, None) == (doc.dossier_code, doc.provider_tax_code)
    assert parsed.tax_authority_code is None
    buyer = doc.buyer
    assert buyer is not None
    assert (None, None, "Khách lẻ thử") == (buyer.name, buyer.tax_code, buyer.person_name)
    assert () == doc.totals.fees
    assert doc.totals.trade_discount is None
    assert Decimal(110_000_000) == doc.totals.grand_total
    assert [Decimal(100_000_000)] == [line.amount for line in doc.lines]
    assert parsed.has_seller_signature
    # The document as received is kept whole (a signature covers the empty tags too).
    assert parsed.root.find("DLHDon/TTChung/MHSo") is not None


def test_an_empty_required_element_is_still_refused() -> None:
    doc = document_from_model(sample_invoice(), number=5)
    root = etree.fromstring(serialize(build_hdon(doc)))
    root.find("DLHDon/NDHDon/TToan/TgTTTBChu").text = ""
    with pytest.raises(ValidationError) as raised:
        parse_hdon(etree.tostring(root))
    assert "TgTTTBChu" in raised.value.message
