"""A provider's package imports nothing heavy it does not use (fresh interpreters, then
`sys.modules` is read).

No simulator kit, SOAP (zeep, httpx), XML (lxml, signxml), X.509, phone numbers or
settings machinery (pydantic-settings, loaded with the first client): a portal importing
`connectors.banks.vnpay` to check a callback pays for HMAC and little else. The heavy
modules the core or `connectors.vn` packages load by themselves are theirs to avoid and
are subtracted, so this test is about the provider's own imports. The SMS providers still
declare their settings at import (pydantic-settings); Open311 speaks XML too (lxml).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

HEAVY = (
    "connectors.testing",
    "zeep",
    "httpx",
    "signxml",
    "lxml",
    "cryptography.x509",
    "phonenumbers",
    "pydantic_settings",
)


def heavy_after(code: str) -> set[str]:
    """The modules of `HEAVY` loaded once `code` ran in a new interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1])) & set(HEAVY)


@pytest.fixture(scope="module")
def layers_below() -> set[str]:
    """What `connectors.core` and `connectors.vn` load by themselves."""
    return heavy_after("import connectors.core, connectors.vn")


@pytest.mark.parametrize(
    ("package", "allowed"),
    [
        ("connectors.banks", set()),
        ("connectors.banks.vnpay", set()),
        ("connectors.banks.momo", set()),
        ("connectors.banks.payos", set()),
        ("connectors.sms", {"pydantic_settings"}),
        ("connectors.sms.mobifone", {"pydantic_settings"}),
        ("connectors.sms.vnpt", {"pydantic_settings"}),
        ("connectors.ihanoi", {"pydantic_settings"}),
        ("connectors.ihanoi.open311", {"pydantic_settings", "lxml"}),
    ],
)
def test_a_provider_package_loads_nothing_heavy(
    package: str, allowed: set[str], layers_below: set[str]
) -> None:
    assert set() == heavy_after(f"import {package}") - layers_below - allowed


def test_settings_load_with_the_first_client() -> None:
    code = (
        "import sys\nfrom connectors.banks.vnpay import VnpayGateway\n"
        "before = 'connectors.banks.vnpay.settings' in sys.modules\n"
        "client = VnpayGateway(tmn_code='HNTEST01', hash_secret='fake-secret')\n"
        "print(before, type(client.settings).__name__, VnpayGateway.settings_class.__name__)"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "False VnpayGatewaySettings VnpayGatewaySettings" == done.stdout.strip()


def test_the_lazy_names_are_the_real_objects() -> None:
    import connectors.banks
    import connectors.banks.vnpay
    from connectors.banks.gateway import GatewayClient
    from connectors.banks.ipn import IpnHandler
    from connectors.banks.vnpay.settings import VnpayGatewaySettings

    assert GatewayClient is connectors.banks.GatewayClient
    assert IpnHandler is connectors.banks.IpnHandler
    assert VnpayGatewaySettings is connectors.banks.vnpay.VnpayGatewaySettings
    assert VnpayGatewaySettings is connectors.banks.vnpay.VnpayGateway.settings_class
    assert set(connectors.banks.vnpay.__all__) <= set(dir(connectors.banks.vnpay))
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        connectors.banks.vnpay.Nothing  # noqa: B018
