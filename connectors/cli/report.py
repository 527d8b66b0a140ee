"""`connectors report`: the day's operations figures, as a table, JSON, CSV or a chart.

The outbox is `--db` (an SQLite file or a ``postgresql://`` URL), found as the `outbox`
commands find it. The day is yesterday in Vietnam unless `--day` says otherwise.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import date, timedelta
from pathlib import Path

import typer

from connectors.cli.outbox import CONFIG_OPTION, DB_OPTION, SCHEMA_OPTION, Target
from connectors.cli.output import JSON_OPTION, ExitCode, console, emit_json, fail, reporting_errors
from connectors.core.postgres import mask_dsn

__all__ = ["report"]

DAY_OPTION = typer.Option(
    None,
    "--day",
    help="The day, YYYY-MM-DD (default: yesterday, Vietnam time).",
    show_default=False,
)
COMMUNE_OPTION = typer.Option(
    None,
    "--commune",
    help="Only this commune's figures (jobs and records tagged with it).",
    show_default=False,
)
CSV_OPTION = typer.Option(False, "--csv", help="Print CSV (a header and the day's row).")
CHART_OPTION = typer.Option(
    None,
    "--chart",
    help="Also write a PNG of the last --days days ending with the day.",
    show_default=False,
)
DAYS_OPTION = typer.Option(30, "--days", min=1, max=366, help="Days in the chart.")


def _day(text: str | None) -> date:
    from connectors.report import yesterday

    if text is None:
        return yesterday()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail(f"--day must be YYYY-MM-DD, got {text!r}", ExitCode.USAGE)


def _own_commune(target: Target) -> str | None:
    """The commune named by the configuration, whose jobs carry no commune tag."""
    config = target.config
    if config is None and Path("connectors.toml").is_file():
        config = Path("connectors.toml")
    if config is None or target.db:
        return None
    from connectors.commune.config import load_config

    with reporting_errors():
        return load_config(config).commune.name


def report(
    day: str | None = DAY_OPTION,
    commune: str | None = COMMUNE_OPTION,
    db: str | None = DB_OPTION,
    schema: str = SCHEMA_OPTION,
    config: Path | None = CONFIG_OPTION,
    as_json: bool = JSON_OPTION,
    as_csv: bool = CSV_OPTION,
    chart: Path | None = CHART_OPTION,
    days: int = DAYS_OPTION,
) -> None:
    """The day's figures: payments, receipts and their delay, SMS, unknown outcomes,
    reconciliation mismatches, feedback answered in time."""
    from connectors.report import render_chart, reports, to_csv, to_table

    if as_json and as_csv:
        fail("choose --json or --csv, not both", ExitCode.USAGE)
    when = _day(day)
    target = Target(db, schema, config)
    with reporting_errors():
        where = target.resolve()
    own = _own_commune(target)
    first = when - timedelta(days=days - 1) if chart is not None else when
    try:
        with reporting_errors():
            found = reports(where, first, when, commune=commune, own_commune=own, schema=schema)
    except sqlite3.Error as exc:
        fail(f"cannot read the outbox at {mask_dsn(where)}: {exc}", ExitCode.CONFIG)
    today = found[-1]
    if chart is not None:
        try:
            render_chart(found, chart)
        except OSError as exc:
            fail(f"cannot write {chart}: {exc.strerror or exc}", ExitCode.CONFIG)
    if as_json:
        emit_json(today.to_dict())
    elif as_csv:
        sys.stdout.write(to_csv([today]))
    else:
        console.print(to_table(today))
    if chart is not None and not (as_json or as_csv):
        console.print(f"chart of {len(found)} days written to {chart}")
