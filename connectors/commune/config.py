"""A commune's configuration file: one TOML file for settings, the environment for secrets.

```toml
[commune]
name = "UBND phường Mẫu"
tax_code = "0100109106"
address = "Số 1 Phố Thử, Hà Nội"  # printed on receipts
agency_code = "UBND-PHUONG-MAU"   # who answers citizens' feedback
outbox = "outbox.db"             # or "postgresql://portal@db.internal/portal" (no password)

[payments.vnpay]                 # one table per gateway the commune uses
tmn_code = "DEMO0001"
base_url = "https://sandbox.vnpayment.vn"
# hash_secret comes from CONNECTORS_VNPAY_HASH_SECRET

[einvoice]
provider = "viettel"             # switch vendors here
[einvoice.viettel]
base_url = "https://sinvoice.example.test"
username = "0100109106-509"
supplier_tax_code = "0100109106"

[sms]
providers = ["mobifone"]         # in failover order
[sms.mobifone]
base_url = "https://sms.example.test"
username = "ubnd-mau"
brandname = "UBNDPMAU"
[sms.templates.paid]             # the templates the brandname registered with the telcos
text = "Ho so {dossier} da thanh toan {amount} dong. Ma tra cuu bien lai: {code}"

[feedback]
provider = "ihanoi"
[feedback.ihanoi]
base_url = "https://ihanoi.example.test"
```

This module reads the file as it is written (`load_config` -> `CommuneFile`);
`connectors.commune.load` validates each provider's table into its settings, secrets from
the environment. Secrets never belong in the file: a table that sets a field its provider
declares secret is refused, naming the environment variable to use instead. The outbox is
an SQLite file (a relative path is read from the file's own folder) or a PostgreSQL URL
without a password (libpq reads it from ``PGPASSWORD`` or ``~/.pgpass``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.core.deprecation import moved
from connectors.core.errors import ConfigError
from connectors.core.postgres import is_postgres_dsn, mask_dsn
from connectors.vn.taxcode import TaxCode

__all__ = [
    "CommuneFile",
    "CommuneInfo",
    "ProviderSection",
    "TemplateTable",
    "load_config",
    "sections",
]

__getattr__ = moved(__name__, {"CommuneConfig": "connectors.commune.config:CommuneFile"})

DOMAINS = ("payments", "einvoice", "sms", "feedback")


class CommuneInfo(BaseModel):
    """The ``[commune]`` table: who collects the fees, and where the outbox is."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    tax_code: TaxCode
    address: str | None = Field(default=None, min_length=1, max_length=400)
    """The commune's address, printed on receipts (needed to issue them)."""
    agency_code: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,64}$")
    """The agency code that answers citizens' feedback (iHanoi)."""
    outbox: str = "outbox.db"
    """The outbox: an SQLite file, or a ``postgresql://`` URL (its password not here)."""

    @field_validator("outbox")
    @classmethod
    def _outbox(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must be a file path or a postgresql:// URL")
        if is_postgres_dsn(value) and mask_dsn(value) != value:
            raise ValueError(
                "a password does not belong in the file: set PGPASSWORD or use ~/.pgpass"
            )
        return value

    def outbox_target(self, base: Path) -> str:
        """The outbox as `connectors outbox --db` takes it: a URL, or the file's path with a
        relative one read from `base` (the configuration file's folder)."""
        if is_postgres_dsn(self.outbox):
            return self.outbox
        path = Path(self.outbox).expanduser()
        return str(path if path.is_absolute() else base / path)


class _Choice(BaseModel):
    """A domain where the commune picks one provider (e-invoice, feedback)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    provider: str


class TemplateTable(BaseModel):
    """One ``[sms.templates.<id>]`` table: a template the brandname registered.

    `brandname` defaults to every brandname the SMS providers' tables name; `vendor_ids`
    are the ids providers gave it (VNPT's TEMPLATEID: ``{ vnpt = "40021" }``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1)
    brandname: str | None = None
    accented: bool = False
    vendor_ids: dict[str, str] = Field(default_factory=dict)


class _Ordered(BaseModel):
    """A domain where the commune lists providers in order (SMS failover)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    providers: list[str] = Field(min_length=1)
    templates: dict[str, TemplateTable] = Field(default_factory=dict)


class CommuneFile(BaseModel):
    """The configuration file as written (each provider's table not validated yet)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commune: CommuneInfo
    payments: dict[str, dict[str, Any]] = Field(default_factory=dict)
    einvoice: _Choice | None = None
    sms: _Ordered | None = None
    feedback: _Choice | None = None


@dataclass(frozen=True)
class ProviderSection:
    """One configured provider: its domain, its name and the values from its table."""

    domain: str
    name: str
    values: dict[str, Any]

    @property
    def where(self) -> str:
        return f"[{self.domain}.{self.name}]"


def _tables(chosen: BaseModel | None, names: list[str], domain: str) -> list[ProviderSection]:
    extra = dict(chosen.model_extra or {}) if chosen is not None else {}
    sections = []
    for name in names:
        values = extra.get(name, {})
        if not isinstance(values, dict):
            raise ConfigError(f"[{domain}.{name}] must be a table", field=f"{domain}.{name}")
        sections.append(ProviderSection(domain, name, dict(values)))
    return sections


def sections(config: CommuneFile) -> list[ProviderSection]:
    """Every provider the commune configured, in file order within each domain."""
    found = [ProviderSection("payments", name, dict(v)) for name, v in config.payments.items()]
    if config.einvoice is not None:
        found += _tables(config.einvoice, [config.einvoice.provider], "einvoice")
    if config.sms is not None:
        found += _tables(config.sms, config.sms.providers, "sms")
    if config.feedback is not None:
        found += _tables(config.feedback, [config.feedback.provider], "feedback")
    return found


def load_config(path: str | Path) -> CommuneFile:
    """Read the TOML file and check its shape (not the providers' settings: see
    `connectors.commune.load`); ConfigError naming the field on any problem."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no configuration file at {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    try:
        return CommuneFile.model_validate(document)
    except pydantic.ValidationError as exc:
        problems = []
        for err in exc.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in err["loc"])
            problems.append(f"{where}: {err['msg']}")
        first = ".".join(str(part) for part in exc.errors()[0]["loc"])
        raise ConfigError(f"{path}: " + "; ".join(problems), field=first) from None
