"""`load(path)`: the commune's configuration, every provider's settings validated.

    config = load("connectors.toml")          # the TOML file + CONNECTORS_* variables
    config.einvoice.settings                  # e.g. a ViettelInvoiceSettings
    adapters = build(config)                  # connectors.commune.build: ready clients

Each provider's table is validated into that provider's settings class (found through
`connectors.providers`): values from the file, secrets from the environment only, under the
variable the settings class names (``CONNECTORS_VNPAY_HASH_SECRET``). A secret written in
the file is a `ConfigError` naming the variable to use instead; a missing or invalid value
is a `ConfigError` naming the field and its variable, never the value. A field other than
a secret may come from the environment too; the file's value wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_settings import EnvSettingsSource

from connectors.commune.config import CommuneFile, CommuneInfo, ProviderSection, load_config
from connectors.commune.config import sections as file_sections
from connectors.core.config import ProviderSettings, settings_from
from connectors.core.errors import ConfigError, ValidationError
from connectors.einvoice import Seller
from connectors.providers import Provider, provider
from connectors.sms import Template

__all__ = [
    "CommuneConfig",
    "ProviderConfig",
    "SecretInFile",
    "environment_variable",
    "load",
    "settings_for",
]


class SecretInFile(ConfigError):
    """A provider's table sets a secret: it belongs in the environment variable named."""


@dataclass(frozen=True)
class ProviderConfig:
    """One configured provider: its record in `connectors.providers` and its settings."""

    provider: Provider
    settings: ProviderSettings

    @property
    def section(self) -> str:
        """The configuration's table: ``payments``, ``einvoice``, ``sms`` or ``feedback``."""
        return self.provider.section

    @property
    def name(self) -> str:
        """The provider's name (``vnpay``, ``viettel``...)."""
        return self.provider.name


def environment_variable(cls: type[ProviderSettings], field: str) -> str:
    """The environment variable that fills `field` of `cls` (``CONNECTORS_VNPAY_HASH_SECRET``)."""
    return str(cls.model_config.get("env_prefix", "")) + field.upper()


def _from_environment(
    cls: type[ProviderSettings], environ: Mapping[str, str] | None
) -> dict[str, Any]:
    """The values `cls` reads from `environ` (default: the process environment), parsed as
    pydantic-settings parses them (JSON for lists and tables, ``HTTP__READ_TIMEOUT``...)."""
    source = EnvSettingsSource(cls)
    if environ is not None:
        sensitive = bool(cls.model_config.get("case_sensitive", False))
        source.env_vars = {(k if sensitive else k.lower()): v for k, v in environ.items()}
    return dict(source())


def _merged(environment: Mapping[str, Any], file: Mapping[str, Any]) -> dict[str, Any]:
    """The environment's values overridden by the file's (tables merged key by key)."""
    merged = dict(environment)
    for name, value in file.items():
        below = merged.get(name)
        both_tables = isinstance(below, Mapping) and isinstance(value, Mapping)
        merged[name] = {**below, **value} if both_tables else value  # type: ignore[dict-item]
    return merged


def settings_for(
    section: ProviderSection, environ: Mapping[str, str] | None = None
) -> ProviderSettings:
    """The settings of one configured provider: its table's values, secrets from `environ`
    (default: the process environment).

    `ConfigError` (field ``"<section>.<name>[.<field>]"``) for an unknown provider or a
    missing or invalid value (naming its variable); `SecretInFile`, a `ConfigError`, for a
    secret written in the file (naming the variable to use).
    """
    where = f"{section.domain}.{section.name}"
    try:
        entry = provider(section.domain, section.name)
    except ConfigError as exc:
        raise ConfigError(f"[{where}]: {exc.message}", field=where) from None
    cls: type[ProviderSettings] = entry.settings_class()
    in_file = sorted(set(section.values) & set(cls.secret_field_names()))
    if in_file:
        moves = ", ".join(f"{name} -> {environment_variable(cls, name)}" for name in in_file)
        raise SecretInFile(
            f"[{where}]: secrets do not belong in the file; move them to the environment: " + moves,
            field=f"{where}.{in_file[0]}",
        )
    values = _merged(_from_environment(cls, environ), section.values)
    try:
        return settings_from(cls, values)
    except ConfigError as exc:
        field = f"{where}.{exc.field}" if exc.field else where
        raise ConfigError(f"[{where}] {exc.message}", field=field) from None


