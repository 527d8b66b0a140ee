"""The vendors an example portal talks to, simulated on loopback: VNPay, Viettel's
S-Invoice and MobiFone's SMS Brandname; the shipped `examples/connectors.example.toml`
pointed at them, and its secrets in the environment (all fake). PostgreSQL when
CONNECTORS_TEST_POSTGRES_DSN is set, an SQLite file otherwise."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from connectors.einvoice.gdt import generate_test_credentials
from connectors.providers import SMS_BRANDNAME, SMS_TEMPLATE, provider
from connectors.testing import serve

__all__ = ["Vendors", "vendors"]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_VNPAY_SECRET = "EXAMPLESECRETKEY0123456789ABCDEF"
_SMS_USER, _SMS_PASSWORD = "portal", "example-sms-password"  # fake (the file names "portal")


@dataclass
class Vendors:
    """The running simulators and the configuration file that names them."""

    config: Path
    vnpay: Any
    invoices: Any
    sms: Any
    postgres: bool

    def new_code(self) -> str:
        """A dossier code no earlier run used (a PostgreSQL database outlives the test)."""
        return "HS" + uuid.uuid4().hex[:12].upper()


def _simulators() -> dict[str, Any]:
    def make(section: str, name: str, **options: Any) -> Any:
        return provider(section, name).simulator_class()(**options)

    return {
        "vnpay": make("payments", "vnpay", hash_secret=_VNPAY_SECRET, sleep=lambda _s: None),
        "invoice": make(
            "einvoice",
            "viettel",
            sleep=lambda _s: None,
            credentials=generate_test_credentials("UBND Phuong Mau (TEST)"),
        ),
        "sms": make(
            "sms",
            "mobifone",
            brandnames=[SMS_BRANDNAME],
            templates={SMS_BRANDNAME: [SMS_TEMPLATE]},
            username=_SMS_USER,
            password=_SMS_PASSWORD,
        ),
    }


@pytest.fixture
def vendors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Vendors]:
    sims = _simulators()
    dsn = os.environ.get("CONNECTORS_TEST_POSTGRES_DSN")
    with ExitStack() as stack:
        url = {name: stack.enter_context(serve(sim)) for name, sim in sims.items()}
        text = (EXAMPLES / "connectors.example.toml").read_text(encoding="utf-8")
        for shipped, running in {
            "https://vnpay-sandbox.invalid": url["vnpay"],
            "https://sinvoice-sandbox.invalid": url["invoice"],
            "https://smsbrandname-sandbox.invalid": url["sms"],
            '"portal.db"': json.dumps(dsn or str(tmp_path / "portal.db")),
        }.items():
            assert shipped in text, shipped
            text = text.replace(shipped, running)
        config = tmp_path / "connectors.toml"
        config.write_text(text, encoding="utf-8")
        invoice = sims["invoice"]
        for name, value in {
            "CONNECTORS_VNPAY_HASH_SECRET": _VNPAY_SECRET,
            "CONNECTORS_VIETTEL_SINVOICE_PASSWORD": invoice.password,
            "CONNECTORS_MOBIFONE_PASSWORD": _SMS_PASSWORD,
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.syspath_prepend(str(EXAMPLES))
        yield Vendors(config, sims["vnpay"], invoice, sims["sms"], dsn is not None)
