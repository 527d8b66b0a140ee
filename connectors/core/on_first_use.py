"""A class attribute, or a module's names, imported only when first used.

A provider's settings class needs pydantic-settings; its client should not pay for that
until a client is made. The client names its settings class by where it lives:

    class VnpayGateway(GatewayClient[VnpayGatewaySettings, WireProfile]):
        if TYPE_CHECKING:
            settings_class = VnpayGatewaySettings
        else:
            settings_class = OnFirstUse("connectors.banks.vnpay.settings:VnpayGatewaySettings")

`VnpayGateway.settings_class` (and `self.settings_class`) is then the real class, imported
on the first look. `first_of` joins several module `__getattr__`s (lazy names, then moved
ones) into one.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["OnFirstUse", "first_of"]


class OnFirstUse:
    """A class attribute read from `"module:name"` when first looked up, then remembered."""

    __slots__ = ("_target", "_value")

    def __init__(self, target: str) -> None:
        self._target = target
        self._value: Any = None

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if self._value is None:
            module, _, name = self._target.partition(":")
            self._value = getattr(importlib.import_module(module), name)
        return self._value


def first_of(*lookups: Callable[[str], Any]) -> Callable[[str], Any]:
    """A module `__getattr__` asking each of `lookups` in turn; the last one's
    `AttributeError` if none has the name."""

    def __getattr__(name: str) -> Any:
        for lookup in lookups[:-1]:
            try:
                return lookup(name)
            except AttributeError:
                continue
        return lookups[-1](name)

    return __getattr__
