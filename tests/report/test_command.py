"""`connectors report`: the day's figures as a table, JSON, CSV, and the trend as a PNG."""

from __future__ import annotations

import json
import struct
import zlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.delivery import PostgresOutbox, SqliteOutbox
from connectors.report import daily_report
from tests.delivery.conftest import FakeClock
from tests.pg import PgTarget
from tests.report.jobs import one_day

runner = CliRunner()
DAY = date(2026, 3, 2)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    clock = FakeClock()
    path = tmp_path / "outbox.db"
    with SqliteOutbox(path, clock=clock) as outbox:
        for n in range(0, 30, 3):
            one_day(outbox, clock, DAY - timedelta(days=n))
    return path


def test_json_is_the_reports_document(db: Path) -> None:
    done = runner.invoke(app, ["report", "--db", str(db), "--day", "2026-03-02", "--json"])
    assert 0 == done.exit_code, done.output
    assert daily_report(db, DAY).to_dict() == json.loads(done.stdout)
    assert {"total": 3, "by_gateway": {"momo": 1, "vnpay": 2}} == json.loads(done.stdout)[
        "payments"
    ]


def test_csv_and_table(db: Path) -> None:
    done = runner.invoke(app, ["report", "--db", str(db), "--day", "2026-03-02", "--csv"])
    assert 0 == done.exit_code, done.output
    assert done.stdout.splitlines()[1].startswith("2026-03-02,,3,momo=1;vnpay=2,3,240,600,600,")
    table = runner.invoke(app, ["report", "--db", str(db), "--day", "2026-03-02"])
    assert 0 == table.exit_code, table.output
    assert "payments confirmed" in table.stdout
    assert "1 sent, 1 failed (to retry), 1 dead" in table.stdout


def _png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_chart_of_thirty_days(db: Path, tmp_path: Path) -> None:
    chart = tmp_path / "trend.png"
    done = runner.invoke(
        app, ["report", "--db", str(db), "--day", "2026-03-02", "--chart", str(chart)]
    )
    assert 0 == done.exit_code, done.output
    assert f"chart of 30 days written to {chart}" in " ".join(done.stdout.split())
    data = chart.read_bytes()
    assert (1000, 860) == _png_size(data)
    # the pixels decode (CRCs and zlib stream intact) to one filter byte + RGB per row
    chunks, at = {}, 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        assert (
            zlib.crc32(kind + body) & 0xFFFFFFFF
            == struct.unpack(">I", data[at + 8 + length : at + 12 + length])[0]
        )
        chunks[kind] = body
        at += 12 + length
    assert 860 * (1 + 1000 * 3) == len(zlib.decompress(chunks[b"IDAT"]))


def test_a_day_that_is_not_a_date_is_a_usage_error(db: Path) -> None:
    done = runner.invoke(app, ["report", "--db", str(db), "--day", "02/03/2026"])
    assert ExitCode.USAGE == done.exit_code
    assert "--day must be YYYY-MM-DD" in done.output


def test_a_missing_outbox_is_a_configuration_error(tmp_path: Path) -> None:
    done = runner.invoke(app, ["report", "--db", str(tmp_path / "none.db"), "--day", "2026-03-02"])
    assert ExitCode.CONFIG == done.exit_code
    assert "no outbox at" in done.output
    assert not (tmp_path / "none.db").exists()


def test_json_and_csv_together_is_a_usage_error(db: Path) -> None:
    done = runner.invoke(app, ["report", "--db", str(db), "--json", "--csv"])
    assert ExitCode.USAGE == done.exit_code


def test_a_postgresql_outbox(pg: PgTarget) -> None:
    clock = FakeClock()
    with PostgresOutbox(pg.dsn, schema=pg.schema, clock=clock) as outbox:
        one_day(outbox, clock, DAY)
    done = runner.invoke(
        app, ["report", "--db", pg.dsn, "--schema", pg.schema, "--day", "2026-03-02", "--json"]
    )
    assert 0 == done.exit_code, done.output
    assert {"issued": 3, "delay_seconds": {"median": 240.0, "p95": 600.0, "longest": 600.0}} == (
        json.loads(done.stdout)["receipts"]
    )
