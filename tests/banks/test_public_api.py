"""Each gateway package exports what its docs say, and every gateway is a `FeeGateway`."""

from __future__ import annotations

import importlib

import pytest

import connectors.banks
from connectors.banks import FeeGateway
from tests.banks.gateways import GATEWAYS, URLS, make_client

PACKAGES = {
    "connectors.banks": {"FeeGateway", "IpnHandler", "PaymentRequest", "PaymentNotification"},
    "connectors.banks.vnpay": {"VnpayGateway", "VnpayGatewaySettings", "WireProfile"},
    "connectors.banks.momo": {"MomoGateway", "MomoGatewaySettings", "WireProfile"},
    "connectors.banks.payos": {"PayosGateway", "PayosGatewaySettings", "WireProfile"},
    "connectors.banks.sepay": {"SepayTransactions", "SepayTransactionsSettings", "SepayWebhook"},
    "connectors.testing.simulators.banks": {
        "VnpayGatewaySimulator",
        "MomoGatewaySimulator",
        "PayosGatewaySimulator",
        "SepayTransactionsSimulator",
    },
    "connectors.banks.ipn": {"IpnHandler", "IpnResult", "request_from_wsgi"},
    "connectors.testing.conformance.banks": {"BanksHarness", "FeeGatewayConformance"},
}


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_all_lists_real_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert PACKAGES[name] <= exported
    for attr in exported:
        assert getattr(module, attr) is not None


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_every_gateway_is_a_fee_gateway(gateway: str) -> None:
    client = make_client(gateway, URLS[gateway])
    assert isinstance(client, FeeGateway)
    assert gateway == client.name
    assert client.capabilities


def test_domain_package_reexports_base() -> None:
    from connectors.banks import base

    for name in connectors.banks.__all__:
        if hasattr(base, name):
            assert getattr(base, name) is getattr(connectors.banks, name)


def test_simulators_fit_the_conformance_protocol() -> None:
    from connectors.testing.conformance.banks import GatewaySimulator
    from connectors.testing.simulators.banks.momo import MomoGatewaySimulator
    from connectors.testing.simulators.banks.payos import PayosGatewaySimulator
    from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator

    sims: list[GatewaySimulator] = [  # checked by mypy --strict
        VnpayGatewaySimulator(hash_secret="fake-secret"),
        MomoGatewaySimulator(access_key="fake-access", secret_key="fake-secret"),
        PayosGatewaySimulator(api_key="fake-key", checksum_key="fake-checksum"),
    ]
    assert [0, 0, 0] == [len(sim.ledger) for sim in sims]


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_verification_errors_name_the_gateway_and_operation(gateway: str) -> None:
    from connectors.core.errors import SignatureError

    client = make_client(gateway, URLS[gateway])
    with pytest.raises(SignatureError) as raised:
        client.parse_notification(method="POST", query={}, body=b"{}", headers={})
    assert (gateway, "callback") == (raised.value.provider, raised.value.operation)
