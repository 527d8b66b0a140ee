"""Every provider the library knows, declared once.

One `Provider` record per vendor adapter: its domain, the name a commune configures it by,
where its client, settings and simulator live (as lazy ``"module:attribute"`` strings:
nothing is imported until asked for), the fake credentials its simulator accepts, how far
its wire format is verified, and the files it ships. Every registry is derived from
`PROVIDERS`: the simulator catalogue (`connectors.simulators`), the doctor's checks
(`connectors.commune.registry`), the e-invoice and SMS vendor tables.

    from connectors.providers import provider
    provider("einvoice", "viettel").client_class()      # the adapter class, imported now
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.core.errors import ConfigError

__all__ = ["PROVIDERS", "Fidelity", "Provider", "by_domain", "provider", "sms_template"]


class Fidelity(enum.StrEnum):
    """How a provider's wire format is known (its docs page says field by field)."""

    OFFICIAL = "official spec"
    """The vendor publishes its API; the adapter follows that document."""
    INTEGRATORS = "derived from integrators' code"
    """No complete public document: derived from the vendor's partial documents and from
    what integrators' production code sends and reads."""
    MODELLED = "modelled contract"
    """The vendor publishes nothing: a contract modelled on a public standard, every guessed
    detail in one overridable profile."""


SMS_BRANDNAME = "UBNDPHUONG"
SMS_TEMPLATE = "Ho so {dossier} da thanh toan {amount} dong. Ma tra cuu bien lai: {code}"
"""The template every SMS simulator registers for `SMS_BRANDNAME` (VNPT's id: "40021")."""


def sms_template() -> tuple[str, str]:
    """The brandname and template the SMS simulators accept by default."""
    return SMS_BRANDNAME, SMS_TEMPLATE


def _load(target: str) -> Any:
    module, _, attr = target.partition(":")
    value: Any = importlib.import_module(module)
    for part in attr.split("."):
        value = getattr(value, part)
    return value


@dataclass(frozen=True)
class Provider:
    """One vendor adapter (see the module docstring).

    `domain` is the library's package (`banks`, `einvoice`, `sms`, `ihanoi`); `section` the
    commune configuration's table (`payments`, `einvoice`, `sms`, `feedback`); `name` the
    provider's name there (`vnpay`, `viettel`...); `simulator_name` its name in the simulator
    catalogue (`connectors simulate`), unique across domains. `simulator_path` is appended
    to a served simulator's base URL to make the adapter's `base_url` (a SOAP endpoint).
    """

    domain: str
    section: str
    name: str
    title: str
    client: str
    settings: str
    simulator: str
    fidelity: Fidelity
    simulator_name: str = ""
    credentials: Mapping[str, Any] = field(default_factory=dict)
    simulator_path: str = ""
    files: tuple[tuple[str, str], ...] = ()
    note: str = ""
    """What is guessed, in a few words (the docs page has the details)."""

    def __post_init__(self) -> None:
        if not self.simulator_name:
            object.__setattr__(self, "simulator_name", self.name)

    def client_class(self) -> Any:
        """The adapter class (imports its module)."""
        return _load(self.client)

    def settings_class(self) -> Any:
        """The settings class (imports its module)."""
        return _load(self.settings)

    def simulator_class(self) -> Any:
        """The simulator class (imports the testing side)."""
        return _load(self.simulator)

    def make_simulator(self, **credentials: Any) -> Any:
        """A fresh simulator accepting `credentials` (its defaults for the rest)."""
        cls = self.simulator_class()
        values = {**self.credentials, **credentials}
        build = getattr(cls, "from_credentials", None)
        return build(values) if build is not None else cls(**values)

    @property
    def fidelity_label(self) -> str:
        return f"{self.fidelity.value}: {self.note}" if self.note else self.fidelity.value


_HDON_SCHEMA = ("connectors.einvoice.gdt", "schema/hdon-2.1.0.xsd")

