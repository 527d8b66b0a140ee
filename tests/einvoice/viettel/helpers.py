"""Building a Viettel client against the simulator for the tests (`tests.einvoice.vendors`)."""

from __future__ import annotations

from collections.abc import Callable

from connectors.einvoice.viettel import ViettelInvoice, ViettelInvoiceSettings
from connectors.testing.simulators.einvoice.viettel import ViettelInvoiceSimulator
from tests.einvoice import vendors

URL = "https://viettel.sim.test"


def make_settings(base_url: str = URL, **overrides: str) -> ViettelInvoiceSettings:
    return vendors.settings("viettel", base_url, **overrides)


def make_client(
    base_url: str = URL,
    sleeps: list[float] | None = None,
    clock: Callable[[], float] | None = None,
    **overrides: str,
) -> ViettelInvoice:
    options = {} if clock is None else {"clock": clock}
    return vendors.client(
        "viettel", base_url, connect=1.0, sleeps=sleeps, settings_overrides=overrides, **options
    )


def make_simulator() -> ViettelInvoiceSimulator:
    return vendors.simulator("viettel")
