"""A commune configured against the bundled simulators: served on 127.0.0.1, a
`connectors.toml` naming them, and the secrets as an environment (for `load(environ=)` or
`monkeypatch.setenv`). Providers and their simulators are found through
`connectors.providers`, never by class name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors.commune import environment_variable
from connectors.providers import SMS_BRANDNAME, SMS_TEMPLATE, Provider, provider
from connectors.testing import serve

COMMUNE = """[commune]
name = "UBND phường Mẫu (thử)"
tax_code = "0100109106"
address = "Số 1 Phố Thử, Hà Nội"
agency_code = "UBND-PHUONG-MAU"
outbox = "outbox.db"
"""
FAST = {"connect_timeout": 1.0, "read_timeout": 1.0, "deadline": 10.0, "max_attempts": 3}
MORE = {
    "sms.vnpt": {"username": "portal-user", "contract_id": "HD-1"},
    "einvoice.bkav": {"tax_code": "0100109106"},
}
"""Settings a provider needs beyond the credentials its simulator checks."""
FIELDS = {"payments.sepay": {"hmac_secret": "webhook_hmac_secret"}}
"""A credential the simulator takes under another name than the settings field."""


def toml_value(value: Any) -> str:
    """`value` written as TOML (strings, numbers, booleans, lists and inline tables)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(toml_value(item) for item in value) + "]"


@dataclass
class Commune:
    """The served simulators ("einvoice.viettel" -> simulator) and the configuration."""

    folder: Path
    simulators: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    environ: dict[str, str] = field(default_factory=dict)

    def simulator(self, section: str, name: str) -> Any:
        return self.simulators[f"{section}.{name}"]

    def write(self, *, einvoice: str | None, sms: Iterable[str], extra: str = "") -> Path:
        """`connectors.toml` choosing `einvoice` and the `sms` providers in that order;
        every served payments and feedback provider is configured."""
        lines = [COMMUNE]
        for key in self.tables:
            if key.startswith("payments."):
                lines += self._table(key)
        if einvoice is not None:
            lines += [f'[einvoice]\nprovider = "{einvoice}"', *self._table(f"einvoice.{einvoice}")]
        order = list(sms)
        if order:
            lines.append(f"[sms]\nproviders = {toml_value(order)}")
            for name in order:
                lines += self._table(f"sms.{name}")
            lines.append(f"[sms.templates.paid]\ntext = {toml_value(SMS_TEMPLATE)}")
            lines.append('vendor_ids = { vnpt = "40021" }')
        if "feedback.ihanoi" in self.tables:
            lines += ['[feedback]\nprovider = "ihanoi"', *self._table("feedback.ihanoi")]
        path = self.folder / "connectors.toml"
        path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        return path

    def _table(self, key: str) -> list[str]:
        values = self.tables[key]
        return [f"[{key}]", *(f"{k} = {toml_value(v)}" for k, v in values.items())]


def _configure(commune: Commune, entry: Provider, base_url: str) -> None:
    """The provider's table (settings but secrets) and its secrets' variables."""
    settings = entry.settings_class()
    secret = set(settings.secret_field_names())
    key = f"{entry.section}.{entry.name}"
    table: dict[str, Any] = {"base_url": base_url + entry.simulator_path, "http": FAST}
    table.update(MORE.get(key, {}))
    credentials = {**entry.credentials, "brandname": SMS_BRANDNAME}
    for name, value in credentials.items():
        name = FIELDS.get(key, {}).get(name, name)
        if name not in settings.model_fields:
            continue
        if name in secret:
            commune.environ[environment_variable(settings, name)] = str(value)
        else:
            table[name] = value
    commune.tables[key] = table


def serve_commune(stack: ExitStack, folder: Path, providers: Iterable[tuple[str, str]]) -> Commune:
    """Serve the simulator of each (section, name) with its default fake credentials;
    everything stops when `stack` closes."""
    commune = Commune(folder)
    for section, name in providers:
        entry = provider(section, name)
        sim = entry.make_simulator()
        commune.simulators[f"{section}.{name}"] = sim
        _configure(commune, entry, stack.enter_context(serve(sim)))
    return commune
