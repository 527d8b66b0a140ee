"""The four SMS providers by name, built from their settings (for the CLI and config files).

    sender = sender_from_env("viettel", templates)     # CONNECTORS_VIETTEL_... variables

Derived from `connectors.providers`; a provider's package is imported only when asked for.
Provider packages never import this module (or each other).
"""

from __future__ import annotations

from typing import Any

from connectors.core.config import ProviderSettings, load_settings
from connectors.providers import Provider, by_domain, provider
from connectors.sms.sender import SmsClient
from connectors.sms.templates import TemplateRegistry

__all__ = ["PROVIDERS", "sender_from_env", "settings_class"]

PROVIDERS: dict[str, Provider] = {p.name: p for p in by_domain("sms")}
"""Provider name -> its record (client and settings classes, simulator, fidelity)."""


def settings_class(name: str) -> type[ProviderSettings]:
    """The settings class of provider `name`; `ConfigError` for an unknown name."""
    cls: type[ProviderSettings] = provider("sms", name).settings_class()
    return cls


def sender_from_env(
    name: str, templates: TemplateRegistry, /, **values: Any
) -> SmsClient[Any, Any]:
    """Provider `name`'s client, its settings read from `CONNECTORS_<NAME>_...` variables.

    `values` override the environment (e.g. `base_url=` a simulator). Raises `ConfigError`
    naming every missing or invalid setting and its variable.
    """
    settings = load_settings(settings_class(name), **values)
    sender: SmsClient[Any, Any] = (
        provider("sms", name).client_class().from_settings(settings, templates)
    )
    return sender
