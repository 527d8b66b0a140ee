"""The feedback-exchange conformance suite, against the simulator (and live, if configured)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from connectors.core import load_settings
from connectors.ihanoi import FeedbackExchange, IHanoiClient, IHanoiSettings
from connectors.ihanoi.simulator import IHanoiSimulator
from connectors.testing import mount, serve
from connectors.testing.conformance.ihanoi import FeedbackExchangeConformance, FeedbackHarness
from tests.ihanoi.conftest import BASE_URL, fast_retry, no_sleep


@dataclass
class Harness:
    exchange: FeedbackExchange
    category_code: str = "TTHC-HS"
    agency_code: str = "UBND-PTN"


class TestSimulatorInProcess(FeedbackExchangeConformance):
    @pytest.fixture
    def feedback_harness(self) -> Iterator[FeedbackHarness]:
        sim = IHanoiSimulator(sleep=no_sleep)
        with mount(sim, BASE_URL), IHanoiClient(BASE_URL, sim.token, retry=fast_retry()) as c:
            yield Harness(c)


class TestSimulatorOnLoopback(FeedbackExchangeConformance):
    @pytest.fixture
    def feedback_harness(self) -> Iterator[FeedbackHarness]:
        sim = IHanoiSimulator(sleep=no_sleep)
        with serve(sim) as base, IHanoiClient(base, sim.token, retry=fast_retry()) as c:
            yield Harness(c)


_LIVE = "CONNECTORS_IHANOI_BASE_URL"


@pytest.mark.live
@pytest.mark.skipif(
    not os.environ.get(_LIVE) or not os.environ.get("CONNECTORS_IHANOI_TOKEN"),
    reason=f"no live iHanoi endpoint: set {_LIVE} and CONNECTORS_IHANOI_TOKEN "
    "(and CONNECTORS_IHANOI_CATEGORY / CONNECTORS_IHANOI_AGENCY) to run against it",
)
class TestLiveEndpoint(FeedbackExchangeConformance):
    @pytest.fixture
    def feedback_harness(self) -> Iterator[FeedbackHarness]:
        settings = load_settings(IHanoiSettings)
        with IHanoiClient.from_settings(settings) as c:
            yield Harness(
                c,
                category_code=os.environ.get("CONNECTORS_IHANOI_CATEGORY", "TTHC-HS"),
                agency_code=os.environ.get("CONNECTORS_IHANOI_AGENCY", "UBND-PTN"),
            )


def test_the_client_satisfies_the_protocol() -> None:
    with IHanoiClient(BASE_URL, "t-123") as client:
        assert isinstance(client, FeedbackExchange)
