"""Every bundled simulator by name, with the fake credentials it accepts.

`connectors simulate` serves these on 127.0.0.1 for a portal developer's own tests; the
credentials printed beside each URL are the simulator's defaults and are not secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import SecretStr

from connectors.testing import Simulator

__all__ = [
    "CATALOG",
    "SMS_BRANDNAME",
    "SMS_TEMPLATE",
    "SimulatorEntry",
    "make",
    "make_for_settings",
]

SMS_BRANDNAME = "UBNDPHUONG"
SMS_TEMPLATE = "Ho so {dossier} da thanh toan {amount} dong. Ma tra cuu bien lai: {code}"
"""The template every SMS simulator registers (VNPT's id for it is "40021")."""


@dataclass(frozen=True)
class SimulatorEntry:
    """How to start one simulator and what a client must send it."""

    domain: str
    build: Callable[[dict[str, Any]], Simulator]
    """Makes the simulator from `credentials` (so the two can never disagree)."""
    credentials: dict[str, Any] = field(default_factory=dict)
    path: str = ""
    """Added to the served base URL for the adapter's `base_url` (e.g. a SOAP endpoint)."""


def _vnpay(c: dict[str, Any]) -> Simulator:
    from connectors.banks.vnpay import VNPaySimulator

    return VNPaySimulator(tmn_code=c["tmn_code"], hash_secret=c["hash_secret"])


def _momo(c: dict[str, Any]) -> Simulator:
    from connectors.banks.momo import MoMoSimulator

    return MoMoSimulator(
        partner_code=c["partner_code"], access_key=c["access_key"], secret_key=c["secret_key"]
    )


def _payos(c: dict[str, Any]) -> Simulator:
    from connectors.banks.payos import PayOSSimulator

    return PayOSSimulator(
        client_id=c["client_id"], api_key=c["api_key"], checksum_key=c["checksum_key"]
    )


def _sepay(c: dict[str, Any]) -> Simulator:
    from connectors.banks.sepay import SePaySimulator

    return SePaySimulator(hmac_secret=c["hmac_secret"])


def _vnpt_invoice(c: dict[str, Any]) -> Simulator:
    from connectors.einvoice.vnpt.simulator import VnptSimulator

    return VnptSimulator(**c)


def _viettel_invoice(c: dict[str, Any]) -> Simulator:
    from connectors.einvoice.viettel.simulator import ViettelSimulator

    return ViettelSimulator(**c)


def _misa(c: dict[str, Any]) -> Simulator:
    from connectors.einvoice.misa.simulator import MisaSimulator

    return MisaSimulator(**c)


def _bkav(c: dict[str, Any]) -> Simulator:
    from connectors.einvoice.bkav import BkavKey
    from connectors.einvoice.bkav.simulator import BkavSimulator

    return BkavSimulator(partner_guid=c["partner_guid"], key=BkavKey.parse(c["partner_token"]))


def _mobifone(c: dict[str, Any]) -> Simulator:
    from connectors.sms.mobifone.simulator import MobifoneSimulator

    brand = c.get("brandname", SMS_BRANDNAME)
    return MobifoneSimulator(
        brandnames=[brand],
        templates={brand: [SMS_TEMPLATE]},
        username=c["username"],
        password=c["password"],
    )


def _viettel_sms(c: dict[str, Any]) -> Simulator:
    from connectors.sms.viettel.simulator import ViettelSimulator

    brand = c.get("brandname", SMS_BRANDNAME)
    return ViettelSimulator(
        brandnames=[brand],
        templates={brand: [SMS_TEMPLATE]},
        user=c["user"],
        password=c["password"],
        cp_code=c["cp_code"],
    )


def _vnpt_sms(c: dict[str, Any]) -> Simulator:
    from connectors.sms.vnpt.simulator import VnptSimulator

    brand = c.get("brandname", SMS_BRANDNAME)
    label = c["labels"].get(brand, "1201")
    return VnptSimulator(
        brandnames=[brand],
        labels={label: brand},
        templates={"40021": (label, SMS_TEMPLATE)},
        agent_id=c["agent_id"],
        api_user=c["api_user"],
        api_pass=c["api_pass"],
    )


def _esms(c: dict[str, Any]) -> Simulator:
    from connectors.sms.esms.simulator import EsmsSimulator

    brand = c.get("brandname", SMS_BRANDNAME)
    return EsmsSimulator(
        brandnames=[brand],
        templates={brand: [SMS_TEMPLATE]},
        api_key=c["api_key"],
        secret_key=c["secret_key"],
    )


def _ihanoi(c: dict[str, Any]) -> Simulator:
    from connectors.ihanoi.simulator import IHanoiSimulator

    return IHanoiSimulator(token=c["token"], api_key=c["open311_api_key"])


CATALOG: dict[str, SimulatorEntry] = {
    "vnpay": SimulatorEntry(
        "payments",
        _vnpay,
        {"tmn_code": "HNTEST01", "hash_secret": "SIMULATORSECRET0123456789ABCDEF"},
    ),
    "momo": SimulatorEntry(
        "payments",
        _momo,
        {
            "partner_code": "MOMO",
            "access_key": "SIMACCESSKEY",
            "secret_key": "sim-momo-secret-key",
        },
    ),
    "payos": SimulatorEntry(
        "payments",
        _payos,
        {
            "client_id": "sim-client",
            "api_key": "sim-payos-api-key",
            "checksum_key": "sim-payos-checksum",
        },
    ),
    "sepay": SimulatorEntry("payments", _sepay, {"hmac_secret": "sim-sepay-secret"}),
    "vnpt-invoice": SimulatorEntry(
        "einvoice",
        _vnpt_invoice,
        {
            "account": "sim-admin",
            "account_password": "sim-ac-pass",
            "username": "sim-service",
            "password": "sim-service-pass",
        },
    ),
    "viettel-invoice": SimulatorEntry(
        "einvoice",
        _viettel_invoice,
        {
            "username": "0100109106-509",
            "password": "sim-password",
            "supplier_tax_code": "0100109106",
        },
    ),
    "misa": SimulatorEntry(
        "einvoice",
        _misa,
        {
            "app_id": "TEST-APPID-0001",
            "tax_code": "0100109106",
            "username": "test-user",
            "password": "test-password",
        },
        path="/api/integration",
    ),
    "bkav": SimulatorEntry(
        "einvoice",
        _bkav,
        {
            "partner_guid": "00000000-test-4000-8000-000000000001",
            # AES key 00..1f and IV 10..1f: a public test value, as "base64Key:base64IV".
            "partner_token": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
            ":EBESExQVFhcYGRobHB0eHw==",
        },
        path="/WSPublicEHoaDon.asmx",
    ),
    "mobifone": SimulatorEntry(
        "sms",
        _mobifone,
        {"username": "portal-test", "password": "fake-password-1", "brandname": SMS_BRANDNAME},
    ),
    "viettel-sms": SimulatorEntry(
        "sms",
        _viettel_sms,
        {
            "user": "smsbrand_test",
            "password": "fake-password-2",
            "cp_code": "CP-TEST",
            "brandname": SMS_BRANDNAME,
        },
    ),
    "vnpt-sms": SimulatorEntry(
        "sms",
        _vnpt_sms,
        {
            "agent_id": "AG-TEST",
            "api_user": "api-test",
            "api_pass": "fake-password-3",
            "labels": {SMS_BRANDNAME: "1201"},
            "brandname": SMS_BRANDNAME,
        },
    ),
    "esms": SimulatorEntry(
        "sms",
        _esms,
        {
            "api_key": "fake-api-key-4",
            "secret_key": "fake-secret-key-4",
            "brandname": SMS_BRANDNAME,
        },
    ),
    "ihanoi": SimulatorEntry(
        "feedback", _ihanoi, {"token": "sim-token-not-secret", "open311_api_key": "sim-open311-key"}
    ),
}


def make(name: str, **credentials: Any) -> Simulator:
    """A fresh simulator by catalog name, accepting its default credentials or the ones
    given; KeyError naming the known simulators for an unknown name."""
    try:
        entry = CATALOG[name]
    except KeyError:
        known = ", ".join(sorted(CATALOG))
        raise KeyError(f"no simulator named {name!r}; known: {known}") from None
    return entry.build({**entry.credentials, **credentials})


def make_for_settings(name: str, settings: object) -> Simulator:
    """The simulator `name`, accepting the credentials a provider's settings hold (secrets
    revealed in process only); settings fields it does not have keep their defaults."""
    found: dict[str, Any] = {}
    for key in CATALOG[name].credentials:
        value = getattr(settings, key, None)
        if value is not None:
            found[key] = value.get_secret_value() if isinstance(value, SecretStr) else value
    return make(name, **found)
