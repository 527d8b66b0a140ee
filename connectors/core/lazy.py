"""Public names of a package imported only when first used.

A package's `__init__` lists where each name lives; nothing is imported until a name is
asked for, so `import connectors.core.transport` does not pay for SOAP, X.509 or settings:

    __getattr__, __dir__ = exports(__name__, {"connectors.core.soap": ("SoapClient",)})

The name is then cached in the package, so the look-up happens once. Type checkers read
the same names from an `if TYPE_CHECKING:` block of ordinary imports.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["exports"]


def exports(
    package: str, homes: Mapping[str, Iterable[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module `__getattr__` and `__dir__` serving each name of `homes` from its module."""
    where = {name: module for module, names in homes.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *where})

    return __getattr__, __dir__
