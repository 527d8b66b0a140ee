"""What the adapter writes in xmlInvData, the simulator reads back as the same document."""

from __future__ import annotations

from hypothesis import given

from connectors.core import parse_xml
from connectors.einvoice import Invoice, Receipt
from connectors.einvoice.vnpt.wire import DEFAULT_PROFILE, document_from_xml, invoice_xml
from tests.einvoice.strategies import documents


@given(documents)
def test_xml_inv_data_reads_back_as_the_same_document(doc: Invoice | Receipt) -> None:
    assert doc.issued_at is not None
    midnight = doc.issued_at.replace(hour=0, minute=0, second=0)
    doc = doc.model_copy(update={"issued_at": midnight})
    text = invoice_xml(doc, fkey="fkey-1", issued_at=midnight)
    holder = parse_xml(text).find("HDon")
    assert holder is not None
    back = document_from_xml(holder, pattern=DEFAULT_PROFILE.pattern_of(doc), serial=doc.series)
    assert doc == back
    assert doc.totals == back.totals
