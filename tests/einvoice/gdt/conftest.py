"""Fixtures of the tax-authority XML tests: seller credentials generated per session."""

from __future__ import annotations

import pytest

from connectors.einvoice.gdt import SellerCredentials

from .samples import make_credentials


@pytest.fixture(scope="session")
def credentials() -> SellerCredentials:
    return make_credentials()


@pytest.fixture(scope="session")
def other_credentials() -> SellerCredentials:
    return make_credentials("Someone Else (TEST)")
