"""Building a VNPT client against the simulator for the tests."""

from __future__ import annotations

from connectors.core import RetryPolicy, Timeouts, Transport
from connectors.einvoice.vnpt import VnptInvoice, VnptInvoiceSettings
from connectors.testing.simulators.einvoice.vnpt import VnptInvoiceSimulator

URL = "https://vnpt.sim.test"


def make_settings(base_url: str = URL, **overrides: str) -> VnptInvoiceSettings:
    values = {
        "base_url": base_url,
        "account": "sim-admin",
        "account_password": "sim-ac-pass",
        "username": "sim-service",
        "password": "sim-service-pass",
        **overrides,
    }
    return VnptInvoiceSettings(**values)  # type: ignore[arg-type]


def make_client(
    base_url: str = URL, sleeps: list[float] | None = None, **overrides: str
) -> VnptInvoice:
    transport = Transport(
        "vnpt",
        timeouts=Timeouts(connect=1.0, read=0.3, total=20.0),
        retry=RetryPolicy(
            max_attempts=3,
            base_delay=0.01,
            max_delay=0.02,
            sleep=(sleeps if sleeps is not None else []).append,
        ),
    )
    return VnptInvoice(make_settings(base_url, **overrides), transport=transport)


def make_simulator() -> VnptInvoiceSimulator:
    return VnptInvoiceSimulator(sleep=lambda _s: None)
