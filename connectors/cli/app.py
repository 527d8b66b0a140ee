"""The `connectors` command line (typer + rich). Exit codes: see `connectors.cli.output`.

Every error, a usage error included, is one line on stderr (`OneLineErrors`); no garbage
on the command line or in a file it names ends in a traceback.

A subcommand's module is imported only when that subcommand runs (or when `--help` lists
them all): `connectors --version` loads typer and nothing of the commands, rich included.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

import typer

from connectors import __version__
from connectors.cli.output import OneLineErrors

if TYPE_CHECKING:
    from typer._click import Command

__all__ = ["COMMANDS", "app"]

COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("connectors.cli.demo", "demo"),
    "doctor": ("connectors.cli.doctor", "doctor"),
    "report": ("connectors.cli.report", "report"),
    "simulate": ("connectors.cli.simulate", "simulate"),
    "phone": ("connectors.cli.vn", "register"),
    "words": ("connectors.cli.vn", "register"),
    "sms": ("connectors.cli.vn", "register"),
    "outbox": ("connectors.cli.outbox", "outbox_app"),
    "vietqr": ("connectors.cli.vietqr", "vietqr_app"),
    "invoice": ("connectors.cli.invoice", "invoice_app"),
}
"""Each subcommand, in the order `--help` lists them: its module and what it holds there
(a command function, a typer app, or `register`, which adds its commands to an app)."""


def _load(name: str) -> Command:
    """The click command `name`, its module imported now."""
    module, attribute = COMMANDS[name]
    found: Any = getattr(importlib.import_module(module), attribute)
    holder = typer.Typer()
    if isinstance(found, typer.Typer):
        holder.add_typer(found, name=name)
    elif attribute == "register":
        found(holder)
    else:
        holder.command(name=name)(found)
    command: Command = typer.main.get_group(holder).commands[name]
    return command


class _OnDemand(MutableMapping[str, "Command"]):
    """A group's commands: those of `COMMANDS` are loaded when first looked up.

    Iterating gives every name without loading anything; looking a name up (`get`,
    `[name]`, the values and items) loads its module.
    """

    def __init__(self, given: Mapping[str, Command]) -> None:
        self._loaded = dict(given)

    def __getitem__(self, name: str) -> Command:
        if name not in self._loaded:
            if name not in COMMANDS:
                raise KeyError(name)
            self._loaded[name] = _load(name)
        return self._loaded[name]

    def __setitem__(self, name: str, command: Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in COMMANDS

    def __iter__(self) -> Iterator[str]:
        return iter([*self._loaded, *(name for name in COMMANDS if name not in self._loaded)])

    def __len__(self) -> int:
        return len(self._loaded) + sum(name not in self._loaded for name in COMMANDS)


class _Commands(OneLineErrors):
    """The top-level group, its subcommands found in `COMMANDS` when asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _OnDemand(self.commands)


app = typer.Typer(
    name="connectors",
    help="Connect Vietnamese public-service portals to payment, e-invoice, SMS and iHanoi.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_Commands,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"connectors {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Typed adapters and simulators for Vietnamese public-service integrations."""
