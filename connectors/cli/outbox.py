"""`connectors outbox status|dead|retry|run`: look after the durable outbox.

`run` needs the portal's tasks (what each job kind does): name them as `module:attribute`,
the way WSGI servers name an app, e.g. `--tasks myportal.jobs:fee_flow`.
"""

from __future__ import annotations

import importlib
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.table import Table

from connectors.cli.output import JSON_OPTION, ExitCode, console, emit_json, fail, reporting_errors
from connectors.core.errors import ConfigError, ValidationError
from connectors.delivery import Flow, Job, JobState, SqliteOutbox, Task, Worker
from connectors.vn import format_local_iso

__all__ = ["outbox_app"]

outbox_app = typer.Typer(help="Inspect and repair the durable outbox.", no_args_is_help=True)

KEYS_ARGUMENT = typer.Argument(None, help="Keys of dead jobs to retry.", show_default=False)
DB_OPTION = typer.Option(
    Path("outbox.db"), "--db", help="The outbox file.", envvar="CONNECTORS_OUTBOX_DB"
)


def _open(db: Path) -> SqliteOutbox:
    if not db.exists():
        fail(f"no outbox at {db}", ExitCode.CONFIG)
    return SqliteOutbox(db)


def _when(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return format_local_iso(datetime.fromtimestamp(seconds, tz=UTC))


def _job_document(job: Job) -> dict[str, object]:
    return {
        "key": job.key,
        "kind": job.kind,
        "state": job.state.value,
        "attempts": job.attempts,
        "created_at": _when(job.created_at),
        "next_attempt_at": _when(job.next_attempt_at),
        "last_error": job.last_error,
        "outcome_unknown": job.outcome_unknown,
    }


@outbox_app.command()
def status(db: Path = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """How many jobs are pending, leased, done and dead."""
    with _open(db) as outbox:
        counts = outbox.counts()
    if as_json:
        emit_json({state.value: count for state, count in counts.items()})
        return
    table = Table("state", "jobs", title=str(db))
    for state, count in counts.items():
        table.add_row(state.value, str(count))
    console.print(table)


@outbox_app.command()
def dead(
    db: Path = DB_OPTION,
    limit: int = typer.Option(100, min=1, help="Show at most this many."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List dead letters with their last error."""
    with _open(db) as outbox:
        jobs = outbox.jobs(JobState.DEAD, limit=limit)
    if as_json:
        emit_json([_job_document(job) for job in jobs])
        return
    table = Table("key", "kind", "attempts", "last error", title="dead letters")
    for job in jobs:
        table.add_row(job.key, job.kind, str(job.attempts), job.last_error or "")
    console.print(table)


@outbox_app.command()
def retry(
    keys: list[str] | None = KEYS_ARGUMENT,
    all_dead: bool = typer.Option(False, "--all", help="Retry every dead job."),
    db: Path = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Put dead jobs back in the queue, keeping their idempotency keys."""
    if not keys and not all_dead:
        fail("name the keys to retry, or pass --all", ExitCode.USAGE)
    with _open(db) as outbox, reporting_errors():
        if all_dead:
            keys = [job.key for job in outbox.jobs(JobState.DEAD, limit=1_000_000)]
        revived = [outbox.revive(key) for key in keys or ()]
    if as_json:
        emit_json([_job_document(job) for job in revived])
    else:
        console.print(f"{len(revived)} job(s) back in the queue")


TASKS_OPTION = typer.Option(
    ...,
    "--tasks",
    help="module:attribute naming the portal's tasks: a dict of job kind -> Task, a Flow, "
    "or a callable returning either.",
    envvar="CONNECTORS_OUTBOX_TASKS",
)


def _load_tasks(target: str) -> dict[str, Task]:
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ValidationError(f"--tasks must be module:attribute, got {target!r}", field="tasks")
    try:
        found: object = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load {target}: {exc}", field="tasks") from None
    if callable(found) and not isinstance(found, Flow):
        found = found()
    if isinstance(found, Flow):
        return found.tasks()
    if isinstance(found, dict) and found and all(isinstance(t, Task) for t in found.values()):
        return found
    raise ConfigError(f"{target} is not a dict of Task or a Flow", field="tasks")


@outbox_app.command()
def run(
    tasks: str = TASKS_OPTION,
    db: Path = DB_OPTION,
    until_idle: bool = typer.Option(False, "--until-idle", help="Stop when nothing is due."),
    lease_seconds: float = typer.Option(120.0, min=1.0, help="Longer than any task takes."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Carry out due jobs with the portal's tasks until stopped (SIGINT/SIGTERM)."""
    stop = threading.Event()
    previous = {
        signum: signal.signal(signum, lambda *_: stop.set())
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        with _open(db) as outbox, reporting_errors():
            worker = Worker(outbox, _load_tasks(tasks), lease_seconds=lease_seconds)
            report = worker.run(stop=stop, until_idle=until_idle)
            counts = outbox.counts()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    summary = {
        "done": report.done,
        "retried": report.retried,
        "dead": report.dead,
        "found_by_lookup": report.found_by_lookup,
        "left": {state.value: n for state, n in counts.items()},
    }
    if as_json:
        emit_json(summary)
    else:
        console.print(
            f"{report.done} done, {report.retried} to retry, {report.dead} dead "
            f"({report.found_by_lookup} found by lookup after an unknown outcome)"
        )
