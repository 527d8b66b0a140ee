"""`connectors outbox run --tasks`: a factory that takes an argument gets the commune's
adapters, loaded and built from `--config` (secrets from the environment)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.commune import build, load
from connectors.delivery import FeeLine, FeePaid, SqliteOutbox
from connectors.vn.time import VN_TZ
from tests.cli import outbox_tasks
from tests.commune.simulated import Commune, serve_commune

runner = CliRunner()

FACTORY = "tests.cli.outbox_tasks:fee_tasks"


@pytest.fixture
def commune(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Commune]:
    with ExitStack() as stack:
        served = serve_commune(stack, tmp_path, [("einvoice", "viettel"), ("sms", "mobifone")])
        for name, value in served.environ.items():
            monkeypatch.setenv(name, value)
        yield served


def test_a_factory_gets_the_adapters_of_the_configuration(commune: Commune) -> None:
    config = commune.write(einvoice="viettel", sms=["mobifone"])
    fee = FeePaid(
        dossier_code="HS2026000101",
        amount=20_000,
        lines=(FeeLine("Lệ phí chứng thực", 20_000),),
        gateway="vnpay",
        transaction_id="14123456",
        paid_at=datetime(2026, 3, 2, 9, 15, tzinfo=VN_TZ),
        citizen="CD000101",
    )
    with build(load(config)) as adapters:  # the portal: the payment's transaction
        outbox_tasks.fee_tasks(adapters).start(adapters.outbox, fee)
    command = ["outbox", "run", "--tasks", FACTORY, "--config", str(config), "--until-idle"]
    result = runner.invoke(app, [*command, "--json"])
    assert 0 == result.exit_code, result.output
    summary = json.loads(result.stdout)
    assert (2, {"pending": 0, "leased": 0, "done": 2, "dead": 0, "unknown": 0}) == (
        summary["done"],
        summary["left"],
    )
    issued = commune.simulator("einvoice", "viettel").ledger.entries("invoice")
    assert ["HS2026000101:receipt"] == [entry.key for entry in issued]
    [text] = commune.simulator("sms", "mobifone").sent()
    assert "0912345678" == text.data["recipient"]


def test_a_factory_without_a_configuration_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    SqliteOutbox(tmp_path / "outbox.db").close()
    result = runner.invoke(app, ["outbox", "run", "--tasks", FACTORY, "--until-idle"])
    assert int(ExitCode.CONFIG) == result.exit_code
    assert "name its configuration with --config" in result.stderr
