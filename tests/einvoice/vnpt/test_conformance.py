"""The e-invoice conformance suite against the VNPT simulator, in process and on loopback."""

from tests.einvoice.vendors import conformance

TestVnptConformance = conformance("vnpt", issue_route="ImportAndPublishInv")
