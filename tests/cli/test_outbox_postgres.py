"""`connectors outbox ...` on a PostgreSQL outbox (`--db postgresql://...`), and the outbox
named by the commune configuration when `--db` is not given."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.core.postgres import mask_dsn
from connectors.delivery import JobState, NewJob, SqliteOutbox
from connectors.delivery.postgres import PostgresOutbox
from tests.pg import PgTarget, admin

runner = CliRunner()


def make_outbox(pg: PgTarget) -> None:
    with PostgresOutbox(pg.dsn, schema=pg.schema) as outbox:
        for key in ("HS-1:receipt", "HS-2:receipt", "HS-3:sms"):
            outbox.enqueue(NewJob("record", key))
        for job in outbox.lease("w", limit=2, lease_seconds=60):
            outbox.fail(job.id, "w", error=f"Rejected: bad buyer for {job.key}", retry_at=None)


def outbox(pg: PgTarget, *command: str) -> list[str]:
    return ["outbox", *command, "--db", pg.dsn, "--schema", pg.schema]


def test_status_dead_retry_resolve_and_show_on_postgres(pg: PgTarget) -> None:
    make_outbox(pg)
    status = runner.invoke(app, [*outbox(pg, "status"), "--json"])
    assert 0 == status.exit_code, status.output
    assert {"pending": 1, "leased": 0, "done": 0, "dead": 2, "unknown": 0} == json.loads(
        status.stdout
    )
    dead = runner.invoke(app, [*outbox(pg, "dead"), "--json"])
    assert ["HS-1:receipt", "HS-2:receipt"] == [job["key"] for job in json.loads(dead.stdout)]
    retried = runner.invoke(app, [*outbox(pg, "retry", "HS-1:receipt"), "--json"])
    assert ["HS-1:receipt"] == [job["key"] for job in json.loads(retried.stdout)]
    resolved = runner.invoke(
        app,
        [
            *outbox(pg, "resolve", "HS-2:receipt", "done"),
            "--reason",
            "issued by hand",
            "--by",
            "an",
        ],
    )
    assert 0 == resolved.exit_code, resolved.output
    shown = runner.invoke(app, [*outbox(pg, "show", "HS-2:receipt"), "--json"])
    document = json.loads(shown.stdout)
    assert ("pending", "issued by hand") == (
        document["state"],
        document["resolutions"][0]["reason"],
    )
    table = runner.invoke(app, outbox(pg, "status"))
    assert 0 == table.exit_code, table.output
    assert "dead" in table.stdout


def test_run_drains_a_postgres_outbox_with_the_portals_tasks(pg: PgTarget) -> None:
    from tests.cli import outbox_tasks

    with PostgresOutbox(pg.dsn, schema=pg.schema) as store:
        store.enqueue(NewJob("record", "HS-1:status"))
        store.enqueue(NewJob("record", "HS-2:status", {"bad": True}))
    outbox_tasks.DONE.clear()
    command = outbox(pg, "run", "--tasks", "tests.cli.outbox_tasks:TASKS")
    result = runner.invoke(app, [*command, "--until-idle", "--json"])
    assert 0 == result.exit_code, result.output
    summary = json.loads(result.stdout)
    assert (1, 1) == (summary["done"], summary["dead"])
    assert {"pending": 0, "leased": 0, "done": 1, "dead": 1, "unknown": 0} == summary["left"]
    assert ["HS-1:status"] == outbox_tasks.DONE


def test_a_schema_without_an_outbox_exits_4_and_creates_nothing(pg: PgTarget) -> None:
    result = runner.invoke(app, outbox(pg, "status"))
    assert int(ExitCode.CONFIG) == result.exit_code
    assert f"error: no outbox in schema {pg.schema} at " in result.stderr
    assert 1 == len(result.stderr.strip().splitlines())
    with admin(pg.dsn) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (pg.schema,)
        ).fetchone()
    assert (0,) == found


def test_an_unreachable_server_exits_4_with_one_line_and_no_password() -> None:
    dsn = "postgresql://portal:hunter2-secret@127.0.0.1:1/portal?connect_timeout=2"
    result = runner.invoke(app, ["outbox", "status", "--db", dsn])
    assert int(ExitCode.CONFIG) == result.exit_code
    assert result.stderr.startswith("error: cannot open the outbox at postgresql://portal:***@")
    assert 1 == len(result.stderr.strip().splitlines())
    assert "hunter2" not in result.output


def write_config(path: Path, outbox_line: str) -> Path:
    path.write_text(
        f'[commune]\nname = "UBND phường Mẫu"\ntax_code = "0100109106"\n{outbox_line}\n',
        encoding="utf-8",
    )
    return path


def test_without_db_the_commune_configuration_names_the_postgres_outbox(
    pg: PgTarget, tmp_path: Path
) -> None:
    if mask_dsn(pg.dsn) != pg.dsn:
        pytest.skip("the test server's DSN carries a password, which a config file must not")
    make_outbox(pg)
    config = write_config(tmp_path / "connectors.toml", f'outbox = "{pg.dsn}"')
    result = runner.invoke(
        app, ["outbox", "status", "--config", str(config), "--schema", pg.schema, "--json"]
    )
    assert 0 == result.exit_code, result.output
    assert 2 == json.loads(result.stdout)["dead"]


def test_without_db_a_relative_outbox_file_is_read_beside_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "etc").mkdir()
    with SqliteOutbox(tmp_path / "etc" / "queue.db") as store:
        store.enqueue(NewJob("record", "HS-1:receipt"))
    config = write_config(tmp_path / "etc" / "commune.toml", 'outbox = "queue.db"')
    monkeypatch.delenv("CONNECTORS_OUTBOX_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["outbox", "status", "-c", str(config), "--json"])
    assert 0 == result.exit_code, result.output
    assert 1 == json.loads(result.stdout)[JobState.PENDING.value]
    (tmp_path / "connectors.toml").write_text(config.read_text(encoding="utf-8"))
    (tmp_path / "queue.db").symlink_to(tmp_path / "etc" / "queue.db")
    found = runner.invoke(app, ["outbox", "status", "--json"])  # ./connectors.toml
    assert 0 == found.exit_code, found.output
    assert 1 == json.loads(found.stdout)[JobState.PENDING.value]


def test_a_password_in_the_configuration_is_refused_naming_the_field(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "connectors.toml", 'outbox = "postgresql://portal:hunter2-secret@db/portal"'
    )
    result = runner.invoke(app, ["outbox", "status", "--config", str(config)])
    assert int(ExitCode.CONFIG) == result.exit_code
    assert "commune.outbox" in result.stderr
    assert "PGPASSWORD" in result.stderr
    assert "hunter2" not in result.output


def test_a_missing_configuration_named_explicitly_is_a_config_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["outbox", "status", "--config", str(tmp_path / "absent.toml")])
    assert int(ExitCode.CONFIG) == result.exit_code
    assert "no configuration file at" in result.stderr
