"""The provider records every registry is derived from: each one resolves and is coherent."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from connectors.core import ConfigError, ProviderSettings
from connectors.core.client import ProviderClient
from connectors.providers import PROVIDERS, Fidelity, Provider, by_domain, provider
from connectors.simulators import CATALOG, make
from connectors.testing import Simulator

IDS = [f"{p.section}-{p.name}" for p in PROVIDERS]


@pytest.mark.parametrize("entry", PROVIDERS, ids=IDS)
def test_each_record_resolves_to_its_classes(entry: Provider) -> None:
    assert issubclass(entry.settings_class(), ProviderSettings)
    client = entry.client_class()
    assert callable(getattr(client, "from_settings", None) or getattr(client, "from_env", None))
    simulator = entry.make_simulator()
    assert isinstance(simulator, Simulator)
    assert isinstance(entry.fidelity, Fidelity)
    for package, path in entry.files:
        assert resources.files(package).joinpath(path).is_file()


@pytest.mark.parametrize("entry", PROVIDERS, ids=IDS)
def test_each_settings_class_has_its_credentials_fields(entry: Provider) -> None:
    """The simulator's credentials are the provider's own settings fields (the doctor starts
    a simulator from a commune's settings), apart from the SMS brandname's templates."""
    fields = set(entry.settings_class().model_fields)
    named_otherwise = {"labels", "open311_api_key", "hmac_secret"}  # SePay: webhook_hmac_secret
    assert set() == set(entry.credentials) - fields - named_otherwise


def test_names_are_unique_where_they_must_be() -> None:
    assert len(PROVIDERS) == len(CATALOG)
    pairs = [(p.section, p.name) for p in PROVIDERS]
    assert len(pairs) == len(set(pairs))
    assert ["vnpay", "momo", "payos", "sepay"] == [p.name for p in by_domain("payments")]


def test_an_unknown_provider_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="known: vnpt, viettel, misa, bkav") as raised:
        provider("einvoice", "fpt")
    assert "provider" == raised.value.field
    with pytest.raises(KeyError, match="no simulator named 'nope'"):
        make("nope")


def test_credentials_given_to_a_simulator_override_its_defaults() -> None:
    sim = make("vnpay", tmn_code="OTHER001")
    assert "OTHER001" == sim.tmn_code  # type: ignore[attr-defined]


ROLES = {"banks": ("Gateway", "Transactions"), "einvoice": ("Invoice",), "sms": ("Sms",)}


@pytest.mark.parametrize("entry", PROVIDERS, ids=IDS)
def test_every_provider_has_one_shape(entry: Provider) -> None:
    """One naming scheme and one construction convention across the four domains:
    `<Vendor><Role>` on `ProviderClient`, `<Client>Settings`, `<Client>Simulator`, `.name`,
    keywords plus `from_settings` and `from_env`, simulators on the testing side."""
    client = entry.client_class()
    assert issubclass(client, ProviderClient)
    assert entry.name == client.name
    assert entry.settings_class() is client.settings_class
    assert client.settings_class.__name__ == f"{client.__name__}Settings"
    assert entry.simulator_class().__name__ == f"{client.__name__}Simulator"
    assert re.match(rf"connectors\.testing\.simulators\.{entry.domain}[.:]", entry.simulator)
    assert client.__name__.endswith(ROLES.get(entry.domain, ("Feedback",)))
    assert re.fullmatch(r"[A-Z][a-z0-9]+[A-Z][A-Za-z]+", client.__name__)
    assert client.from_env.__func__ is ProviderClient.from_env.__func__  # type: ignore[attr-defined]
    assert "from_settings" not in vars(client)  # the domain base's, not the vendor's own
