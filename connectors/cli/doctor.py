"""`connectors doctor`: is the commune's configuration ready, provider by provider?"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from connectors.cli.output import JSON_OPTION, ExitCode, console, emit_json, reporting_errors

__all__ = ["doctor"]

CONFIG = typer.Option(
    Path("connectors.toml"),
    "--config",
    "-c",
    help="The commune's TOML file (secrets come from the environment).",
    envvar="CONNECTORS_CONFIG",
)

_STYLE = {"ready": "green", "missing": "yellow", "failed": "red", "skipped": "dim"}


def doctor(config: Path = CONFIG, as_json: bool = JSON_OPTION) -> None:
    """Check each configured provider: settings, shipped files, a simulator round trip.

    Nothing is sent to a real vendor. Exit code 0 when every check is ready, 1 when one is
    not, 4 when the file itself is invalid.
    """
    from connectors.commune.config import load_config
    from connectors.commune.doctor import CheckState, diagnose
    from connectors.commune.registry import all_specs

    with reporting_errors():
        checks = diagnose(load_config(config), all_specs())
    ready = all(check.state is CheckState.READY for check in checks)
    if as_json:
        emit_json(
            {
                "ready": ready,
                "checks": [
                    {
                        "provider": c.provider,
                        "check": c.check,
                        "state": c.state.value,
                        "detail": c.detail,
                    }
                    for c in checks
                ],
            }
        )
    else:
        table = Table("provider", "check", "state", "detail", title=f"connectors doctor: {config}")
        for c in checks:
            style = _STYLE[c.state.value]
            table.add_row(c.provider, c.check, f"[{style}]{c.state.value}[/{style}]", c.detail)
        console.print(table)
    if not ready:
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
