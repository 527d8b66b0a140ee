"""Concurrent sends of one key text once; credentials never reach logs or errors."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest

from connectors.core import ProviderError
from connectors.sms import Message, SendResult, SmsErrorCode
from connectors.testing import mount
from connectors.testing.conformance.sms import SmsHarness
from tests.sms import harnesses
from tests.sms.harnesses import MOBIFONE_URL, PARAMS


def test_threads_sending_the_same_key_text_once() -> None:
    sim = harnesses.mobifone_sim()  # MobiFone: no request id, only the client can stop it
    results: list[SendResult] = []
    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL)
        message = Message("0912345678", template_id="paid", params=PARAMS)
        barrier = threading.Barrier(8)

        def send() -> None:
            barrier.wait()
            results.append(sender.send(message, "HS-1:sms"))

        threads = [threading.Thread(target=send) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert 1 == sim.ledger.count("sms")
    assert [False] + [True] * 7 == sorted(r.duplicate for r in results)


HARNESSES: dict[str, tuple[Callable[[], AbstractContextManager[SmsHarness]], list[str]]] = {
    "mobifone": (harnesses.mobifone_harness, ["fake-password-1"]),
    "viettel": (harnesses.viettel_harness, ["fake-password-2"]),
    "vnpt": (harnesses.vnpt_harness, ["fake-password-3"]),
    "esms": (harnesses.esms_harness, ["fake-api-key-4", "fake-secret-key-4"]),
}


@pytest.mark.parametrize("provider", list(HARNESSES))
def test_credentials_never_reach_logs_or_errors(
    provider: str, caplog: pytest.LogCaptureFixture
) -> None:
    make, secrets = HARNESSES[provider]
    with caplog.at_level(logging.DEBUG), make() as harness:
        harness.make_sender().send(harness.message(), "HS-1:sms")
        harness.force(SmsErrorCode.QUOTA)
        with pytest.raises(ProviderError) as raised:
            harness.make_sender().send(harness.message(harness.other_recipient), "HS-2:sms")
    text = caplog.text + repr(raised.value) + str(raised.value.context())
    assert provider in caplog.text  # the transport did log the exchanges
    for secret in secrets:
        assert secret not in text
