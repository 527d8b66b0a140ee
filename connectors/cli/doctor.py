"""`connectors doctor`: is the commune's configuration ready, provider by provider?"""

from __future__ import annotations

import stat
from pathlib import Path

import typer
from rich.table import Table

from connectors.cli.output import JSON_OPTION, ExitCode, console, emit_json, reporting_errors
from connectors.core.errors import ConfigError

__all__ = ["doctor"]

CONFIG = typer.Option(
    Path("connectors.toml"),
    "--config",
    "-c",
    help="The commune's TOML file (secrets come from the environment).",
    envvar="CONNECTORS_CONFIG",
)

_STYLE = {"ready": "green", "missing": "yellow", "failed": "red", "skipped": "dim"}
_MAX_CONFIG_BYTES = 1024 * 1024  # a commune's TOML is a few KiB


def _check_config_file(path: Path) -> None:
    """`ConfigError` unless `path` is missing (said later) or a regular file of sane size."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if not stat.S_ISREG(status.st_mode):
        raise ConfigError(f"{path} is not a regular file (a directory or a device?)")
    if status.st_size > _MAX_CONFIG_BYTES:
        raise ConfigError(f"{path} is larger than {_MAX_CONFIG_BYTES:,} bytes")


def doctor(config: Path = CONFIG, as_json: bool = JSON_OPTION) -> None:
    """Check each configured provider: settings, shipped files, a simulator round trip.

    Nothing is sent to a real vendor. Exit code 0 when every check is ready, 1 when one is
    not, 4 when the file itself is invalid.
    """
    from connectors.commune.config import load_config
    from connectors.commune.doctor import CheckState, diagnose
    from connectors.commune.registry import all_specs

    with reporting_errors():
        _check_config_file(config)
        try:
            loaded = load_config(config)
        except OSError as exc:  # unreadable: permission, I/O error
            raise ConfigError(f"cannot read {config}: {exc.strerror or exc}") from None
        checks = diagnose(loaded, all_specs())
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
