"""Any valid document goes through each adapter and simulator and comes back as it was sent:
the vendor's own checks pass, and the returned XML is the signed document we sent."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings

from connectors.einvoice import Invoice, InvoiceProvider, Receipt
from connectors.einvoice.gdt import check_returned
from connectors.testing import Simulator, mount
from tests.einvoice import strategies
from tests.einvoice.viettel import helpers as viettel
from tests.einvoice.vnpt import helpers as vnpt

VENDORS: dict[str, tuple[Callable[[], Simulator], Callable[[str], InvoiceProvider], str]] = {
    "vnpt": (vnpt.make_simulator, vnpt.make_client, vnpt.URL),
    "viettel": (viettel.make_simulator, viettel.make_client, viettel.URL),
}


@pytest.mark.parametrize("vendor", sorted(VENDORS))
@settings(max_examples=25)
@given(doc=strategies.documents)
def test_any_document_issues_and_returns_unchanged(vendor: str, doc: Invoice | Receipt) -> None:
    make_simulator, make_client, url = VENDORS[vendor]
    sim = make_simulator()
    with mount(sim, url):
        client = make_client(url)
        issued = client.issue(doc, idempotency_key="any-document-1")
        checked = check_returned(doc, client.download(issued.key, "xml"))
    assert 1 == sim.ledger.count("invoice", "any-document-1")
    assert doc.total == checked.parsed.document.totals.grand_total
