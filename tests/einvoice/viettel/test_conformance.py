"""The e-invoice conformance suite against the Viettel simulator, in process and on loopback."""

from tests.einvoice.vendors import conformance

TestViettelConformance = conformance(
    "viettel",
    issue_route="issue",
    # The search answer's status is the payment status (Odoo, V6AccountingA_2024).
    status_shows_changes=False,
)
