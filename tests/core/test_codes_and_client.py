"""The shared mechanisms every provider is built on: error-code tables, the client base,
settings from keywords only, and deprecated names."""

from __future__ import annotations

import dataclasses
import enum
import warnings
from typing import ClassVar

import pytest
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core import (
    AuthError,
    ConfigError,
    ProviderError,
    ProviderUnavailable,
    Rejected,
    Transport,
)
from connectors.core.client import ProviderClient
from connectors.core.codes import CodeTable, vendor_code_map
from connectors.core.config import ProviderSettings, settings_from
from connectors.core.deprecation import moved


class Code(enum.StrEnum):
    AUTH = "auth"
    BUSY = "busy"
    BAD = "bad"
    ODD = "odd"


TABLE = CodeTable(
    {Code.AUTH: AuthError, Code.BUSY: ProviderUnavailable},
    default=Rejected,
)


def test_a_code_table_builds_the_class_of_each_code_with_the_vendors_answer() -> None:
    error = TABLE.error(Code.AUTH, "no", provider="p", vendor_code="01", vendor_message="x")
    assert isinstance(error, AuthError)
    assert ("auth", "01", "x", "p", False) == (
        error.code,
        error.vendor_code,
        error.vendor_message,
        error.provider,
        error.retryable,
    )
    assert isinstance(TABLE.error(Code.BAD, "no"), Rejected)
    assert TABLE.error(Code.BUSY, "later").retryable is True  # the class's own default


def test_a_code_table_may_list_its_retryable_codes() -> None:
    table = CodeTable({Code.BUSY: ProviderUnavailable}, retryable={Code.ODD})
    assert type(table.error(Code.ODD, "x")) is ProviderError
    assert [False, True] == [table.is_retryable(Code.BUSY), table.is_retryable(Code.ODD)]


def test_vendor_codes_map_as_stripped_strings() -> None:
    table = {"13": Code.AUTH, "99": Code.BUSY}
    assert Code.AUTH == vendor_code_map(table, 13, default=Code.ODD)
    assert Code.BUSY == vendor_code_map(table, " 99 ", default=Code.ODD)
    assert Code.ODD == vendor_code_map(table, None, default=Code.ODD)
    assert Code.ODD == vendor_code_map(table, "14", default=Code.ODD)


class DemoSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="CONNECTORS_DEMOVENDOR_")

    user: str
    secret: SecretStr


class DemoClient(ProviderClient[DemoSettings]):
    name: ClassVar[str] = "demovendor"
    settings_class = DemoSettings
    secret_wire_fields = ("Pwd",)


def test_keywords_are_the_settings_fields_and_never_read_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONNECTORS_DEMOVENDOR_USER", "from-env")
    client = DemoClient(base_url="https://vendor.test/", user="u1", secret="s3cret-value")
    assert ("u1", "https://vendor.test") == (client.settings.user, client.settings.base_url)
    with pytest.raises(ConfigError) as raised:
        DemoClient(base_url="https://vendor.test", secret="s3cret-value")
    assert "user" == raised.value.field
    assert "CONNECTORS_DEMOVENDOR_USER" in raised.value.message
    assert "s3cret-value" not in str(raised.value)


def test_from_env_reads_the_environment_and_splits_options_from_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONNECTORS_DEMOVENDOR_USER", "from-env")
    monkeypatch.setenv("CONNECTORS_DEMOVENDOR_SECRET", "env-secret-1234")
    given = Transport("given")
    client = DemoClient.from_env(base_url="https://sim.test", transport=given)
    assert ("from-env", "https://sim.test") == (client.settings.user, client.settings.base_url)
    assert client.transport is given
    assert "env-secret-1234" not in given.redactor.text("x env-secret-1234 Pwd=abc")
    assert "abc" not in given.redactor.text("Pwd=abc")


def test_settings_or_fields_not_both_and_of_the_right_class() -> None:
    settings = settings_from(
        DemoSettings, {"base_url": "https://v.test", "user": "u", "secret": "abcd1234"}
    )
    assert DemoClient.from_settings(settings).settings is settings
    with pytest.raises(ConfigError, match="not both"):
        DemoClient(settings, user="x")
    with pytest.raises(ConfigError, match="needs DemoSettings"):
        DemoClient(ProviderSettings(base_url="https://v.test"))  # type: ignore[arg-type]
    with DemoClient(settings) as client:
        assert "DemoClient(name='demovendor', base_url='https://v.test')" == repr(client)


def test_moved_names_warn_and_resolve_lazily() -> None:
    getter = moved("old.place", {"Old": "connectors.core.codes:CodeTable"})
    with pytest.warns(DeprecationWarning, match=r"old\.place\.Old is deprecated; use "):
        assert CodeTable is getter("Old")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="Other"):
            getter("Other")


def test_a_client_declaring_its_vendor_takes_its_name_and_secret_fields() -> None:
    @dataclasses.dataclass(frozen=True)
    class Facts:
        name: str
        secret_fields: tuple[str, ...]

    class VendorClient(ProviderClient[DemoSettings]):
        vendor = Facts("othervendor", ("Token", "Sig"))
        settings_class = DemoSettings

    class Subclass(VendorClient):
        pass

    class NoVendor(ProviderClient[DemoSettings]):
        vendor = None

    assert ("othervendor", ("Token", "Sig")) == (VendorClient.name, VendorClient.secret_wire_fields)
    assert ("othervendor", ("Token", "Sig")) == (Subclass.name, Subclass.secret_wire_fields)
    assert ("provider", ()) == (NoVendor.name, NoVendor.secret_wire_fields)
