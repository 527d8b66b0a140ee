"""Properties over generated documents: every model document becomes XML that validates,
reads back to the same content, signs and verifies, and any changed amount is caught."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.core import SignatureError, parse_xml
from connectors.einvoice import Invoice, Receipt
from connectors.einvoice.gdt import (
    DEFAULT_PROFILE,
    SellerCredentials,
    build_hdon,
    differences,
    document_from_model,
    model_from_document,
    parse_hdon,
    serialize,
    sign_hdon,
    verify_hdon,
)
from connectors.vn import words_to_amount

from ..strategies import documents
from .samples import SIGNED_AT, make_credentials

CREDENTIALS: SellerCredentials = make_credentials()


def _title(doc: Invoice | Receipt) -> str:
    return doc.title or DEFAULT_PROFILE.invoice_title


@given(documents, st.integers(1, 99_999_999))
def test_every_document_validates_and_reads_back(doc: Invoice | Receipt, number: int) -> None:
    sent = document_from_model(doc, number=number)
    parsed = parse_hdon(serialize(build_hdon(sent)))
    assert replace(sent, title=_title(doc), version="2.1.0") == parsed.document
    assert [] == differences(sent, parsed.document)
    totals = parsed.document.totals
    assert Decimal(doc.totals.total) == totals.grand_total
    assert totals.grand_total == totals.total_before_tax + totals.total_tax
    assert totals.total_tax == sum((r.tax for r in totals.rate_totals), Decimal(0))
    assert totals.grand_total == words_to_amount(totals.grand_total_words)


@given(documents, st.integers(1, 99_999_999))
def test_the_xml_reads_back_into_an_equal_model(doc: Invoice | Receipt, number: int) -> None:
    sent = document_from_model(doc, number=number)
    back = model_from_document(parse_hdon(serialize(build_hdon(sent))).document)
    assert type(doc) is type(back)
    assert doc.totals == back.totals
    assert (doc.seller, doc.buyer, doc.lines) == (back.seller, back.buyer, back.lines)
    again = document_from_model(back, number=number)
    assert replace(sent, title=_title(doc)) == again


@settings(max_examples=25)
@given(documents, st.data())
def test_signed_documents_verify_and_catch_any_changed_amount(
    doc: Invoice | Receipt, data: st.DataObject
) -> None:
    root = build_hdon(document_from_model(doc, number=1))
    signed = serialize(sign_hdon(root, CREDENTIALS, signing_time=SIGNED_AT))
    assert verify_hdon(signed, trusted_certificate=CREDENTIALS.certificate).trusted
    tampered = parse_xml(signed)
    amounts = [
        node
        for tag in ("ThTien", "TgTTTBSo", "TgTCThue", "SLuong", "DGia")
        for node in tampered.iter(tag)
    ]
    node = data.draw(st.sampled_from(amounts))
    node.text = str(Decimal(node.text or "0") + 1)
    with pytest.raises(SignatureError):
        verify_hdon(tampered)
