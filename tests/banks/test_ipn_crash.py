"""Crash test: the portal process is SIGKILLed inside `on_payment`; a fresh process on the
same files gets VNPay's next delivery and records the payment, exactly once.

The gateway is the VNPay simulator (its signed IPN, delivered over HTTP on loopback as
VNPay does); the portal is a separate process (`ipn_crash_portal`) with an SQLite
seen-store file and a portal database in which `on_payment` records each call and, in one
transaction, the payment. Effects are counted in that database.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from connectors.banks.base import PaymentRequest
from connectors.banks.vnpay import VnpayGateway
from connectors.testing import mount
from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator
from tests.banks.gateways import VNPAY_SECRET

ROOT = Path(__file__).resolve().parents[2]
URL = "https://vnpay.sim.test"
REF = "HS2025000777"
AMOUNT = 50_000


@contextmanager
def portal(tmp_path: Path, mode: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A portal process serving its IPN handler; yields it and its IPN URL."""
    command = [
        sys.executable,
        "-m",
        "tests.banks.ipn_crash_portal",
        str(tmp_path / "seen.db"),
        str(tmp_path / "portal.db"),
        REF,
        str(AMOUNT),
        mode,
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE)  # noqa: S603
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().decode().strip()
        assert base_url.startswith("http://127.0.0.1:"), "the portal did not start"
        yield process, base_url + "/vnpay/ipn"
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


def effects(tmp_path: Path) -> tuple[int, list[tuple[str, str, int]]]:
    """How many times `on_payment` was entered, and the payments recorded."""
    db = sqlite3.connect(tmp_path / "portal.db")
    try:
        calls = db.execute("SELECT COUNT(*) FROM calls").fetchone()[0]
        payments = db.execute("SELECT event_key, order_ref, amount FROM payments").fetchall()
    finally:
        db.close()
    return calls, payments


def rsp_codes(attempts: list[object]) -> list[str | None]:
    codes: list[str | None] = []
    for attempt in attempts:
        body = getattr(attempt, "body", b"")
        codes.append(json.loads(body)["RspCode"] if body else None)
    return codes


@pytest.mark.parametrize("moment", ["before-commit", "after-commit"])
def test_sigkill_inside_on_payment_then_the_redelivery_records_it_once(
    tmp_path: Path, moment: str
) -> None:
    sim = VnpayGatewaySimulator(hash_secret=VNPAY_SECRET, sleep=lambda _s: None, ipn_attempts=1)
    vnpay = VnpayGateway(tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url=URL)
    with mount(sim, URL):  # the citizen pays at VNPay
        request = PaymentRequest(
            dossier_code=REF, amount=AMOUNT, description="Le phi", return_url="https://a.vn/r"
        )
        assert 200 == requests.get(vnpay.payment_url(request), timeout=5).status_code
        sim.pay(REF)

    with portal(tmp_path, moment) as (doomed, url):
        first = sim.deliver_ipn(REF, to=url)
        doomed.wait(timeout=10)
    assert -signal.SIGKILL == doomed.returncode
    assert ([None], "ConnectionError") == (rsp_codes(first), first[0].error)
    calls, payments = effects(tmp_path)
    assert 1 == calls
    assert (0 if moment == "before-commit" else 1) == len(payments)

    with portal(tmp_path, "never") as (_fresh, url):  # the portal restarts on the same files
        redelivered = sim.deliver_ipn(REF, to=url)
        duplicate = sim.deliver_ipn(REF, to=url)
        after_redelivery = effects(tmp_path)
    with portal(tmp_path, "never") as (_again, url):  # and once more: still a duplicate
        after_restart = sim.deliver_ipn(REF, to=url)

    assert (["00"], ["02"], ["02"]) == (
        rsp_codes(redelivered),
        rsp_codes(duplicate),
        rsp_codes(after_restart),
    )
    calls, payments = effects(tmp_path)
    assert after_redelivery == (calls, payments)  # the duplicates recorded nothing
    assert 2 == calls  # the killed call and the redelivery; never the duplicates
    ((event_key, order_ref, amount),) = payments
    assert (REF, AMOUNT) == (order_ref, amount)
    assert event_key.startswith(f"{REF}:paid:")
    ipn_log = [(e.data["status"], e.data["body"]) for e in sim.ledger.entries("ipn")]
    assert [None, 200, 200, 200] == [status for status, _body in ipn_log]
