"""`connectors doctor`: is each configured provider ready?

For every provider in the commune's file: its settings validate exactly as
`connectors.commune.load` validates them (secrets from the environment only), the files it
ships (WSDL, XML Schema) are present and parse safely, and a round trip against its bundled
simulator on 127.0.0.1 succeeds with the client `connectors.commune.build` would make from
those settings. No request goes to the real vendor.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from connectors.commune.config import CommuneFile, ProviderSection, sections
from connectors.commune.loading import SecretInFile, settings_for
from connectors.core.config import ProviderSettings
from connectors.core.errors import ConfigError, ConnectorError
from connectors.core.safexml import parse_xml

__all__ = ["Check", "CheckState", "ProviderSpec", "diagnose"]


class CheckState(enum.StrEnum):
    READY = "ready"
    MISSING = "missing"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    """One line of the doctor's table."""

    provider: str
    check: str
    state: CheckState
    detail: str = ""


@dataclass(frozen=True)
class ProviderSpec:
    """What the doctor needs to know about one provider.

    `settings` is its pydantic-settings class; `files` are (package, path) pairs it ships;
    `round_trip(settings)` starts its simulator on loopback, talks to it through the real
    adapter built from `settings` (base URL pointed at the simulator) and returns a short
    description of what it checked, raising a ConnectorError if anything failed.
    """

    domain: str
    name: str
    settings: type[ProviderSettings]
    round_trip: Callable[[Any], str]
    files: Sequence[tuple[str, str]] = field(default_factory=tuple)
    fidelity: str = ""


def _check_files(label: str, spec: ProviderSpec) -> Check:
    for package, path in spec.files:
        resource = resources.files(package).joinpath(path)
        if not resource.is_file():
            return Check(label, "shipped files", CheckState.MISSING, f"{package}/{path}")
        if path.endswith((".wsdl", ".xsd", ".xml")):
            parse_xml(resource.read_bytes(), what=path)
    detail = ", ".join(path.rsplit("/", 1)[-1] for _, path in spec.files) or "none needed"
    return Check(label, "shipped files", CheckState.READY, detail)


def _diagnose_one(section: ProviderSection, spec: ProviderSpec | None) -> list[Check]:
    label = f"{section.domain}.{section.name}"
    if spec is None:
        return [Check(label, "provider", CheckState.FAILED, f"unknown provider {section.where}")]
    try:
        settings = settings_for(section)
    except SecretInFile as exc:
        return [Check(label, "settings", CheckState.FAILED, str(exc))]
    except ConfigError as exc:
        return [Check(label, "settings", CheckState.MISSING, str(exc))]
    checks = [Check(label, "settings", CheckState.READY, spec.fidelity)]
    try:
        checks.append(_check_files(label, spec))
    except ConnectorError as exc:
        checks.append(Check(label, "shipped files", CheckState.FAILED, str(exc)))
    try:
        detail = spec.round_trip(settings)
    except ConnectorError as exc:
        checks.append(Check(label, "simulator round trip", CheckState.FAILED, str(exc)))
    else:
        checks.append(Check(label, "simulator round trip", CheckState.READY, detail))
    return checks


def diagnose(config: CommuneFile, specs: Sequence[ProviderSpec]) -> list[Check]:
    """Every check for every configured provider, in the file's order."""
    by_key = {(spec.domain, spec.name): spec for spec in specs}
    checks = [Check("commune", "identity", CheckState.READY, config.commune.name)]
    for section in sections(config):
        checks += _diagnose_one(section, by_key.get((section.domain, section.name)))
    return checks
