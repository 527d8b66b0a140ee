"""Building a Viettel client against the simulator for the tests."""

from __future__ import annotations

from collections.abc import Callable

from connectors.core import RetryPolicy, Timeouts, Transport
from connectors.einvoice.viettel import ViettelInvoice, ViettelInvoiceSettings
from connectors.testing.simulators.einvoice.viettel import ViettelInvoiceSimulator

URL = "https://viettel.sim.test"


def make_settings(base_url: str = URL, **overrides: str) -> ViettelInvoiceSettings:
    values = {
        "base_url": base_url,
        "username": "0100109106-509",
        "password": "sim-password",
        "supplier_tax_code": "0100109106",
        **overrides,
    }
    return ViettelInvoiceSettings(**values)  # type: ignore[arg-type]


def make_client(
    base_url: str = URL,
    sleeps: list[float] | None = None,
    clock: Callable[[], float] | None = None,
    **overrides: str,
) -> ViettelInvoice:
    transport = Transport(
        "viettel",
        timeouts=Timeouts(connect=1.0, read=0.3, total=20.0),
        retry=RetryPolicy(
            max_attempts=3,
            base_delay=0.01,
            max_delay=0.02,
            sleep=(sleeps if sleeps is not None else []).append,
        ),
    )
    settings = make_settings(base_url, **overrides)
    if clock is None:
        return ViettelInvoice(settings, transport=transport)
    return ViettelInvoice(settings, transport=transport, clock=clock)


def make_simulator() -> ViettelInvoiceSimulator:
    return ViettelInvoiceSimulator(sleep=lambda _s: None)
