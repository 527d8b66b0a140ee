"""The shared e-invoice conformance suite, run against MISA meInvoice and its simulator."""

from __future__ import annotations

import pytest

from connectors.core import RetryPolicy, Timeouts, Transport
from connectors.einvoice.gdt import check_returned
from connectors.einvoice.misa import MisaInvoice, MisaInvoiceSettings
from connectors.testing.conformance.einvoice import (
    EInvoiceHarness,
    InvoiceProviderConformance,
    Running,
)
from connectors.testing.simulators.einvoice.misa import MisaInvoiceSimulator


def make_client(base_url: str) -> MisaInvoice:
    settings = MisaInvoiceSettings(
        base_url=base_url + "/api/integration",
        app_id="TEST-APPID-0001",
        tax_code="0100109106",
        username="test-user",
        password="test-password",
    )
    transport = Transport(
        "misa",
        timeouts=Timeouts(connect=0.5, read=1.0, total=20),
        retry=RetryPolicy(max_attempts=3, sleep=lambda _s: None),
        redactor=settings.redactor("Authorization"),
    )
    return MisaInvoice(settings, transport=transport)


class TestMisaConformance(InvoiceProviderConformance):
    @pytest.fixture
    def harness(self) -> EInvoiceHarness:
        return EInvoiceHarness(
            name="misa",
            make_simulator=MisaInvoiceSimulator,
            make_client=make_client,
            issue_route="issue",
        )

    def test_downloaded_xml_validates_and_its_signature_verifies(self, env: Running) -> None:
        doc = env.harness.document()
        env.client.issue(doc, idempotency_key="conformance-gdt-xml")
        data = env.client.download("conformance-gdt-xml", "xml")
        assert isinstance(env.sim, MisaInvoiceSimulator)
        checked = check_returned(doc, data, trusted_certificate=env.sim.credentials.certificate)
        assert checked.signature is not None
        assert checked.signature.trusted
