"""A client given a caller's plain `Transport` still keeps its credentials out of every
log line (the library's and urllib3's), exception, repr, body excerpt and hook event.

Each provider is served on loopback (so urllib3 logs its request lines), sends once, is
refused, answers garbage, echoes the credentials in an error body, and is unreachable;
eSMS also polls `delivery_status`, whose keys travel in the query string by design.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from connectors.core import (
    ConnectorError,
    RequestEvent,
    ResponseEvent,
    RetryPolicy,
    Timeouts,
    Transport,
)
from connectors.sms import Message, SmsErrorCode
from connectors.sms.esms import EsmsSms
from connectors.sms.sender import SmsClient
from connectors.testing import Malformed, Reset, Status, serve
from connectors.testing.simulator import Simulator
from tests.sms import harnesses
from tests.sms.harnesses import PARAMS


@dataclass
class Case:
    make_sim: Callable[[], Simulator]
    make_sender: Callable[..., SmsClient]
    send_route: str
    secrets: tuple[str, ...]


H = harnesses
CASES = {
    "mobifone": Case(H.mobifone_sim, H.mobifone_sender, "send", ("fake-password-1",)),
    "viettel": Case(H.viettel_sim, H.viettel_sender, "wsCpMt", ("fake-password-2",)),
    "vnpt": Case(H.vnpt_sim, H.vnpt_sender, "send_sms_list", ("fake-password-3",)),
    "esms": Case(H.esms_sim, H.esms_sender, "send", ("fake-api-key-4", "fake-secret-key-4")),
}


@dataclass
class Seen:
    """Everything a secret could leak into."""

    requests: list[RequestEvent]
    responses: list[ResponseEvent]
    errors: list[ConnectorError]

    def text(self) -> str:
        parts: list[str] = []
        for request in self.requests:
            parts += [request.url, repr(dict(request.headers)), request.body]
        for response in self.responses:
            parts += [response.url, response.body, response.error or ""]
        for error in self.errors:
            parts += [str(error), repr(error), repr(error.context()), error.body_excerpt or ""]
            cause = error.__cause__
            while cause is not None:
                parts.append(repr(cause))
                cause = cause.__cause__
        return "\n".join(parts)


def caller_transport(seen: Seen) -> Transport:
    """A caller's transport: no redactor of its own, hooks recording every event."""
    return Transport(
        "x",
        timeouts=Timeouts(connect=1.0, read=1.0, total=5.0),
        retry=RetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0, sleep=lambda _s: None),
        on_request=[seen.requests.append],
        on_response=[seen.responses.append],
    )


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens: connection refused


@contextmanager
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    with caplog.at_level(logging.DEBUG, "connectors"), caplog.at_level(logging.DEBUG, "urllib3"):
        yield


def message(recipient: str = "0912345678") -> Message:
    return Message(recipient, template_id="paid", params=PARAMS)


def expect_error(seen: Seen, call: Callable[[], object]) -> None:
    with pytest.raises(ConnectorError) as raised:
        call()
    seen.errors.append(raised.value)


@pytest.mark.parametrize("provider", list(CASES))
def test_no_credential_leaks_through_a_callers_transport(
    provider: str, caplog: pytest.LogCaptureFixture
) -> None:
    case = CASES[provider]
    sim = case.make_sim()
    seen = Seen([], [], [])
    transport = caller_transport(seen)
    echo = ("echo " + " ".join(f"key={s}" for s in case.secrets)).encode()
    with debug_logs(caplog), serve(sim) as base_url:
        sender = case.make_sender(base_url, transport=transport)
        result = sender.send(message(), "HS-1:sms")
        assert result.accepted
        sim.force(SmsErrorCode.QUOTA)  # type: ignore[attr-defined]
        expect_error(seen, lambda: sender.send(message("0987654321"), "HS-2:sms"))
        sim.faults.add(case.send_route, Malformed(b"<<" + echo))
        expect_error(seen, lambda: sender.send(message("0987654322"), "HS-3:sms"))
        sim.faults.add(case.send_route, Status(400, echo))
        expect_error(seen, lambda: sender.send(message("0987654323"), "HS-4:sms"))
        sim.faults.add(case.send_route, Reset(), times=2)
        expect_error(seen, lambda: sender.send(message("0987654324"), "HS-5:sms"))
        if isinstance(sender, EsmsSms):
            assert result.provider_message_id is not None
            sender.delivery_status(result.provider_message_id)  # keys in the query string
            sim.faults.add("status", Reset(), times=2)
            expect_error(seen, lambda: sender.delivery_status(result.provider_message_id or ""))
        down = case.make_sender(closed_port_url(), transport=transport)
        expect_error(seen, lambda: down.send(message("0987654325"), "HS-6:sms"))
        if isinstance(down, EsmsSms):
            expect_error(seen, lambda: down.delivery_status("123456"))
    lines = [record.getMessage() for record in caplog.records]
    assert any(r.name.startswith("urllib3") for r in caplog.records)  # urllib3 did log
    assert any(r.name.startswith("connectors") for r in caplog.records)
    assert (7 if provider == "esms" else 5) == len(seen.errors)
    everything = "\n".join([*lines, caplog.text, seen.text(), repr(sender), repr(transport)])
    sessions = tuple(getattr(sim, "sessions", ()))  # MobiFone's session ids are secret too
    assert (1 if provider == "mobifone" else 0) == len(sessions)
    for secret in case.secrets + sessions:
        assert secret not in everything
