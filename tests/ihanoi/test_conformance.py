"""The feedback-exchange conformance suite, against the simulator (and live, if configured)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from connectors.core import DEFAULT_MAX_RESPONSE_BYTES, Timeouts, load_settings
from connectors.ihanoi import FeedbackExchange
from connectors.ihanoi.contract import IhanoiFeedback, IhanoiFeedbackSettings
from connectors.testing import mount, serve
from connectors.testing.conformance.ihanoi import (
    FeedbackExchangeConformance,
    FeedbackHarness,
    SimulatedHarness,
)
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from tests.ihanoi.conftest import BASE_URL, fast_retry, no_sleep


@dataclass
class Harness:
    exchange: FeedbackExchange
    category_code: str = "TTHC-HS"
    agency_code: str = "UBND-PTN"


WRITE_ROUTES = {
    "submit_feedback": ("submit_feedback", "feedback"),
    "update_status": ("update_feedback", "status_update"),
    "answer": ("update_feedback", "answer"),
    "get_feedback": ("get_feedback", ""),
}


@dataclass
class SimHarness(Harness):
    """Against the bundled simulator: the fault matrix runs too."""

    simulator: IhanoiFeedbackSimulator = field(default_factory=IhanoiFeedbackSimulator)
    base_url: str = BASE_URL
    served: bool = False
    write_routes: Mapping[str, tuple[str, str]] = field(default_factory=lambda: WRITE_ROUTES)
    answer_limit: int = DEFAULT_MAX_RESPONSE_BYTES
    made: list[IhanoiFeedback] = field(default_factory=list)

    def make_exchange(self, timeouts: Timeouts) -> FeedbackExchange:
        client = IhanoiFeedback(
            base_url=self.base_url,
            token=self.simulator.token,
            timeouts=timeouts,
            retry=fast_retry(),
        )
        self.made.append(client)
        return client


@contextmanager
def simulated(runner: str) -> Iterator[SimHarness]:
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    with (
        running(sim, runner) as base,
        IhanoiFeedback(base_url=base, token=sim.token, retry=fast_retry()) as c,
    ):
        harness = SimHarness(c, simulator=sim, base_url=base, served=runner == "loopback")
        yield harness
        for made in harness.made:
            made.close()


@contextmanager
def running(sim: IhanoiFeedbackSimulator, runner: str) -> Iterator[str]:
    if runner == "in-process":
        with mount(sim, BASE_URL):
            yield BASE_URL
    else:
        with serve(sim) as base:
            yield base


class TestSimulatorInProcess(FeedbackExchangeConformance):
    @pytest.fixture
    def feedback_harness(self) -> Iterator[FeedbackHarness]:
        with simulated("in-process") as harness:
            yield harness


class TestSimulatorOnLoopback(FeedbackExchangeConformance):
    @pytest.fixture
    def feedback_harness(self) -> Iterator[FeedbackHarness]:
        with simulated("loopback") as harness:
            yield harness


def test_the_simulated_harness_fits_the_protocol() -> None:
    with simulated("in-process") as harness:
        assert isinstance(harness, SimulatedHarness)
        assert not isinstance(Harness(harness.exchange), SimulatedHarness)


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
        settings = load_settings(IhanoiFeedbackSettings)
        with IhanoiFeedback.from_settings(settings) as c:
            yield Harness(
                c,
                category_code=os.environ.get("CONNECTORS_IHANOI_CATEGORY", "TTHC-HS"),
                agency_code=os.environ.get("CONNECTORS_IHANOI_AGENCY", "UBND-PTN"),
            )


def test_the_client_satisfies_the_protocol() -> None:
    with IhanoiFeedback(base_url=BASE_URL, token="t-123") as client:
        assert isinstance(client, FeedbackExchange)
