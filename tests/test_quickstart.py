"""The quickstart's `python` blocks run as written, in order, in one namespace, against the
bundled simulators: a `connectors.toml` naming them and their fake secrets in the
environment. (`py` blocks are sketches that need a PostgreSQL server; they are not run.)"""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import requests

from connectors.testing import serve
from tests.commune.simulated import serve_commune

QUICKSTART = Path(__file__).resolve().parents[1] / "docs" / "quickstart.md"
BLOCKS = re.findall(r"```python\n(.*?)```", QUICKSTART.read_text(encoding="utf-8"), re.S)
SERVED = [("payments", "vnpay"), ("einvoice", "viettel"), ("sms", "mobifone")]


def test_the_quickstart_takes_a_fee_to_a_receipt_and_an_sms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(BLOCKS) >= 5
    with ExitStack() as stack:
        commune = serve_commune(stack, tmp_path, SERVED)
        commune.write(einvoice="viettel", sms=["mobifone"])
        for name, value in commune.environ.items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(tmp_path)
        portal: dict[str, Any] = {}
        for block in BLOCKS:
            exec(compile(block, str(QUICKSTART), "exec"), portal)  # noqa: S102 - our own docs
        stack.callback(portal["adapters"].close)
        stack.callback(portal["ipn"].close)

        # The citizen pays at VNPay; VNPay delivers its IPN to the portal's handler.
        intent, vnpay = portal["intent"], commune.simulator("payments", "vnpay")
        requests.get(intent.redirect_url, allow_redirects=False, timeout=5).close()
        vnpay.pay(intent.order_ref, outcome="success")
        ipn_url = stack.enter_context(serve(portal["ipn"])) + "/ipn/vnpay"
        vnpay.deliver_ipn(intent.order_ref, to=ipn_url)
        vnpay.deliver_ipn(intent.order_ref, to=ipn_url)  # delivered twice: one flow
        report = portal["worker"].run(until_idle=True)

    assert (2, 0, 0) == (report.done, report.dead, report.parked)
    issued = commune.simulator("einvoice", "viettel").ledger.entries("invoice")
    assert ["HS2026000101:receipt"] == [entry.key for entry in issued]
    [text] = commune.simulator("sms", "mobifone").sent()
    assert "0912345678" == text.data["recipient"]
    assert text.data["text"].startswith("Ho so HS2026000101 da thanh toan 20.000 dong.")
