"""`connectors outbox status|dead|retry` on a real outbox file."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.delivery import JobState, NewJob, SqliteOutbox

runner = CliRunner()


def make_outbox(path: Path) -> None:
    with SqliteOutbox(path) as outbox:
        for key in ("HS-1:receipt", "HS-2:receipt", "HS-3:sms"):
            outbox.enqueue(NewJob("fee_receipt", key))
        for job in outbox.lease("w", limit=2, lease_seconds=60):
            outbox.fail(job.id, "w", error=f"Rejected: bad buyer for {job.key}", retry_at=None)


def test_status_and_dead_as_json(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    make_outbox(db)
    status = runner.invoke(app, ["outbox", "status", "--db", str(db), "--json"])
    assert 0 == status.exit_code, status.output
    assert {"pending": 1, "leased": 0, "done": 0, "dead": 2} == json.loads(status.stdout)
    dead = runner.invoke(app, ["outbox", "dead", "--db", str(db), "--json"])
    assert ["HS-1:receipt", "HS-2:receipt"] == [job["key"] for job in json.loads(dead.stdout)]
    assert "Rejected: bad buyer for HS-1:receipt" == json.loads(dead.stdout)[0]["last_error"]


def test_retry_revives_named_or_all_dead_jobs(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    make_outbox(db)
    one = runner.invoke(app, ["outbox", "retry", "HS-1:receipt", "--db", str(db)])
    assert 0 == one.exit_code, one.output
    rest = runner.invoke(app, ["outbox", "retry", "--all", "--db", str(db), "--json"])
    assert ["HS-2:receipt"] == [job["key"] for job in json.loads(rest.stdout)]
    with SqliteOutbox(db) as outbox:
        assert 3 == outbox.counts()[JobState.PENDING]


def test_retry_of_a_job_that_is_not_dead_fails_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    make_outbox(db)
    result = runner.invoke(app, ["outbox", "retry", "HS-3:sms", "--db", str(db)])
    assert int(ExitCode.INVALID_INPUT) == result.exit_code
    assert "no dead job with key 'HS-3:sms'" in result.stderr


def test_missing_outbox_is_a_config_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["outbox", "status", "--db", str(tmp_path / "nope.db")])
    assert int(ExitCode.CONFIG) == result.exit_code
    assert result.stderr.startswith("error: no outbox at")


def test_run_carries_out_due_jobs_with_the_portals_tasks(tmp_path: Path) -> None:
    from tests.cli import outbox_tasks

    db = tmp_path / "outbox.db"
    with SqliteOutbox(db) as outbox:
        outbox.enqueue(NewJob("record", "HS-1:status"))
        outbox.enqueue(NewJob("record", "HS-2:status", {"bad": True}))
    outbox_tasks.DONE.clear()
    command = ["outbox", "run", "--tasks", "tests.cli.outbox_tasks:TASKS", "--db", str(db)]
    result = runner.invoke(app, [*command, "--until-idle", "--json"])
    assert 0 == result.exit_code, result.output
    summary = json.loads(result.stdout)
    assert (1, 1) == (summary["done"], summary["dead"])
    assert ["HS-1:status"] == outbox_tasks.DONE


def test_run_refuses_what_is_not_tasks(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    make_outbox(db)
    for target in ("tests.cli.outbox_tasks:NOT_TASKS", "tests.cli.nosuch:TASKS", "nocolon"):
        result = runner.invoke(app, ["outbox", "run", "--tasks", target, "--db", str(db)])
        assert result.exit_code in (int(ExitCode.CONFIG), int(ExitCode.INVALID_INPUT))
        assert result.stderr.startswith("error: ")
