"""The four SMS providers by name, built from their settings (for the CLI and config files).

    sender = sender_from_env("viettel", templates)     # CONNECTORS_VIETTEL_... variables

Provider packages never import this module (or each other).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.core.config import ProviderSettings, load_settings
from connectors.core.errors import ConfigError
from connectors.sms.esms import EsmsSettings, EsmsSms
from connectors.sms.mobifone import MobifoneSettings, MobifoneSms
from connectors.sms.sender import SmsClient
from connectors.sms.templates import TemplateRegistry
from connectors.sms.viettel import ViettelSettings, ViettelSms
from connectors.sms.vnpt import VnptSettings, VnptSms

__all__ = ["PROVIDERS", "sender_from_env", "settings_class"]

PROVIDERS: dict[str, tuple[type[ProviderSettings], Callable[..., SmsClient]]] = {
    "mobifone": (MobifoneSettings, MobifoneSms.from_settings),
    "viettel": (ViettelSettings, ViettelSms.from_settings),
    "vnpt": (VnptSettings, VnptSms.from_settings),
    "esms": (EsmsSettings, EsmsSms.from_settings),
}
"""Provider name -> (settings class, builder taking the settings and a registry)."""


def settings_class(name: str) -> type[ProviderSettings]:
    """The settings class of provider `name`; `ConfigError` for an unknown name."""
    if name not in PROVIDERS:
        raise ConfigError(
            f"unknown SMS provider {name!r}; known: {', '.join(PROVIDERS)}", field="provider"
        )
    return PROVIDERS[name][0]


def sender_from_env(name: str, templates: TemplateRegistry, /, **values: Any) -> SmsClient:
    """Provider `name`'s client, its settings read from `CONNECTORS_<NAME>_...` variables.

    `values` override the environment (e.g. `base_url=` a simulator). Raises `ConfigError`
    naming every missing or invalid setting and its variable.
    """
    settings = load_settings(settings_class(name), **values)
    return PROVIDERS[name][1](settings, templates)
