"""Help pages that read like a manual: a word per option value, no type labels, text rewrapped.

Typer labels every value with its Python type (``--bank <str>``, ``--json <bool>``,
``providers... <list[str]>``) and keeps the line breaks of a docstring, so a paragraph wraps
twice on a narrow terminal. `tidy` (applied by the top-level group to every command it
hands out) gives each option a metavar (its own if declared, else its name in capitals),
none to flags, drops the type label of arguments, and renders help text as Markdown, whose
paragraphs are rewrapped to the terminal.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperOption

__all__ = ["tidy", "tidy_params"]

_MARKUP = "markdown"


def _no_type_label(ctx: Any) -> None:
    return None


def tidy_params(params: list[Any]) -> None:
    """Metavars for options, none for flags, no type label for arguments."""
    for param in params:
        if isinstance(param, TyperOption):
            if param.is_flag:
                param.metavar = ""
            elif param.metavar is None and param.name:
                param.metavar = param.name.upper()
        elif isinstance(param, TyperArgument):
            setattr(param, "display_type_rich", _no_type_label)  # noqa: B010 - this one only


def tidy(command: Any, ctx: Any) -> None:
    """Tidy `command`'s help, and its subcommands' if it is a group (idempotent)."""
    if getattr(command, "_connectors_tidy", False):
        return
    command._connectors_tidy = True
    if hasattr(command, "rich_markup_mode"):
        command.rich_markup_mode = _MARKUP
    tidy_params(command.get_params(ctx))
    for sub in getattr(command, "commands", {}).values():
        tidy(sub, ctx)
