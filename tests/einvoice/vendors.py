"""Each e-invoice vendor's settings, client, simulator and conformance harness for the tests,
built from its provider record (`connectors.providers`): the simulator's fake credentials
are the client's settings."""

from __future__ import annotations

from typing import Any

import pytest

from connectors.core import RetryPolicy, Timeouts, Transport
from connectors.einvoice.client import InvoiceClient
from connectors.providers import Provider, by_domain, provider
from connectors.testing.conformance.einvoice import EInvoiceHarness, InvoiceProviderConformance

VENDORS = by_domain("einvoice")
EXTRA: dict[str, dict[str, str]] = {"bkav": {"tax_code": "0100109106"}}
"""Settings fields a vendor needs beyond its simulator's credentials."""


def record(name: str) -> Provider:
    return provider("einvoice", name)


def settings_fields(name: str, base_url: str, **overrides: Any) -> dict[str, Any]:
    """The settings of `name`'s client for a simulator served at `base_url`."""
    entry = record(name)
    return {
        "base_url": base_url + entry.simulator_path,
        **entry.credentials,
        **EXTRA.get(name, {}),
        **overrides,
    }


def settings(name: str, base_url: str, **overrides: Any) -> Any:
    """`name`'s settings (a `ProviderSettings`) for a simulator served at `base_url`."""
    return record(name).settings_class()(**settings_fields(name, base_url, **overrides))


def transport(
    name: str, *, connect: float = 0.5, read: float = 0.3, sleeps: list[float] | None = None
) -> Transport:
    """A transport that times out fast and never really sleeps (sleeps are recorded)."""
    return Transport(
        name,
        timeouts=Timeouts(connect=connect, read=read, total=20.0),
        retry=RetryPolicy(
            max_attempts=3,
            base_delay=0.01,
            max_delay=0.02,
            sleep=(sleeps if sleeps is not None else []).append,
        ),
    )


def client(
    name: str,
    base_url: str,
    *,
    connect: float = 0.5,
    read: float = 0.3,
    sleeps: list[float] | None = None,
    settings_overrides: dict[str, Any] | None = None,
    **options: Any,
) -> Any:
    """`name`'s client (an `InvoiceClient`) on a caller's transport, for `base_url`."""
    cls: type[InvoiceClient[Any, Any]] = record(name).client_class()
    return cls(
        settings(name, base_url, **(settings_overrides or {})),
        transport=transport(name, connect=connect, read=read, sleeps=sleeps),
        **options,
    )


def simulator(name: str, **values: Any) -> Any:
    """`name`'s simulator with its default credentials; it never really sleeps."""
    return record(name).make_simulator(sleep=lambda _s: None, **values)


def conformance(
    name: str, *, read: float = 0.3, **harness: Any
) -> type[InvoiceProviderConformance]:
    """The conformance suite (`connectors.testing.conformance.einvoice`) run against `name`
    and its simulator; `harness` is the rest of its `EInvoiceHarness`."""

    def make_harness() -> EInvoiceHarness:
        return EInvoiceHarness(
            name=name,
            make_simulator=lambda: simulator(name),
            make_client=lambda base_url: client(name, base_url, read=read),
            **harness,
        )

    class Suite(InvoiceProviderConformance):
        @pytest.fixture
        def harness(self) -> EInvoiceHarness:
            return make_harness()

    Suite.__name__ = Suite.__qualname__ = f"Test{name.title()}Conformance"
    return Suite
