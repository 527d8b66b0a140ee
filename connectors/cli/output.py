"""How every command reports: rich for people, `--json` for scripts, one-line errors.

Exit codes (documented in docs/cli.md):

- 0: done, or every check passed
- 1: a check failed (an invariant of the demo, a provider not ready in `doctor`)
- 2: usage error (unknown option, missing argument; typer's own code)
- 3: invalid input (a malformed phone, a tampered QR, an invalid XML, a bad signature)
- 4: configuration error (missing or invalid setting)
- 5: a provider or the network failed
- 6: the portal's code failed to import or set up (`outbox run --tasks`, Django)
- 70: an internal error (a bug); `CONNECTORS_DEBUG=1` shows its traceback

Every error is one line on stderr, `error: ...`: our own errors through `reporting_errors`
or `fail`, usage errors and anything unexpected through `OneLineErrors`, the top-level
group's class.
"""

from __future__ import annotations

import enum
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from typer.core import TyperGroup

from connectors.cli.help import tidy, tidy_params
from connectors.core.errors import (
    ConfigError,
    ConnectorError,
    SignatureError,
    ValidationError,
)

try:  # typer >= 0.2x carries its own copy of click
    from typer._click.exceptions import ClickException, UsageError
except ImportError:  # pragma: no cover - older typer runs on click itself
    from click.exceptions import (  # type: ignore[assignment]
        ClickException,
        UsageError,
    )

__all__ = [
    "DEBUG_ENV",
    "JSON_OPTION",
    "UNDECODABLE",
    "ExitCode",
    "OneLineErrors",
    "console",
    "emit_json",
    "fail",
    "reporting_errors",
]

DEBUG_ENV = "CONNECTORS_DEBUG"
"""Set to 1 to let an internal error end in its traceback instead of one line."""
_MAX_MESSAGE = 400  # characters of one error line; an echoed 5,000-digit input is cut
UNDECODABLE = re.compile("[\ud800-\udfff]")
"""A lone surrogate: how Python hands on bytes of an argument that are not UTF-8."""

if TYPE_CHECKING:
    from rich.console import Console

    console: Console
    """The console commands print to (rich loads when a command first prints)."""


def __getattr__(name: str) -> Any:
    if name != "console":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rich.console import Console

    made = Console()
    if not made.is_terminal:  # piped or captured: wide enough for the demo's tables
        made = Console(width=120)
    globals()["console"] = made
    return made


@cache
def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


JSON_OPTION = typer.Option(False, "--json", help="Print one JSON document instead of tables.")


class ExitCode(enum.IntEnum):
    OK = 0
    CHECK_FAILED = 1
    USAGE = 2
    INVALID_INPUT = 3
    CONFIG = 4
    PROVIDER = 5
    PORTAL_CODE = 6
    INTERNAL = 70


def emit_json(document: Any) -> None:
    """Print `document` as JSON on stdout (UTF-8, not escaped, keys in the given order).

    A lone surrogate (undecodable bytes in a command-line argument) is written as its
    `\\udcff` escape, so the output is always valid UTF-8 and valid JSON.
    """
    text = json.dumps(document, ensure_ascii=False, indent=2, default=str)
    text = UNDECODABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _one_line(message: str) -> str:
    """`message` on one printable line of at most `_MAX_MESSAGE` characters."""
    line = " ".join(message.split())
    line = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in line)
    return line if len(line) <= _MAX_MESSAGE else line[: _MAX_MESSAGE - 3] + "..."


def _print_error(message: str) -> None:
    _stderr().print(f"error: {_one_line(message)}", markup=False)


def fail(message: str, code: ExitCode) -> NoReturn:
    """Print `error: message` on one line to stderr and exit with `code`.

    Whitespace runs become one space, control characters their escapes, and the line is
    cut at 400 characters, whatever the message echoes of the input.
    """
    _print_error(message)
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


def _usage_message(exc: UsageError) -> str:
    message = exc.format_message().rstrip(".")
    ctx = exc.ctx
    if ctx is not None and ctx.command.get_help_option(ctx) is not None:
        message += f" (see '{ctx.command_path} {ctx.help_option_names[0]}')"
    return message


def _tolerate_undecodable_output() -> None:
    """Let stdout and stderr write what an argument holds, even undecodable bytes.

    Bytes of an argument that are not valid UTF-8 reach Python as lone surrogates; a
    strict stream (PYTHONIOENCODING=utf-8, or a UTF-8 locale) raises on them, and rich's
    console then keeps the bad text in its buffer. Such streams write the escape instead.
    """
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) == "strict" and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


class OneLineErrors(TyperGroup):
    """The top-level group: usage errors and unexpected exceptions as one `error:` line.

    Typer prints a usage error as a framed panel under the usage line, and an unexpected
    exception as a traceback. Here a usage error is `error: <what> (see '<command>
    --help')` with exit code 2, and any other exception `error: internal error: ...` with
    exit code 70 (set `CONNECTORS_DEBUG=1` to get the traceback instead). With
    `standalone_mode=False` (a caller embedding the command) nothing is changed.
    """

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """A subcommand, its help tidied (`connectors.cli.help`)."""
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            tidy(command, ctx)
        return command

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        self.rich_markup_mode = "markdown"
        tidy_params(params)
        return params

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        _tolerate_undecodable_output()
        try:
            outcome = super().main(
                args, prog_name, complete_var, False, windows_expand_args, **extra
            )
        except UsageError as exc:
            if type(exc).__name__ != "NoArgsIsHelpError":  # its help is already printed
                _print_error(_usage_message(exc))
            sys.exit(exc.exit_code)
        except ClickException as exc:
            _print_error(exc.format_message())
            sys.exit(exc.exit_code)
        except typer.Abort:
            _print_error("aborted")
            sys.exit(1)
        except Exception as exc:
            if os.environ.get(DEBUG_ENV, "") not in ("", "0"):
                raise
            _print_error(
                f"internal error: {type(exc).__name__}: {exc} (a bug in connectors; set "
                f"{DEBUG_ENV}=1 to see the traceback)"
            )
            sys.exit(int(ExitCode.INTERNAL))
        # Without standalone mode a command's return value, or an Exit's code, comes back.
        sys.exit(outcome if isinstance(outcome, int) else 0)
