"""`connectors outbox status|dead|unknown|show|resolve|retry|run` on a real outbox file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connectors.cli import app
from connectors.cli.output import ExitCode
from connectors.delivery import JobState, NewJob, ResolveAction, SqliteOutbox

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
    expected = {"pending": 1, "leased": 0, "done": 0, "dead": 2, "unknown": 0}
    assert expected == json.loads(status.stdout)
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


def other_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE dossiers (code TEXT)")
    conn.close()


NOT_AN_OUTBOX: dict[str, tuple[Callable[[Path], object], str]] = {
    "missing": (lambda path: None, ""),
    "directory": (lambda path: path.mkdir(), "is a directory, not an outbox file"),
    "empty": (lambda path: path.write_bytes(b""), "is empty, not an outbox"),
    "text": (lambda path: path.write_text("pending,HS-1\n" * 100), "is not an SQLite database"),
    "other-database": (other_database, "is an SQLite database without an outbox"),
}


@pytest.mark.parametrize("case", sorted(NOT_AN_OUTBOX))
@pytest.mark.parametrize("command", [["status"], ["dead"], ["unknown"], ["retry", "--all"]])
def test_what_is_not_an_outbox_gets_one_line_and_exit_4_and_nothing_is_created(
    tmp_path: Path, case: str, command: list[str]
) -> None:
    make, message = NOT_AN_OUTBOX[case]
    db = tmp_path / "outbox.db"
    make(db)
    before = {p.name: p.read_bytes() if p.is_file() else None for p in tmp_path.iterdir()}
    result = runner.invoke(app, ["outbox", *command, "--db", str(db)])
    assert int(ExitCode.CONFIG) == result.exit_code
    expected = f"no outbox at {db}" if case == "missing" else f"{db} {message}"
    assert f"error: {expected}\n" == result.stderr
    assert "Traceback" not in result.output
    after = {p.name: p.read_bytes() if p.is_file() else None for p in tmp_path.iterdir()}
    assert before == after, "nothing created or written"
    if case == "other-database":
        with sqlite3.connect(db) as conn:
            tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master")]
        conn.close()
        assert ["dossiers"] == tables


def parked_outbox(path: Path) -> None:
    with SqliteOutbox(path) as outbox:
        for key in ("HS-1:sms", "HS-2:sms", "HS-3:sms"):
            outbox.enqueue(NewJob("fee_sms", key))
        for job in outbox.lease("w", limit=2, lease_seconds=60):
            outbox.start(job.id, "w", lease_seconds=60)
            outbox.park(job.id, "w", error=f"OutcomeUnknown: answer lost for {job.key}")


def test_unknown_lists_jobs_to_reconcile_and_status_counts_them(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    parked_outbox(db)
    status = runner.invoke(app, ["outbox", "status", "--db", str(db), "--json"])
    assert 2 == json.loads(status.stdout)["unknown"]
    listed = runner.invoke(app, ["outbox", "unknown", "--db", str(db), "--json"])
    assert 0 == listed.exit_code, listed.output
    jobs = json.loads(listed.stdout)
    assert [("HS-1:sms", "OutcomeUnknown: answer lost for HS-1:sms", True)] == [
        (job["key"], job["last_error"], job["outcome_unknown"]) for job in jobs[:1]
    ]
    assert 2 == len(jobs)
    table = runner.invoke(app, ["outbox", "unknown", "--db", str(db)])
    assert "needs reconciliation" in table.stdout
    assert "HS-2:sms" in table.stdout


def test_resolve_records_who_why_and_when_visible_afterwards(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    parked_outbox(db)
    done = runner.invoke(
        app,
        [
            "outbox", "resolve", "HS-1:sms", "done", "--db", str(db), "--json",
            "--reason", "in MobiFone's sent report, 10:42",
            "--by", "staff-lan",
            "--result", '{"provider": "mobifone"}',
        ],
    )  # fmt: skip
    assert 0 == done.exit_code, done.output
    document = json.loads(done.stdout)
    assert ("pending", {"provider": "mobifone"}) == (document["state"], document["result"])
    [decision] = document["resolutions"]
    assert ("done", "staff-lan", "in MobiFone's sent report, 10:42") == (
        decision["action"],
        decision["by"],
        decision["reason"],
    )
    again = runner.invoke(
        app,
        ["outbox", "resolve", "HS-2:sms", "retry", "--reason", "not sent", "--db", str(db)],
        env={"CONNECTORS_OPERATOR": "staff-an"},
    )
    assert 0 == again.exit_code, again.output
    assert "HS-2:sms: back in the queue, same key" in again.stdout
    with SqliteOutbox(db) as outbox:
        retried = outbox.get("HS-2:sms")
        assert retried is not None
        assert (JobState.PENDING, ResolveAction.RETRY, "staff-an") == (
            retried.state,
            retried.resolutions[0].action,
            retried.resolutions[0].by,
        )
        assert 0 == outbox.counts()[JobState.UNKNOWN]
    shown = runner.invoke(app, ["outbox", "show", "HS-1:sms", "--db", str(db)])
    assert 0 == shown.exit_code, shown.output
    assert "done by staff-lan" in shown.stdout
    assert "sent report" in shown.stdout


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["HS-1:sms", "done"], ExitCode.USAGE, "--reason"),
        (["HS-1:sms", "maybe", "--reason", "x"], ExitCode.USAGE, "maybe"),
        (["HS-1:sms", "done", "--reason", "  "], ExitCode.INVALID_INPUT, "reason"),
        (["HS-1:sms", "done", "--reason", "x", "--result", "[1]"], ExitCode.INVALID_INPUT, "JSON"),
        (["HS-1:sms", "done", "--reason", "x", "--result", "{"], ExitCode.INVALID_INPUT, "JSON"),
        (["HS-3:sms", "retry", "--reason", "x"], ExitCode.INVALID_INPUT, "no unknown or dead"),
    ],
    ids=["no-reason", "bad-action", "blank-reason", "result-not-object", "bad-json", "pending"],
)
def test_resolve_refuses_bad_input_with_one_line(
    tmp_path: Path, arguments: list[str], code: ExitCode, message: str
) -> None:
    db = tmp_path / "outbox.db"
    parked_outbox(db)
    result = runner.invoke(app, ["outbox", "resolve", *arguments, "--db", str(db)])
    assert int(code) == result.exit_code
    assert message in result.stderr
    assert "Traceback" not in result.output
    with SqliteOutbox(db) as outbox:
        assert 2 == outbox.counts()[JobState.UNKNOWN], "nothing changed"


def test_show_of_a_missing_key_fails_cleanly(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    parked_outbox(db)
    result = runner.invoke(app, ["outbox", "show", "HS-9:sms", "--db", str(db)])
    assert int(ExitCode.INVALID_INPUT) == result.exit_code
    assert "error: no job with key 'HS-9:sms'\n" == result.stderr


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
    assert (1, 1, 0) == (summary["done"], summary["dead"], summary["needs_reconciliation"])
    assert ["HS-1:status"] == outbox_tasks.DONE


def test_run_refuses_what_is_not_tasks(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    make_outbox(db)
    for target in ("tests.cli.outbox_tasks:NOT_TASKS", "tests.cli.nosuch:TASKS", "nocolon"):
        result = runner.invoke(app, ["outbox", "run", "--tasks", target, "--db", str(db)])
        assert result.exit_code in (int(ExitCode.CONFIG), int(ExitCode.INVALID_INPUT))
        assert result.stderr.startswith("error: ")
