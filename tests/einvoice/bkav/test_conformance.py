"""The shared e-invoice conformance suite, run against BKAV eHoadon and its simulator."""

from __future__ import annotations

import pytest

from connectors.core import RetryPolicy, Timeouts, Transport
from connectors.einvoice.bkav import BkavInvoice, BkavInvoiceSettings, BkavKey
from connectors.einvoice.gdt import check_returned
from connectors.testing.conformance.einvoice import (
    EInvoiceHarness,
    InvoiceProviderConformance,
    Running,
)
from connectors.testing.simulators.einvoice.bkav import BkavInvoiceSimulator

TOKEN = BkavKey(bytes(range(32)), bytes(range(16, 32))).token()


def make_client(base_url: str) -> BkavInvoice:
    settings = BkavInvoiceSettings(
        base_url=base_url + "/WSPublicEHoaDon.asmx",
        partner_guid="00000000-test-4000-8000-000000000001",
        partner_token=TOKEN,
        tax_code="0100109106",
    )
    transport = Transport(
        "bkav",
        timeouts=Timeouts(connect=0.5, read=1.0, total=20),
        retry=RetryPolicy(max_attempts=3, sleep=lambda _s: None),
        redactor=settings.redactor("partnerGUID"),
    )
    return BkavInvoice(settings, transport=transport)


class TestBkavConformance(InvoiceProviderConformance):
    @pytest.fixture
    def harness(self) -> EInvoiceHarness:
        return EInvoiceHarness(
            name="bkav",
            make_simulator=BkavInvoiceSimulator,
            make_client=make_client,
            issue_route="create",
            ledger_kind="create",
        )

    def test_downloaded_xml_validates_and_its_signature_verifies(self, env: Running) -> None:
        doc = env.harness.document()
        env.client.issue(doc, idempotency_key="conformance-gdt-xml")
        data = env.client.download("conformance-gdt-xml", "xml")
        assert isinstance(env.sim, BkavInvoiceSimulator)
        checked = check_returned(doc, data, trusted_certificate=env.sim.credentials.certificate)
        assert checked.signature is not None
        assert checked.signature.trusted
