"""Every public name of the e-invoice packages is importable and listed in `__all__`."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = [
    "connectors.einvoice",
    "connectors.einvoice.models",
    "connectors.einvoice.symbols",
    "connectors.einvoice.totals",
    "connectors.einvoice.provider",
    "connectors.einvoice.codes",
    "connectors.einvoice.client",
    "connectors.einvoice.bkav.wire",
    "connectors.einvoice.misa.wire",
    "connectors.einvoice.vnpt",
    "connectors.einvoice.vnpt.wire",
    "connectors.einvoice.bkav",
    "connectors.einvoice.misa",
    "connectors.testing.simulators.einvoice",
    "connectors.testing.simulators.einvoice.base",
    "connectors.testing.simulators.einvoice.bkav",
    "connectors.testing.simulators.einvoice.misa",
    "connectors.testing.simulators.einvoice.vnpt",
    "connectors.einvoice.viettel",
    "connectors.einvoice.viettel.wire",
    "connectors.testing.simulators.einvoice.viettel",
    "connectors.testing.conformance.einvoice",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_names_exist_and_are_sorted(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert [] == [n for n in exported if not hasattr(module, n)]
    assert sorted(set(exported)) == sorted(exported)


def test_the_domain_exports_what_the_demo_needs() -> None:
    import connectors.einvoice as einvoice

    for name in ("Receipt", "Invoice", "Seller", "Buyer", "Line", "TaxRate", "InvoiceProvider"):
        assert name in einvoice.__all__
