"""Every provider the commune can configure: its settings, its shipped files, and a round
trip against its simulator using the commune's own settings.

A round trip starts the provider's simulator (from `connectors.simulators`) on 127.0.0.1
with the credentials from the commune's settings, points the real adapter at it, and makes
one harmless call that exercises authentication and the wire format (a status query, a
look-up of a key that does not exist). No request goes to the real vendor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import requests

from connectors.banks.base import PaymentRequest, PaymentStatus
from connectors.banks.momo import MoMo, MoMoSettings
from connectors.banks.payos import PayOS, PayOSSettings
from connectors.banks.vnpay import VNPay, VNPaySettings
from connectors.commune.doctor import ProviderSpec
from connectors.core.config import ProviderSettings
from connectors.core.errors import NotFound, ProviderError
from connectors.simulators import SMS_BRANDNAME, SMS_TEMPLATE, make_for_settings
from connectors.testing import serve

__all__ = ["all_specs", "spec_for"]

_PROBE = "HS0000000000"


def _with_url(settings: ProviderSettings, base_url: str) -> Any:
    return settings.model_copy(update={"base_url": base_url})


def _payment_round_trip(
    simulator: str, make_client: Callable[[Any], Any], browser: bool
) -> Callable[[Any], str]:
    def round_trip(settings: Any) -> str:
        sim = make_for_settings(simulator, settings)
        with serve(sim) as base_url:
            client = make_client(_with_url(settings, base_url))
            request = PaymentRequest(
                dossier_code=_PROBE,
                amount=10_000,
                description=f"{_PROBE} connectors doctor",
                return_url="http://127.0.0.1/return",
                notify_url="http://127.0.0.1/ipn",
                expires_in=timedelta(minutes=5),
            )
            intent = client.create_payment(request)
            if browser and intent.redirect_url:
                requests.get(intent.redirect_url, allow_redirects=False, timeout=5).close()
            report = client.query(intent.order_ref, created_at=intent.created_at)
            if report.status is not PaymentStatus.PENDING:
                raise ProviderError(f"a new payment should be pending, not {report.status}")
            return f"created a payment and queried it back ({report.vendor_code})"

    return round_trip


def _invoice_round_trip(simulator: str, vendor: str) -> Callable[[Any], str]:
    def round_trip(settings: Any) -> str:
        from connectors.einvoice.provider import provider_from_env

        sim = make_for_settings(simulator, settings)
        with serve(sim) as base_url:
            values = _with_url(settings, base_url).model_dump()
            provider = provider_from_env(vendor, **_unwrap(values))
            try:
                provider.get("doctor-probe-0000")
            except NotFound:
                return "signed in and looked up a key (not found, as expected)"
        return "signed in and looked up a key"

    return round_trip


def _unwrap(values: dict[str, Any]) -> dict[str, Any]:
    """Settings values with secrets revealed, to rebuild the settings in process."""
    return {
        name: value.get_secret_value() if hasattr(value, "get_secret_value") else value
        for name, value in values.items()
    }


def _einvoice_specs() -> list[ProviderSpec]:
    from connectors.einvoice.bkav import BkavSettings
    from connectors.einvoice.misa import MisaSettings
    from connectors.einvoice.viettel import ViettelSettings
    from connectors.einvoice.vnpt import VnptSettings

    schema = ("connectors.einvoice.gdt", "schema/hdon-2.1.0.xsd")
    return [
        ProviderSpec(
            "einvoice",
            "vnpt",
            VnptSettings,
            _invoice_round_trip("vnpt-invoice", "vnpt"),
            files=(
                ("connectors.einvoice.vnpt", "wsdl/PublishService.wsdl"),
                ("connectors.einvoice.vnpt", "wsdl/BusinessService.wsdl"),
                ("connectors.einvoice.vnpt", "wsdl/PortalService.wsdl"),
                schema,
            ),
            fidelity="derived from VNPT's published docs and integrators' code",
        ),
        ProviderSpec(
            "einvoice",
            "viettel",
            ViettelSettings,
            _invoice_round_trip("viettel-invoice", "viettel"),
            files=(schema,),
            fidelity="derived from integrators' code and Viettel's docs",
        ),
        ProviderSpec(
            "einvoice",
            "misa",
            MisaSettings,
            _invoice_round_trip("misa", "misa"),
            files=(schema,),
            fidelity="derived from MISA's published docs",
        ),
        ProviderSpec(
            "einvoice",
            "bkav",
            BkavSettings,
            _invoice_round_trip("bkav", "bkav"),
            files=(("connectors.einvoice.bkav", "WSPublicEHoaDon.wsdl"), schema),
            fidelity="derived from integrators' code; JSON fields guessed",
        ),
    ]


def _sms_round_trip(simulator: str, client_type: Any) -> Callable[[Any], str]:
    def round_trip(settings: Any) -> str:
        from connectors.sms import Brandname, Message, Template, TemplateRegistry

        brand = settings.brandname or SMS_BRANDNAME
        templates = TemplateRegistry(
            [Brandname(brand)],
            [Template("paid", SMS_TEMPLATE, brand, vendor_ids={"vnpt": "40021"})],
        )
        sim = make_for_settings(simulator, settings)
        with serve(sim) as base_url:
            sender = client_type.from_settings(_with_url(settings, base_url), templates)
            params = {"dossier": _PROBE, "amount": "10.000", "code": "DOCTOR"}
            message = Message("0912345678", template_id="paid", params=params)
            result = sender.send(message, idempotency_key="doctor-probe-0001")
        if not result.accepted:
            raise ProviderError(f"the simulator refused the test SMS: {result.code}")
        return f"signed in and sent a test SMS ({result.encoding}, {result.segments} segment)"

    return round_trip


def _sms_specs() -> list[ProviderSpec]:
    from connectors.sms.esms import EsmsSettings, EsmsSms
    from connectors.sms.mobifone import MobifoneSettings, MobifoneSms
    from connectors.sms.viettel import ViettelSettings, ViettelSms
    from connectors.sms.vnpt import VnptSettings, VnptSms

    return [
        ProviderSpec(
            "sms",
            "mobifone",
            MobifoneSettings,
            _sms_round_trip("mobifone", MobifoneSms),
            fidelity="derived from integrators' code; error texts guessed",
        ),
        ProviderSpec(
            "sms",
            "viettel",
            ViettelSettings,
            _sms_round_trip("viettel-sms", ViettelSms),
            files=(("connectors.sms.viettel", "wsdl/bulkapi.wsdl"),),
            fidelity="derived from Viettel's BulkSMS document",
        ),
        ProviderSpec(
            "sms",
            "vnpt",
            VnptSettings,
            _sms_round_trip("vnpt-sms", VnptSms),
            fidelity="derived from VNPT's agent API document",
        ),
        ProviderSpec(
            "sms",
            "esms",
            EsmsSettings,
            _sms_round_trip("esms", EsmsSms),
            fidelity="official docs (eSMS)",
        ),
    ]


def _feedback_specs() -> list[ProviderSpec]:
    from connectors.ihanoi import IHanoiClient, IHanoiSettings

    def round_trip(settings: Any) -> str:
        sim = make_for_settings("ihanoi", settings)
        with serve(sim) as base_url, IHanoiClient(base_url, settings.token) as client:
            page = client.list_updated()
        return f"listed feedback updates ({len(page.items)} items)"

    return [
        ProviderSpec(
            "feedback",
            "ihanoi",
            IHanoiSettings,
            round_trip,
            fidelity="MODELLED contract (iHanoi publishes no API)",
        )
    ]


def _payment_specs() -> list[ProviderSpec]:
    return [
        ProviderSpec(
            "payments",
            "vnpay",
            VNPaySettings,
            _payment_round_trip(
                "vnpay",
                VNPay.from_settings,
                browser=True,
            ),
            fidelity="official spec (VNPay 2.1.0)",
        ),
        ProviderSpec(
            "payments",
            "momo",
            MoMoSettings,
            _payment_round_trip(
                "momo",
                MoMo.from_settings,
                browser=False,
            ),
            fidelity="official spec (MoMo v2)",
        ),
        ProviderSpec(
            "payments",
            "payos",
            PayOSSettings,
            _payment_round_trip(
                "payos",
                PayOS.from_settings,
                browser=False,
            ),
            fidelity="official docs (payOS)",
        ),
    ]


def _sepay_spec() -> ProviderSpec:
    from connectors.banks.matching import BankTransfer
    from connectors.banks.sepay import SePaySimulator
    from connectors.banks.sepay.config import SePaySettings

    def round_trip(settings: Any) -> str:
        receiver = settings.webhook()
        secret = settings.webhook_hmac_secret.get_secret_value()
        key = settings.webhook_api_key.get_secret_value()
        sim = SePaySimulator(
            hmac_secret=secret or None, api_key=None if secret else key, sleep=lambda _s: None
        )
        account = settings.accounts[0] if settings.accounts else "0123456789"
        received: list[BankTransfer] = []
        sim.transfer(account=account, amount=10_000, content=f"{_PROBE} connectors doctor")
        with serve(receiver.wsgi_app(received.append)) as url:
            deliveries = sim.deliver(url + "/hooks/sepay")
        if not received or not all(d.delivered for d in deliveries):
            raise ProviderError("the receiver refused the simulator's signed webhook")
        return f"verified a signed transfer webhook ({received[0].amount} VND)"

    return ProviderSpec(
        "payments",
        "sepay",
        SePaySettings,
        round_trip,
        fidelity="derived from SePay's docs and integrators' code",
    )


def all_specs() -> list[ProviderSpec]:
    """Every provider the doctor knows, in domain order."""
    payments = [*_payment_specs(), _sepay_spec()]
    return [*payments, *_einvoice_specs(), *_sms_specs(), *_feedback_specs()]


def spec_for(domain: str, name: str) -> ProviderSpec | None:
    return next((s for s in all_specs() if (s.domain, s.name) == (domain, name)), None)
