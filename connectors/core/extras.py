"""The distribution's name and its optional extras: what to install when a module is missing.

The import package is `connectors`; the distribution on the package index is
``vn-public-connectors`` (the name ``connectors`` belongs to an unrelated project there).
A feature that needs an optional dependency imports it through `require`, so a plain
install that lacks it fails with one message naming the extra to install:

    responses = require("responses", extra="test", feature="connectors.testing.mount")
"""

from __future__ import annotations

import importlib
from types import ModuleType

from connectors.core.errors import ConfigError

__all__ = ["DISTRIBUTION", "MissingExtra", "install_hint", "require"]

DISTRIBUTION = "vn-public-connectors"
"""The name to ``pip install`` (pyproject's ``[project] name``); the import name stays
``connectors``."""


class MissingExtra(ConfigError, ImportError):
    """An optional dependency is not installed; the message says which extra brings it.

    A `ConfigError` (the CLI reports it as a configuration error, exit code 4) and an
    `ImportError` (code that guards an optional import with ``except ImportError`` keeps
    working). `extra` is the extra's name, `module` the module that is missing.
    """

    def __init__(self, message: str, *, extra: str, module: str) -> None:
        super().__init__(message, field=extra)
        self.extra = extra
        self.module = module
        self.name = module  # ImportError's own field: the module that could not be imported


def install_hint(extra: str) -> str:
    """The command that installs `extra`, e.g. ``pip install 'vn-public-connectors[test]'``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"


def require(module: str, *, extra: str, feature: str) -> ModuleType:
    """Import `module`, or raise `MissingExtra` saying that `feature` needs `extra`."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        missing = exc.name or module
        raise MissingExtra(
            f"{feature} needs the {missing!r} package, which a plain install does not bring: "
            f"{install_hint(extra)}",
            extra=extra,
            module=missing,
        ) from None