@dataclass(frozen=True)
class CommuneConfig:
    """The commune's configuration, validated: who it is, and each configured provider.

    `payments` are the gateways and bank feeds in file order; `sms` the SMS providers in
    failover order, with the `templates` their brandnames registered; `einvoice` and
    `feedback` the chosen provider, or None. `folder` is the configuration file's folder
    (a relative outbox path is read from it).
    """

    commune: CommuneInfo
    payments: tuple[ProviderConfig, ...] = ()
    einvoice: ProviderConfig | None = None
    sms: tuple[ProviderConfig, ...] = ()
    templates: tuple[Template, ...] = ()
    feedback: ProviderConfig | None = None
    folder: Path = Path()

    @property
    def outbox(self) -> str:
        """The outbox: an SQLite file's path, or a ``postgresql://`` URL."""
        return self.commune.outbox_target(self.folder)

    @property
    def seller(self) -> Seller:
        """The commune as the seller on its receipts; `ConfigError` without an address."""
        if self.commune.address is None:
            raise ConfigError(
                "[commune] address is needed to issue receipts", field="commune.address"
            )
        return Seller(
            name=self.commune.name, tax_code=self.commune.tax_code, address=self.commune.address
        )

    def providers(self) -> tuple[ProviderConfig, ...]:
        """Every configured provider, domain by domain, in file order."""
        chosen = (self.einvoice, *self.sms, self.feedback)
        return (*self.payments, *(entry for entry in chosen if entry is not None))

    def settings(self, section: str, name: str) -> ProviderSettings:
        """The settings of provider `name` in `section`; `ConfigError` if not configured."""
        for entry in self.providers():
            if (entry.section, entry.name) == (section, name):
                return entry.settings
        raise ConfigError(f"[{section}.{name}] is not configured", field=f"{section}.{name}")


def _templates(file: CommuneFile, sms: tuple[ProviderConfig, ...]) -> tuple[Template, ...]:
    if file.sms is None:
        return ()
    named = [getattr(entry.settings, "brandname", None) for entry in sms]
    brandnames = sorted({name for name in named if isinstance(name, str)})
    found = []
    for template_id, table in file.sms.templates.items():
        where = f"sms.templates.{template_id}"
        owners = [table.brandname] if table.brandname else brandnames
        if not owners:
            raise ConfigError(
                f"[{where}] needs a brandname (here, or in an SMS provider's table)",
                field=f"{where}.brandname",
            )
        for brandname in owners:
            try:
                found.append(
                    Template(template_id, table.text, brandname, table.accented, table.vendor_ids)
                )
            except ValidationError as exc:
                raise ConfigError(
                    f"[{where}] {exc.message}", field=f"{where}.{exc.field}"
                ) from None
    return tuple(found)


def load(path: str | Path, *, environ: Mapping[str, str] | None = None) -> CommuneConfig:
    """The configuration in the TOML file at `path`, secrets from `environ` (default: the
    process environment); `ConfigError` naming the field (and its variable) on any problem.

    Switching vendors is an edit of this file only: the portal's code builds its adapters
    with `connectors.commune.build` and never names a vendor.
    """
    path = Path(path)
    try:
        file = load_config(path)
    except OSError as exc:  # unreadable: permission, I/O error
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    by_domain: dict[str, list[ProviderConfig]] = {}
    for section in file_sections(file):
        settings = settings_for(section, environ)
        entry = ProviderConfig(provider(section.domain, section.name), settings)
        by_domain.setdefault(section.domain, []).append(entry)
    sms = tuple(by_domain.get("sms", ()))
    return CommuneConfig(
        commune=file.commune,
        payments=tuple(by_domain.get("payments", ())),
        einvoice=next(iter(by_domain.get("einvoice", ())), None),
        sms=sms,
        templates=_templates(file, sms),
        feedback=next(iter(by_domain.get("feedback", ())), None),
        folder=path.parent,
    )
