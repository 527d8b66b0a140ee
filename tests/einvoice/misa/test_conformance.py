"""The e-invoice conformance suite against MISA meInvoice's simulator (its signed XML's
signature trusted against the simulator's TEST certificate by the suite)."""

from tests.einvoice.vendors import conformance

TestMisaConformance = conformance("misa", read=1.0, issue_route="issue")
