"""`connectors simulate`: simulators served on loopback answer adapters using the printed
credentials."""

from __future__ import annotations

import json
import subprocess
import sys

import requests
from typer.testing import CliRunner

from connectors.banks.base import PaymentRequest, PaymentStatus
from connectors.banks.vnpay import VnpayGateway
from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.ihanoi.contract import IhanoiFeedback
from connectors.simulators import CATALOG, make


def test_served_simulators_accept_the_printed_credentials() -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "connectors",
            "simulate",
            "vnpay",
            "ihanoi",
            "--json",
            "--seconds",
            "30",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = []
        while not lines or lines[-1] != "}\n":
            lines.append(process.stdout.readline())
        served = json.loads("".join(lines))
        vnpay = served["vnpay"]
        assert vnpay["base_url"].startswith("http://127.0.0.1:")
        client = VnpayGateway(
            tmn_code=vnpay["tmn_code"],
            hash_secret=vnpay["hash_secret"],
            base_url=vnpay["base_url"],
        )
        intent = client.create_payment(
            PaymentRequest(
                dossier_code="HS2026000999",
                amount=10_000,
                description="HS2026000999 le phi",
                return_url="http://127.0.0.1/return",
            )
        )
        assert intent.redirect_url is not None
        requests.get(intent.redirect_url, allow_redirects=False, timeout=5).close()
        report = client.query(intent.order_ref, created_at=intent.created_at)
        assert PaymentStatus.PENDING == report.status
        ihanoi = served["ihanoi"]
        with IhanoiFeedback(base_url=ihanoi["base_url"], token=ihanoi["token"]) as feedback:
            assert [] == list(feedback.list_updated().items)
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_every_catalog_entry_builds_from_its_printed_credentials() -> None:
    for name in CATALOG:
        assert make(name).provider


def test_unknown_simulator_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["simulate", "nosuch", "--seconds", "0.1"])
    assert int(ExitCode.USAGE) == result.exit_code
    assert "unknown simulator(s) nosuch" in result.stderr
