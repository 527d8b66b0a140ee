"""Every bundled simulator by name, with the fake credentials it accepts.

`connectors simulate` serves these on 127.0.0.1 for a portal developer's own tests; the
credentials printed beside each URL are the simulator's defaults and are not secrets. The
catalogue is derived from `connectors.providers` (one record per provider).
"""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from connectors.providers import PROVIDERS, SMS_BRANDNAME, SMS_TEMPLATE, Provider

__all__ = ["CATALOG", "SMS_BRANDNAME", "SMS_TEMPLATE", "make", "make_for_settings"]

CATALOG: dict[str, Provider] = {p.simulator_name: p for p in PROVIDERS}
"""Simulator name (`vnpay`, `vnpt-invoice`, `vnpt-sms`...) -> its provider's record."""


def make(name: str, **credentials: Any) -> Any:
    """A fresh simulator by catalogue name, accepting its default credentials or the ones
    given; KeyError naming the known simulators for an unknown name."""
    try:
        entry = CATALOG[name]
    except KeyError:
        known = ", ".join(sorted(CATALOG))
        raise KeyError(f"no simulator named {name!r}; known: {known}") from None
    return entry.make_simulator(**credentials)


def make_for_settings(name: str, settings: object) -> Any:
    """The simulator `name`, accepting the credentials a provider's settings hold (secrets
    revealed in process only); settings fields it does not have keep their defaults."""
    found: dict[str, Any] = {}
    for key in CATALOG[name].credentials:
        value = getattr(settings, key, None)
        if value is not None:
            found[key] = value.get_secret_value() if isinstance(value, SecretStr) else value
    return make(name, **found)
