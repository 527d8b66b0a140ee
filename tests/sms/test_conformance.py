"""The SMS conformance suite, unchanged, against the four simulators, in process and on
loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.testing.conformance.sms import SmsConformance, SmsHarness
from tests.sms import harnesses
from tests.sms.harnesses import RUNNERS


class TestMobifoneConformance(SmsConformance):
    @pytest.fixture(params=RUNNERS)
    def harness(self, request: pytest.FixtureRequest) -> Iterator[SmsHarness]:
        with harnesses.mobifone_harness(request.param) as harness:
            yield harness


class TestViettelConformance(SmsConformance):
    @pytest.fixture(params=RUNNERS)
    def harness(self, request: pytest.FixtureRequest) -> Iterator[SmsHarness]:
        with harnesses.viettel_harness(request.param) as harness:
            yield harness


class TestVnptConformance(SmsConformance):
    @pytest.fixture(params=RUNNERS)
    def harness(self, request: pytest.FixtureRequest) -> Iterator[SmsHarness]:
        with harnesses.vnpt_harness(request.param) as harness:
            yield harness


class TestEsmsConformance(SmsConformance):
    @pytest.fixture(params=RUNNERS)
    def harness(self, request: pytest.FixtureRequest) -> Iterator[SmsHarness]:
        with harnesses.esms_harness(request.param) as harness:
            yield harness
