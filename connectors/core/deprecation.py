"""Old public names kept for one release, warning when used.

A module that renamed or moved a public name keeps the old one working through a module
`__getattr__`:

    from connectors.core.deprecation import moved

    __getattr__ = moved(__name__, {"VNPay": "connectors.banks.vnpay:VnpayGateway"})

`import connectors.banks.vnpay; connectors.banks.vnpay.VNPay` (or `from ... import VNPay`)
then returns the new object and emits a `DeprecationWarning` naming the replacement. The new
home is imported only when the old name is asked for.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["REMOVED_IN", "deprecated_names", "moved", "warn_deprecated"]

REMOVED_IN = "0.3"
"""The release that drops the deprecated names."""

_MOVED: dict[str, dict[str, str]] = {}


def deprecated_names() -> dict[str, dict[str, str]]:
    """Every old name kept by `moved` in the modules imported so far: module -> {old name:
    its new "module:attr"} (the changelog lists them; a test checks it does)."""
    return {module: dict(names) for module, names in _MOVED.items()}


def warn_deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that `old` is deprecated in favour of `new`."""
    warnings.warn(
        f"{old} is deprecated; use {new} (connectors {REMOVED_IN} removes it)",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def _resolve(target: str) -> Any:
    module, _, attr = target.partition(":")
    value: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        value = getattr(value, part)
    return value


def moved(module: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` serving each old name in `names` from its new `"module:attr"`.

    Any other missing name raises `AttributeError` as usual.
    """
    table = dict(names)
    _MOVED[module] = table

    def __getattr__(name: str) -> Any:
        target = table.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        new_module, _, attr = target.partition(":")
        warn_deprecated(f"{module}.{name}", f"{new_module}.{attr}" if attr else new_module)
        return _resolve(target)

    return __getattr__
