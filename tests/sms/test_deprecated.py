"""Issue 13: every SMS name that was renamed or moved still works for one release, and warns
naming its replacement."""

from __future__ import annotations

import importlib

import pytest

from connectors.core import RateLimited, Transport
from connectors.sms import SMS_ERRORS, RoutingSender, SmsErrorCode
from connectors.sms.esms import EsmsSms, EsmsSmsSettings
from connectors.sms.esms import WireProfile as EsmsProfile
from connectors.sms.mobifone import MobifoneSms, MobifoneSmsSettings
from connectors.sms.mobifone import WireProfile as MobifoneProfile
from connectors.sms.viettel import ViettelSmsSettings
from connectors.sms.viettel import WireProfile as ViettelProfile
from connectors.sms.vnpt import VnptSmsSettings
from connectors.sms.vnpt import WireProfile as VnptProfile
from connectors.testing.simulators.sms import (
    ALL_TELCOS,
    EsmsSmsSimulator,
    MobifoneSmsSimulator,
    SmsSimulator,
    ViettelSmsSimulator,
    VnptSmsSimulator,
)
from tests.sms import harnesses

RENAMED = [
    ("connectors.sms.mobifone", "MobifoneSettings", MobifoneSmsSettings),
    ("connectors.sms.mobifone.client", "MobifoneSettings", MobifoneSmsSettings),
    ("connectors.sms.viettel", "ViettelSettings", ViettelSmsSettings),
    ("connectors.sms.viettel.client", "ViettelSettings", ViettelSmsSettings),
    ("connectors.sms.vnpt", "VnptSettings", VnptSmsSettings),
    ("connectors.sms.vnpt.client", "VnptSettings", VnptSmsSettings),
    ("connectors.sms.esms", "EsmsSettings", EsmsSmsSettings),
    ("connectors.sms.esms.client", "EsmsSettings", EsmsSmsSettings),
    ("connectors.sms.mobifone.simulator", "MobifoneSimulator", MobifoneSmsSimulator),
    ("connectors.sms.viettel.simulator", "ViettelSimulator", ViettelSmsSimulator),
    ("connectors.sms.vnpt.simulator", "VnptSimulator", VnptSmsSimulator),
    ("connectors.sms.esms.simulator", "EsmsSimulator", EsmsSmsSimulator),
    ("connectors.sms.simulation", "SmsSimulator", SmsSimulator),
]
PROFILES = [
    ("connectors.sms.mobifone", MobifoneProfile),
    ("connectors.sms.mobifone.wire", MobifoneProfile),
    ("connectors.sms.viettel", ViettelProfile),
    ("connectors.sms.viettel.wire", ViettelProfile),
    ("connectors.sms.vnpt", VnptProfile),
    ("connectors.sms.vnpt.wire", VnptProfile),
    ("connectors.sms.esms", EsmsProfile),
    ("connectors.sms.esms.wire", EsmsProfile),
]


@pytest.mark.parametrize(("module", "old", "new"), RENAMED, ids=[f"{m}.{o}" for m, o, _ in RENAMED])
def test_an_old_name_is_the_new_object_and_warns(module: str, old: str, new: type) -> None:
    imported = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated; use .*{new.__name__}"):
        assert new is getattr(imported, old)


@pytest.mark.parametrize(("module", "profile"), PROFILES, ids=[m for m, _ in PROFILES])
def test_wire_is_the_default_profile_and_warns(module: str, profile: type) -> None:
    imported = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match="WIRE is deprecated; use .*DEFAULT_PROFILE"):
        wire = imported.WIRE
    assert isinstance(wire, profile)
    assert importlib.import_module(profile.__module__).DEFAULT_PROFILE is wire


def test_all_telcos_moved_with_the_simulator_base() -> None:
    import connectors.sms.simulation as old

    with pytest.warns(DeprecationWarning, match="ALL_TELCOS is deprecated"):
        assert ALL_TELCOS is old.ALL_TELCOS


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        importlib.import_module("connectors.sms.mobifone.simulator").NoSuchThing  # noqa: B018


def test_sms_error_warns_and_builds_the_tables_error() -> None:
    from connectors.sms import sms_error

    with pytest.warns(DeprecationWarning, match="sms_error is deprecated; use .*SMS_ERRORS"):
        error = sms_error(SmsErrorCode.RATE_LIMITED, "slow down", provider="esms", vendor_code="7")
    expected = SMS_ERRORS.error(SmsErrorCode.RATE_LIMITED, "slow down", provider="esms")
    assert isinstance(error, RateLimited)
    assert (expected.code, expected.retryable, "7", "esms") == (
        error.code,
        error.retryable,
        error.vendor_code,
        error.provider,
    )


def test_client_transport_warns_and_still_protects_a_given_transport() -> None:
    from connectors.sms.sender import client_transport

    given = Transport("caller")
    with pytest.warns(DeprecationWarning, match="client_transport is deprecated"):
        made = client_transport(
            "esms", given, timeouts=None, retry=None, fields=["ApiKey"], values=["s3cret"]
        )
    assert given is made
    assert "s3cret" not in made.redactor.text('{"ApiKey": "s3cret"} s3cret')


def test_provider_is_a_deprecated_name_for_name_on_clients_and_the_router() -> None:
    client: MobifoneSms = harnesses.mobifone_sender(harnesses.MOBIFONE_URL)
    router = RoutingSender({"mobifone": client}, default=["mobifone"])
    with pytest.warns(DeprecationWarning, match="MobifoneSms.provider is deprecated"):
        assert client.name == client.provider
    with pytest.warns(DeprecationWarning, match="RoutingSender.provider is deprecated"):
        assert "router" == router.provider == router.name


def test_the_from_settings_of_old_keeps_its_positional_templates() -> None:
    settings = EsmsSmsSettings(
        base_url=harnesses.ESMS_URL, api_key="fake-api-key-4", secret_key="fake-secret-key-4"
    )
    client = EsmsSms.from_settings(settings, harnesses.registry())
    assert settings is client.settings
    assert "paid" == client.templates.template(harnesses.BRAND, "paid").id
