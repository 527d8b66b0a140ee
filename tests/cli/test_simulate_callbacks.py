"""`connectors simulate --port --callback`: fixed ports, and simulators that call the portal."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
import requests
from typer.testing import CliRunner

from connectors.banks.base import PaymentRequest
from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.simulators import CATALOG
from connectors.testing import serve

runner = CliRunner()


def _free_ports(count: int) -> int:
    """A port such that it and the `count - 1` after it are free now."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        try:
            for port in range(first, first + count):
                with socket.socket() as other:
                    other.bind(("127.0.0.1", port))
        except OSError:
            continue
        return first
    raise AssertionError("no free ports")


class Portal:
    """A portal's IPN endpoint on loopback: records what it receives, answers as VNPay wants."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        self.arrived = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        query = environ.get("QUERY_STRING", "")
        self.received.append(dict(p.split("=", 1) for p in query.split("&") if "=" in p))
        self.arrived.set()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"RspCode": "00", "Message": "Confirm Success"}']


@pytest.fixture
def portal() -> Iterator[tuple[Portal, str]]:
    app_ = Portal()
    with serve(app_) as base_url:
        yield app_, base_url + "/vnpay/ipn"


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "connectors", "simulate", *args, "--json", "--seconds", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or lines[-1] != "}\n":
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "no output"
        lines.append(line)
    return process, json.loads("".join(lines))


def test_simulators_are_served_on_the_ports_asked_for_and_call_the_portal(
    portal: tuple[Portal, str],
) -> None:
    app_, ipn_url = portal
    port = _free_ports(2)
    process, served = _start(
        "vnpay", "payos", "--port", str(port), "--callback", f"vnpay={ipn_url}"
    )
    try:
        assert f"http://127.0.0.1:{port}" == served["vnpay"]["base_url"]
        assert f"http://127.0.0.1:{port + 1}" == served["payos"]["base_url"]
        assert ipn_url == served["vnpay"]["callback"]
        vnpay = served["vnpay"]
        client = CATALOG["vnpay"].client_class()(
            tmn_code=vnpay["tmn_code"], hash_secret=vnpay["hash_secret"], base_url=vnpay["base_url"]
        )
        intent = client.create_payment(
            PaymentRequest(
                dossier_code="HS2026000777",
                amount=20_000,
                description="HS2026000777 le phi",
                return_url="http://127.0.0.1/return",
            )
        )
        assert intent.redirect_url is not None
        page = requests.get(intent.redirect_url, timeout=5).text
        action = unescape(re.search(r'<form method="post" action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
        clicked = requests.post(
            vnpay["base_url"] + action,
            data={**{k: unescape(v) for k, v in fields.items()}, "outcome": "success"},
            allow_redirects=False,
            timeout=5,
        )
        assert 302 == clicked.status_code  # back to the portal's return URL
        assert app_.arrived.wait(20), "the simulator never called the portal"
    finally:
        process.terminate()
        process.communicate(timeout=10)  # waits, and closes its pipes
    ipn = app_.received[0]
    assert ("HS2026000777", "00", "2000000") == (
        ipn.get("vnp_TxnRef"),
        ipn.get("vnp_ResponseCode"),
        ipn.get("vnp_Amount"),
    )


@pytest.mark.parametrize(
    ("args", "code", "named"),
    [
        (["vnpay", "--callback", "momo=http://127.0.0.1/ipn"], ExitCode.USAGE, "MoMo and eSMS"),
        (["vnpay", "--callback", "http://127.0.0.1/ipn"], ExitCode.USAGE, "NAME=URL"),
        (["vnpay", "--callback", "payos=http://127.0.0.1/x"], ExitCode.USAGE, "not among"),
        (
            ["vnpay", "--callback", "vnpay=https://portal.example/ipn"],
            ExitCode.USAGE,
            "this machine",
        ),
        (["vnpay", "payos", "--port", "65535"], ExitCode.USAGE, "do not fit"),
        (["vnpay", "--port", "0"], ExitCode.USAGE, "--port"),
    ],
)
def test_bad_ports_and_callbacks_are_refused_before_serving(
    args: list[str], code: int, named: str
) -> None:
    result = runner.invoke(app, ["simulate", *args, "--seconds", "0.1"])
    assert code == result.exit_code, result.output
    assert named in result.output


def test_a_port_in_use_is_one_line_and_a_configuration_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        result = runner.invoke(app, ["simulate", "vnpay", "--port", str(port), "--seconds", "5"])
    assert ExitCode.CONFIG == result.exit_code
    assert f"cannot serve vnpay on 127.0.0.1:{port}" in result.output
    assert time.monotonic() - started < 5
