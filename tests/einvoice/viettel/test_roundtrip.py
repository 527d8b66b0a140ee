"""What the adapter writes, the simulator reads back as the same document (any document)."""

from __future__ import annotations

from hypothesis import given

from connectors.einvoice import Invoice, Receipt
from connectors.einvoice.viettel.wire import document_from_payload, invoice_payload
from tests.einvoice.strategies import documents


@given(documents)
def test_payload_reads_back_as_the_same_document(doc: Invoice | Receipt) -> None:
    assert doc.issued_at is not None
    body = invoice_payload(doc, transaction_uuid="roundtrip-0001", issued_at=doc.issued_at)
    back = document_from_payload(body)
    assert doc == back
    assert doc.totals == back.totals
    assert body["summarizeInfo"]["totalAmountWithTax"] == back.total
