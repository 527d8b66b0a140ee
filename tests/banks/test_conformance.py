"""The fee-gateway conformance suite, unchanged, against VNPay, MoMo and payOS simulators,
in process and on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.testing.conformance.banks import BanksHarness, FeeGatewayConformance
from tests.banks.gateways import GATEWAYS, RUNNERS, harness_for


class TestFeeGatewayConformance(FeeGatewayConformance):
    @pytest.fixture(params=[(g, r) for g in GATEWAYS for r in RUNNERS], ids=lambda p: "-".join(p))
    def harness(self, request: pytest.FixtureRequest) -> Iterator[BanksHarness]:
        gateway, runner = request.param
        with harness_for(gateway, runner) as harness:
            yield harness
