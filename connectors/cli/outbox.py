"""`connectors outbox status|dead|unknown|show|resolve|retry|run`: look after the outbox.

`run` needs the portal's tasks (what each job kind does): name them as `module:attribute`,
the way WSGI servers name an app, e.g. `--tasks myportal.jobs:fee_flow`; a factory that
takes an argument gets the commune's adapters, loaded and built from the configuration
(`connectors.commune.load` and `build`, see `connectors.cli.tasks`).

The outbox is `--db`: an SQLite file or a ``postgresql://`` URL (with `--schema`, default
``connectors``). Without it: ``CONNECTORS_OUTBOX_DB``, then the commune configuration's
``[commune] outbox`` (`--config`, ``CONNECTORS_CONFIG``, or ./connectors.toml if there is
one), then ``outbox.db``.

Every command opens an existing outbox only: a missing path, a directory, an empty file, a
file that is not an outbox, a database without one or a server that cannot be reached
exits 4 with one line (the password masked), and nothing is created.
"""

from __future__ import annotations

import enum
import getpass
import json
import signal
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from connectors.cli.output import JSON_OPTION, ExitCode, console, emit_json, fail, reporting_errors
from connectors.cli.tasks import DEFAULT_CONFIG, PortalCodeError, portal_tasks, prepare_portal
from connectors.core.errors import ConfigError, ValidationError
from connectors.core.postgres import is_postgres_dsn, load_psycopg, mask_dsn
from connectors.delivery import (
    Job,
    JobState,
    PostgresOutbox,
    ResolveAction,
    SqliteOutbox,
    Task,
    Worker,
)
from connectors.vn import format_local_iso

__all__ = ["outbox_app"]

outbox_app = typer.Typer(help="Inspect and repair the durable outbox.", no_args_is_help=True)

KEYS_ARGUMENT = typer.Argument(None, help="Keys of dead jobs to retry.", show_default=False)
KEY_ARGUMENT = typer.Argument(..., help="The job's key.", show_default=False)
DB_OPTION = typer.Option(
    None,
    "--db",
    help="The outbox: an SQLite file or a postgresql:// URL (password in PGPASSWORD or "
    "~/.pgpass). Default: the commune configuration's, else outbox.db.",
    envvar="CONNECTORS_OUTBOX_DB",
    show_default=False,
)
SCHEMA_OPTION = typer.Option(
    "connectors",
    "--schema",
    help="The PostgreSQL schema holding the outbox.",
    envvar="CONNECTORS_OUTBOX_SCHEMA",
)
CONFIG_OPTION = typer.Option(
    None,
    "--config",
    "-c",
    help="The commune's TOML file, whose [commune] outbox is used without --db "
    "(default: ./connectors.toml if there is one).",
    envvar="CONNECTORS_CONFIG",
    show_default=False,
)
_DEFAULT_DB = "outbox.db"


@dataclass(frozen=True)
class Target:
    """Which outbox a command opens: `--db`, else the configuration's, else outbox.db."""

    db: str | None = None
    schema: str = "connectors"
    config: Path | None = None

    def resolve(self) -> str:
        if self.db is not None and self.db.strip():
            return self.db.strip()
        config = self.config
        if config is None and DEFAULT_CONFIG.is_file():
            config = DEFAULT_CONFIG
        if config is None:
            return _DEFAULT_DB
        from connectors.commune.config import load_config

        try:
            loaded = load_config(config)
        except OSError as exc:
            raise ConfigError(f"cannot read {config}: {exc.strerror or exc}") from None
        return loaded.commune.outbox_target(config.parent)


def _postgres_error(exc: BaseException) -> bool:
    if not isinstance(exc, Exception) or not type(exc).__module__.startswith("psycopg"):
        return False
    return isinstance(exc, load_psycopg().Error)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def _open(target: Target) -> Iterator[SqliteOutbox | PostgresOutbox]:
    """The outbox `target` names, which must exist; one line and exit 4 on anything else."""
    with reporting_errors():
        where = target.resolve()
    shown = mask_dsn(where)
    outbox: SqliteOutbox | PostgresOutbox
    try:
        if is_postgres_dsn(where):
            outbox = PostgresOutbox(where, schema=target.schema, create=False)
        else:
            outbox = SqliteOutbox(where, create=False)
    except ConfigError as exc:
        fail(str(exc), ExitCode.CONFIG)
    except ValidationError as exc:
        fail(str(exc), ExitCode.CONFIG)
    except sqlite3.Error as exc:
        fail(f"cannot open the outbox at {shown}: {exc}", ExitCode.CONFIG)
    except Exception as exc:
        if not _postgres_error(exc):
            raise
        fail(f"cannot open the outbox at {shown}: {_one_line(exc)}", ExitCode.CONFIG)
    try:
        with outbox, reporting_errors():
            yield outbox
    except sqlite3.Error as exc:
        fail(f"the outbox at {shown} failed: {exc}", ExitCode.CONFIG)
    except Exception as exc:
        if not _postgres_error(exc):
            raise
        fail(f"the outbox at {shown} failed: {_one_line(exc)}", ExitCode.CONFIG)


