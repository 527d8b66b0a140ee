"""The SMS conformance suite, unchanged, against the four simulators."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.testing.conformance.sms import SmsConformance, SmsHarness
from tests.sms import harnesses


class TestMobifoneConformance(SmsConformance):
    @pytest.fixture
    def harness(self) -> Iterator[SmsHarness]:
        with harnesses.mobifone_harness() as harness:
            yield harness


class TestViettelConformance(SmsConformance):
    @pytest.fixture
    def harness(self) -> Iterator[SmsHarness]:
        with harnesses.viettel_harness() as harness:
            yield harness


class TestVnptConformance(SmsConformance):
    @pytest.fixture
    def harness(self) -> Iterator[SmsHarness]:
        with harnesses.vnpt_harness() as harness:
            yield harness


class TestEsmsConformance(SmsConformance):
    @pytest.fixture
    def harness(self) -> Iterator[SmsHarness]:
        with harnesses.esms_harness() as harness:
            yield harness
