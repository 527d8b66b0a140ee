"""Adapters mounted on their simulators, in process, for the telemetry and report tests."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from connectors.core import RetryPolicy, Timeouts, Transport
from connectors.einvoice.provider import provider_from_env
from connectors.simulators import SMS_BRANDNAME, SMS_TEMPLATE
from connectors.sms import Brandname, Template, TemplateRegistry
from connectors.sms.mobifone import MobifoneSms
from connectors.testing import mount
from connectors.testing.simulators.einvoice.viettel import ViettelInvoiceSimulator
from connectors.testing.simulators.sms.mobifone import MobifoneSmsSimulator

FAST = RetryPolicy(max_attempts=2, sleep=lambda _s: None)
"""Two attempts, no real waiting."""
TIMEOUTS = Timeouts(connect=1, read=1, total=5)
SMS_URL, INVOICE_URL = "https://sms.sim.test", "https://viettel.sim.test"


def mobifone(stack: ExitStack, password: str) -> tuple[MobifoneSmsSimulator, MobifoneSms]:
    """MobiFone's simulator and client, the template "paid" registered on both."""
    sim = MobifoneSmsSimulator(
        brandnames=[SMS_BRANDNAME],
        templates={SMS_BRANDNAME: [SMS_TEMPLATE]},
        username="portal",
        password=password,
    )
    stack.enter_context(mount(sim, SMS_URL))
    client = MobifoneSms(
        base_url=SMS_URL,
        username="portal",
        password=password,
        templates=TemplateRegistry(
            [Brandname(SMS_BRANDNAME)], [Template("paid", SMS_TEMPLATE, SMS_BRANDNAME)]
        ),
        brandname=SMS_BRANDNAME,
        retry=FAST,
        timeouts=TIMEOUTS,
    )
    return sim, client


def viettel(
    stack: ExitStack, clock: Callable[[], float] | None = None
) -> tuple[ViettelInvoiceSimulator, Any]:
    """Viettel S-Invoice's simulator and client (its waits before a resend not real)."""
    options: dict[str, Any] = {} if clock is None else {"clock": clock}
    sim = ViettelInvoiceSimulator(sleep=lambda _s: None, **options)
    stack.enter_context(mount(sim, INVOICE_URL))
    client = provider_from_env(
        "viettel",
        base_url=INVOICE_URL,
        username=sim.username,
        password=sim.password,
        supplier_tax_code=sim.supplier_tax_code,
        transport=Transport("viettel", retry=FAST, timeouts=TIMEOUTS),
    )
    return sim, client
