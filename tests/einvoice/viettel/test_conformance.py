"""The e-invoice conformance suite against the Viettel simulator, in process and on loopback."""

from __future__ import annotations

import pytest

from connectors.testing.conformance.einvoice import EInvoiceHarness, InvoiceProviderConformance
from tests.einvoice.viettel.helpers import make_client, make_simulator


class TestViettelConformance(InvoiceProviderConformance):
    @pytest.fixture
    def harness(self) -> EInvoiceHarness:
        return EInvoiceHarness(
            name="viettel",
            make_simulator=make_simulator,
            make_client=make_client,
            issue_route="issue",
            # The search answer's status is the payment status (Odoo, V6AccountingA_2024).
            status_shows_changes=False,
        )