PROVIDERS: tuple[Provider, ...] = (
    # -- fee collection ------------------------------------------------------------------
    Provider(
        "banks",
        "payments",
        "vnpay",
        "VNPay",
        client="connectors.banks.vnpay:VnpayGateway",
        settings="connectors.banks.vnpay:VnpayGatewaySettings",
        simulator="connectors.testing.simulators.banks.vnpay:VnpayGatewaySimulator",
        fidelity=Fidelity.OFFICIAL,
        note="VNPay 2.1.0",
        credentials={"tmn_code": "HNTEST01", "hash_secret": "SIMULATORSECRET0123456789ABCDEF"},
    ),
    Provider(
        "banks",
        "payments",
        "momo",
        "MoMo",
        client="connectors.banks.momo:MomoGateway",
        settings="connectors.banks.momo:MomoGatewaySettings",
        simulator="connectors.testing.simulators.banks.momo:MomoGatewaySimulator",
        fidelity=Fidelity.OFFICIAL,
        note="MoMo v2",
        credentials={
            "partner_code": "MOMO",
            "access_key": "SIMACCESSKEY",
            "secret_key": "sim-momo-secret-key",
        },
    ),
    Provider(
        "banks",
        "payments",
        "payos",
        "payOS",
        client="connectors.banks.payos:PayosGateway",
        settings="connectors.banks.payos:PayosGatewaySettings",
        simulator="connectors.testing.simulators.banks.payos:PayosGatewaySimulator",
        fidelity=Fidelity.OFFICIAL,
        note="payOS docs and SDKs",
        credentials={
            "client_id": "sim-client",
            "api_key": "sim-payos-api-key",
            "checksum_key": "sim-payos-checksum",
        },
    ),
    Provider(
        "banks",
        "payments",
        "sepay",
        "SePay",
        client="connectors.banks.sepay:SepayTransactions",
        settings="connectors.banks.sepay:SepayTransactionsSettings",
        simulator="connectors.testing.simulators.banks.sepay:SepayTransactionsSimulator",
        fidelity=Fidelity.INTEGRATORS,
        note="SePay's docs and integrators' code",
        credentials={"hmac_secret": "sim-sepay-secret"},
    ),
    # -- e-invoices and e-receipts -------------------------------------------------------
    Provider(
        "einvoice",
        "einvoice",
        "vnpt",
        "VNPT Invoice",
        client="connectors.einvoice.vnpt:VnptInvoice",
        settings="connectors.einvoice.vnpt:VnptInvoiceSettings",
        simulator="connectors.testing.simulators.einvoice.vnpt:VnptInvoiceSimulator",
        simulator_name="vnpt-invoice",
        fidelity=Fidelity.INTEGRATORS,
        note="operations from VNPT's WSDLs; some answer formats guessed",
        credentials={
            "account": "sim-admin",
            "account_password": "sim-ac-pass",
            "username": "sim-service",
            "password": "sim-service-pass",
        },
        files=(
            ("connectors.einvoice.vnpt", "wsdl/PublishService.wsdl"),
            ("connectors.einvoice.vnpt", "wsdl/BusinessService.wsdl"),
            ("connectors.einvoice.vnpt", "wsdl/PortalService.wsdl"),
            _HDON_SCHEMA,
        ),
    ),
    Provider(
        "einvoice",
        "einvoice",
        "viettel",
        "Viettel S-Invoice",
        client="connectors.einvoice.viettel:ViettelInvoice",
        settings="connectors.einvoice.viettel:ViettelInvoiceSettings",
        simulator="connectors.testing.simulators.einvoice.viettel:ViettelInvoiceSimulator",
        simulator_name="viettel-invoice",
        fidelity=Fidelity.INTEGRATORS,
        note="Odoo's and integrators' code, a copy of Viettel's document",
        credentials={
            "username": "0100109106-509",
            "password": "sim-password",
            "supplier_tax_code": "0100109106",
        },
        files=(_HDON_SCHEMA,),
    ),
    Provider(
        "einvoice",
        "einvoice",
        "misa",
        "MISA meInvoice",
        client="connectors.einvoice.misa:MisaInvoice",
        settings="connectors.einvoice.misa:MisaInvoiceSettings",
        simulator="connectors.testing.simulators.einvoice.misa:MisaInvoiceSimulator",
        fidelity=Fidelity.INTEGRATORS,
        note="integrators' code, a copy of MISA's document",
        credentials={
            "app_id": "TEST-APPID-0001",
            "tax_code": "0100109106",
            "username": "test-user",
            "password": "test-password",
        },
        simulator_path="/api/integration",
        files=(_HDON_SCHEMA,),
    ),
    Provider(
        "einvoice",
        "einvoice",
        "bkav",
        "BKAV eHoadon",
        client="connectors.einvoice.bkav:BkavInvoice",
        settings="connectors.einvoice.bkav:BkavInvoiceSettings",
        simulator="connectors.testing.simulators.einvoice.bkav:BkavInvoiceSimulator",
        fidelity=Fidelity.INTEGRATORS,
        note="BKAV's interface document; lookup by key guessed",
        credentials={
            "partner_guid": "00000000-test-4000-8000-000000000001",
            # AES key 00..1f and IV 10..1f: a public test value, as "base64Key:base64IV".
            "partner_token": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
            ":EBESExQVFhcYGRobHB0eHw==",
        },
        simulator_path="/WSPublicEHoaDon.asmx",
        files=(("connectors.einvoice.bkav", "WSPublicEHoaDon.wsdl"), _HDON_SCHEMA),
    ),
    # -- SMS Brandname ---------------------------------------------------------------------
    Provider(
        "sms",
        "sms",
        "mobifone",
        "MobiFone",
        client="connectors.sms.mobifone:MobifoneSms",
        settings="connectors.sms.mobifone:MobifoneSmsSettings",
        simulator="connectors.testing.simulators.sms.mobifone:MobifoneSmsSimulator",
        fidelity=Fidelity.INTEGRATORS,
        note="error texts guessed",
        credentials={
            "username": "portal-test",
            "password": "fake-password-1",
            "brandname": SMS_BRANDNAME,
        },
    ),
    Provider(
        "sms",
        "sms",
        "viettel",
        "Viettel SMS Brandname",
        client="connectors.sms.viettel:ViettelSms",
        settings="connectors.sms.viettel:ViettelSmsSettings",
        simulator="connectors.testing.simulators.sms.viettel:ViettelSmsSimulator",
        simulator_name="viettel-sms",
        fidelity=Fidelity.INTEGRATORS,
        note="Viettel's BulkSMS document",
        credentials={
            "user": "smsbrand_test",
            "password": "fake-password-2",
            "cp_code": "CP-TEST",
            "brandname": SMS_BRANDNAME,
        },
        files=(("connectors.sms.viettel", "wsdl/bulkapi.wsdl"),),
    ),
    Provider(
        "sms",
        "sms",
        "vnpt",
        "VNPT SMS Brandname",
        client="connectors.sms.vnpt:VnptSms",
        settings="connectors.sms.vnpt:VnptSmsSettings",
        simulator="connectors.testing.simulators.sms.vnpt:VnptSmsSimulator",
        simulator_name="vnpt-sms",
        fidelity=Fidelity.INTEGRATORS,
        note="VNPT's agent API document",
        credentials={
            "agent_id": "AG-TEST",
            "api_user": "api-test",
            "api_pass": "fake-password-3",
            "labels": {SMS_BRANDNAME: "1201"},
            "brandname": SMS_BRANDNAME,
        },
    ),
    Provider(
        "sms",
        "sms",
        "esms",
        "eSMS",
        client="connectors.sms.esms:EsmsSms",
        settings="connectors.sms.esms:EsmsSmsSettings",
        simulator="connectors.testing.simulators.sms.esms:EsmsSmsSimulator",
        fidelity=Fidelity.OFFICIAL,
        note="eSMS's public docs",
        credentials={
            "api_key": "fake-api-key-4",
            "secret_key": "fake-secret-key-4",
            "brandname": SMS_BRANDNAME,
        },
    ),
    # -- citizens' feedback ----------------------------------------------------------------
    Provider(
        "ihanoi",
        "feedback",
        "ihanoi",
        "iHanoi",
        client="connectors.ihanoi.contract:IhanoiFeedback",
        settings="connectors.ihanoi.contract:IhanoiFeedbackSettings",
        simulator="connectors.testing.simulators.ihanoi:IhanoiFeedbackSimulator",
        fidelity=Fidelity.MODELLED,
        note="iHanoi publishes no API; modelled on Open311 GeoReport v2",
        credentials={"token": "sim-token-not-secret", "open311_api_key": "sim-open311-key"},
    ),
)


def by_domain(section: str) -> tuple[Provider, ...]:
    """The providers of one configuration section (`payments`, `einvoice`, `sms`,
    `feedback`), in declaration order."""
    return tuple(p for p in PROVIDERS if p.section == section)


def provider(section: str, name: str) -> Provider:
    """The provider `name` of `section`; `ConfigError` naming the known ones otherwise."""
    for candidate in PROVIDERS:
        if (candidate.section, candidate.name) == (section, name):
            return candidate
    known = ", ".join(p.name for p in by_domain(section)) or "none"
    raise ConfigError(f"unknown {section} provider {name!r}; known: {known}", field="provider")
