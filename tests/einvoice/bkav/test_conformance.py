"""The e-invoice conformance suite against BKAV eHoadon's simulator (its signed XML's
signature trusted against the simulator's TEST certificate by the suite)."""

from tests.einvoice.vendors import conformance

TestBkavConformance = conformance("bkav", read=1.0, issue_route="create", ledger_kind="create")
