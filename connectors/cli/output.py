"""How every command reports: rich for people, `--json` for scripts, one-line errors.

Exit codes (documented in docs/cli.md):

- 0: done, or every check passed
- 1: a check failed (an invariant of the demo, a provider not ready in `doctor`)
- 2: usage error (unknown option, missing argument; typer's own code)
- 3: invalid input (a malformed phone, a tampered QR, an invalid XML, a bad signature)
- 4: configuration error (missing or invalid setting)
- 5: a provider or the network failed
"""

from __future__ import annotations

import enum
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console

from connectors.core.errors import (
    ConfigError,
    ConnectorError,
    SignatureError,
    ValidationError,
)

__all__ = ["JSON_OPTION", "ExitCode", "console", "emit_json", "fail", "reporting_errors"]

console = Console()
if not console.is_terminal:  # piped or captured: wide enough for the demo's tables
    console = Console(width=120)
_stderr = Console(stderr=True, highlight=False, soft_wrap=True)

JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document instead of tables.")


class ExitCode(enum.IntEnum):
    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    INVALID_INPUT = 3
    CONFIG = 4
    PROVIDER = 5


def emit_json(document: Any) -> None:
    """Print `document` as JSON on stdout (UTF-8, not escaped, keys in the given order)."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print `error: message` on one line to stderr and exit with `code`."""
    first_line = " ".join(message.split())
    _stderr.print(f"error: {first_line}", markup=False)
    raise typer.Exit(int(code))


def _code_for(exc: ConnectorError) -> ExitCode:
    if isinstance(exc, ValidationError | SignatureError):
        return ExitCode.INVALID_INPUT
    if isinstance(exc, ConfigError):
        return ExitCode.CONFIG
    return ExitCode.PROVIDER


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Turn our errors into a one-line message and the documented exit code."""
    try:
        yield
    except ConnectorError as exc:
        fail(str(exc), _code_for(exc))