def _title(target: Target) -> str:
    try:
        return mask_dsn(target.resolve())
    except ConfigError:
        return "outbox"


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
        "result": None if job.result is None else dict(job.result),
        "resolutions": [
            {
                "action": decision.action.value,
                "reason": decision.reason,
                "by": decision.by,
                "at": _when(decision.at),
            }
            for decision in job.resolutions
        ],
    }


@outbox_app.command()
def status(
    db: str | None = DB_OPTION,
    schema: str = SCHEMA_OPTION,
    config: Path | None = CONFIG_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """How many jobs are pending, leased, done, dead and waiting for reconciliation."""
    target = Target(db, schema, config)
    with _open(target) as outbox:
        counts = outbox.counts()
    if as_json:
        emit_json({state.value: count for state, count in counts.items()})
        return
    title = _title(target)
    table = Table("state", "jobs", title=title, min_width=min(len(title) + 4, 120))
    for state, count in counts.items():
        table.add_row(state.value, str(count))
    console.print(table)


LIMIT_OPTION = typer.Option(100, min=1, help="Show at most this many.")


def _list(target: Target, state: JobState, limit: int, as_json: bool, title: str) -> None:
    with _open(target) as outbox:
        jobs = outbox.jobs(state, limit=limit)
    if as_json:
        emit_json([_job_document(job) for job in jobs])
        return
    table = Table("key", "kind", "attempts", "last error", title=title)
    for job in jobs:
        table.add_row(job.key, job.kind, str(job.attempts), job.last_error or "")
    console.print(table)


@outbox_app.command()
def dead(
    db: str | None = DB_OPTION,
    schema: str = SCHEMA_OPTION,
    config: Path | None = CONFIG_OPTION,
    limit: int = LIMIT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List dead letters with their last error."""
    _list(Target(db, schema, config), JobState.DEAD, limit, as_json, "dead letters")


@outbox_app.command()
def unknown(
    db: str | None = DB_OPTION,
    schema: str = SCHEMA_OPTION,
    config: Path | None = CONFIG_OPTION,
    limit: int = LIMIT_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """List jobs that need reconciliation: they may have reached the vendor.

    Check each at the vendor (its portal, its sent report), then `resolve` it.
    """
    target = Target(db, schema, config)
    _list(target, JobState.UNKNOWN, limit, as_json, "needs reconciliation")


@outbox_app.command()
def show(
    key: str = KEY_ARGUMENT,
    db: str | None = DB_OPTION,
    schema: str = SCHEMA_OPTION,
    config: Path | None = CONFIG_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """One job: its state, last error, result, and every decision staff recorded on it."""
    with _open(Target(db, schema, config)) as outbox:
        job = outbox.get(key)
    if job is None:
        fail(f"no job with key {key!r}", ExitCode.INVALID_INPUT)
    document = _job_document(job)
    if as_json:
        emit_json(document)
        return
    table = Table("field", "value", title=key, show_header=False)
    for name, value in document.items():
        if name != "resolutions":
            text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value
            table.add_row(name, "" if text is None else str(text))
    for decision in job.resolutions:
        when = _when(decision.at)
        table.add_row(
            "resolved", f"{decision.action.value} by {decision.by} at {when}: {decision.reason}"
        )
    console.print(table)


class _Action(enum.StrEnum):
    DONE = "done"
    RETRY = "retry"


def _operator() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in this environment: --by is then required
        return ""


def _parse_result(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        found = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"--result must be a JSON object: {exc}", field="result") from None
    if not isinstance(found, dict):
        raise ValidationError("--result must be a JSON object", field="result")
    return found


ACTION_ARGUMENT = typer.Argument(
    ...,
    help="done: the effect exists at the vendor (record it, go on to what follows); "
    "retry: it does not (run the job again, same key).",
    show_default=False,
)
REASON_OPTION = typer.Option(
    ..., "--reason", help="Why: what you checked, where. Recorded on the job."
)
BY_OPTION = typer.Option(
    _operator,
    "--by",
    help="Who decides (default: your login name).",
    envvar="CONNECTORS_OPERATOR",
    show_default=False,
)
RESULT_OPTION = typer.Option(
    None, "--result", help="With done: the vendor's record as a JSON object."
)


@outbox_app.command()
def resolve(
    key: str = KEY_ARGUMENT,
    action: _Action = ACTION_ARGUMENT,
    reason: str = REASON_OPTION,
    by: str = BY_OPTION,
    result: str | None = RESULT_OPTION,
    db: str | None = DB_OPTION,
    schema: str = SCHEMA_OPTION,
    config: Path | None = CONFIG_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Settle a job waiting for a person (unknown outcome or dead): done or retry."""
    with _open(Target(db, schema, config)) as outbox:
        job = outbox.resolve(
            key, ResolveAction(action.value), reason=reason, by=by, result=_parse_result(result)
        )
    if as_json:
        emit_json(_job_document(job))
    elif action is _Action.DONE:
        console.print(f"{key}: recorded as done; a worker completes it and enqueues what follows")
    else:
        console.print(f"{key}: back in the queue, same key")


@outbox_app.command()
def retry(
    keys: list[str] | None = KEYS_ARGUMENT,
    all_dead: bool = typer.Option(False, "--all", help="Retry every dead job."),
    db: str | None = DB_OPTION,
    schema: str = SCHEMA_OPTION,
    config: Path | None = CONFIG_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Put dead jobs back in the queue, keeping their idempotency keys.

    Jobs waiting for reconciliation are never retried in bulk: `resolve` them one by one.
    """
    if not keys and not all_dead:
        fail("name the keys to retry, or pass --all", ExitCode.USAGE)
    with _open(Target(db, schema, config)) as outbox:
        if all_dead:
            keys = [job.key for job in outbox.jobs(JobState.DEAD, limit=1_000_000)]
        revived = [outbox.revive(key) for key in keys or ()]
    if as_json:
        emit_json([_job_document(job) for job in revived])
    else:
        console.print(f"{len(revived)} job(s) back in the queue")


@contextmanager
def _portal_tasks(
    target: str, *, outbox: SqliteOutbox | PostgresOutbox, config: Path | None
) -> Iterator[dict[str, Task]]:
    """`portal_tasks`, the portal's code failing as one line and exit 6."""
    try:
        with portal_tasks(target, outbox=outbox, config=config) as found:
            yield found
    except PortalCodeError as exc:
        fail(str(exc), ExitCode.PORTAL_CODE)


TASKS_OPTION = typer.Option(
    ...,
    "--tasks",
    help="module:attribute naming the portal's tasks: a dict of job kind -> Task, a Flow, "
    "or a callable returning either (given the commune's adapters if it takes an argument).",
    envvar="CONNECTORS_OUTBOX_TASKS",
)


@outbox_app.command()
def run(
    tasks: str = TASKS_OPTION,
    db: str | None = DB_OPTION,
    schema: str = SCHEMA_OPTION,
    config: Path | None = CONFIG_OPTION,
    until_idle: bool = typer.Option(False, "--until-idle", help="Stop when nothing is due."),
    lease_seconds: float = typer.Option(120.0, min=1.0, help="Longer than any task takes."),
    django_settings: str | None = typer.Option(
        None,
        "--django-settings",
        metavar="MODULE",
        help="Call django.setup() with these settings before importing the tasks "
        "(also done when DJANGO_SETTINGS_MODULE is set).",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Carry out due jobs with the portal's tasks until stopped (SIGINT/SIGTERM).

    The tasks are imported with the current directory on sys.path; a failure of the
    portal's code while importing or setting up is one line and exit 6.
    """
    try:
        prepare_portal(django_settings)
    except PortalCodeError as exc:
        fail(str(exc), ExitCode.PORTAL_CODE)
    stop = threading.Event()
    previous = {
        signum: signal.signal(signum, lambda *_: stop.set())
        for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        with (
            _open(Target(db, schema, config)) as outbox,
            _portal_tasks(tasks, outbox=outbox, config=config) as found,
        ):
            worker = Worker(outbox, found, lease_seconds=lease_seconds)
            report = worker.run(stop=stop, until_idle=until_idle)
            counts = outbox.counts()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    summary = {
        "done": report.done,
        "retried": report.retried,
        "dead": report.dead,
        "needs_reconciliation": report.parked,
        "found_by_lookup": report.found_by_lookup,
        "skipped": report.skipped,
        "store_errors": report.store_errors,
        "left": {state.value: n for state, n in counts.items()},
    }
    if as_json:
        emit_json(summary)
    else:
        console.print(
            f"{report.done} done, {report.retried} to retry, {report.dead} dead, "
            f"{report.parked} to reconcile "
            f"({report.found_by_lookup} found by lookup after an unknown outcome)"
        )
