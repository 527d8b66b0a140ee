"""Building a VNPT client against the simulator for the tests (`tests.einvoice.vendors`)."""

from __future__ import annotations

from connectors.einvoice.vnpt import VnptInvoice
from connectors.testing.simulators.einvoice.vnpt import VnptInvoiceSimulator
from tests.einvoice import vendors

URL = "https://vnpt.sim.test"


def make_client(
    base_url: str = URL, sleeps: list[float] | None = None, **overrides: str
) -> VnptInvoice:
    return vendors.client(
        "vnpt", base_url, connect=1.0, sleeps=sleeps, settings_overrides=overrides
    )


def make_simulator() -> VnptInvoiceSimulator:
    return vendors.simulator("vnpt")
