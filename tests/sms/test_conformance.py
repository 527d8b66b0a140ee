"""The SMS conformance suite, unchanged, against the four simulators, in process and on
loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.testing.conformance.sms import SmsConformance, SmsHarness
from tests.sms import harnesses
from tests.sms.harnesses import RUNNERS, VENDORS

CASES = [(name, runner) for name in VENDORS for runner in RUNNERS]


class TestSmsConformance(SmsConformance):
    @pytest.fixture(params=CASES, ids=[f"{name}-{runner}" for name, runner in CASES])
    def harness(self, request: pytest.FixtureRequest) -> Iterator[SmsHarness]:
        with harnesses.harness(*request.param) as harness:
            yield harness
