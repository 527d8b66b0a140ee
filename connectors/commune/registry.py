"""Every provider the commune can configure: its settings, its shipped files, and a round
trip against its simulator using the commune's own settings.

A round trip starts the provider's simulator (from `connectors.simulators`) on 127.0.0.1
with the credentials from the commune's settings, points the adapter `connectors.commune`
builds from those settings at it (`client_for`), and makes one harmless call that exercises
authentication and the wire format (a status query, a look-up of a key that does not
exist). No request goes to the real vendor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import requests

from connectors.banks.base import PaymentRequest, PaymentStatus
from connectors.commune.adapters import client_for
from connectors.commune.doctor import ProviderSpec
from connectors.commune.loading import ProviderConfig
from connectors.core.config import ProviderSettings
from connectors.core.errors import NotFound, ProviderError
from connectors.providers import PROVIDERS, Provider
from connectors.simulators import SMS_BRANDNAME, SMS_TEMPLATE, make_for_settings
from connectors.testing import serve

__all__ = ["all_specs", "spec_for"]

_PROBE = "HS0000000000"


def _pointed_at(entry: Provider, settings: ProviderSettings, base_url: str) -> ProviderConfig:
    """The provider configured as the commune has it, but for its simulator's URL."""
    return ProviderConfig(entry, settings.model_copy(update={"base_url": base_url}))


def _payment_round_trip(entry: Provider) -> Callable[[Any], str]:
    browser = entry.name == "vnpay"  # VNPay's payment exists once its pay page is opened

    def round_trip(settings: Any) -> str:
        sim = make_for_settings(entry.simulator_name, settings)
        with serve(sim) as base_url:
            client = client_for(_pointed_at(entry, settings, base_url))
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


def _invoice_round_trip(entry: Provider) -> Callable[[Any], str]:
    def round_trip(settings: Any) -> str:
        sim = make_for_settings(entry.simulator_name, settings)
        with serve(sim) as base_url:
            provider = client_for(_pointed_at(entry, settings, base_url))
            try:
                provider.get("doctor-probe-0000")
            except NotFound:
                return "signed in and looked up a key (not found, as expected)"
        return "signed in and looked up a key"

    return round_trip


def _sms_round_trip(entry: Provider) -> Callable[[Any], str]:
    def round_trip(settings: Any) -> str:
        from connectors.sms import Brandname, Message, Template, TemplateRegistry

        brand = settings.brandname or SMS_BRANDNAME
        templates = TemplateRegistry(
            [Brandname(brand)],
            [Template("paid", SMS_TEMPLATE, brand, vendor_ids={"vnpt": "40021"})],
        )
        sim = make_for_settings(entry.simulator_name, settings)
        with serve(sim) as base_url:
            sender = client_for(_pointed_at(entry, settings, base_url), templates=templates)
            params = {"dossier": _PROBE, "amount": "10.000", "code": "DOCTOR"}
            message = Message("0912345678", template_id="paid", params=params)
            result = sender.send(message, idempotency_key="doctor-probe-0001")
        if not result.accepted:
            raise ProviderError(f"the simulator refused the test SMS: {result.code}")
        return f"signed in and sent a test SMS ({result.encoding}, {result.segments} segment)"

    return round_trip


def _feedback_round_trip(entry: Provider) -> Callable[[Any], str]:
    def round_trip(settings: Any) -> str:
        sim = make_for_settings(entry.simulator_name, settings)
        with serve(sim) as base_url, client_for(_pointed_at(entry, settings, base_url)) as client:
            page = client.list_updated()
        return f"listed feedback updates ({len(page.items)} items)"

    return round_trip


def _sepay_round_trip(entry: Provider) -> Callable[[Any], str]:
    from connectors.banks.matching import BankTransfer

    def round_trip(settings: Any) -> str:
        receiver = settings.webhook()
        secret = settings.webhook_hmac_secret.get_secret_value()
        key = settings.webhook_api_key.get_secret_value()
        sim = entry.simulator_class()(
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

    return round_trip


_ROUND_TRIPS: dict[str, Callable[[Provider], Callable[[Any], str]]] = {
    "payments": _payment_round_trip,
    "einvoice": _invoice_round_trip,
    "sms": _sms_round_trip,
    "feedback": _feedback_round_trip,
}


def _spec(entry: Provider) -> ProviderSpec:
    make_round_trip = _sepay_round_trip if entry.name == "sepay" else _ROUND_TRIPS[entry.section]
    return ProviderSpec(
        entry.section,
        entry.name,
        entry.settings_class(),
        make_round_trip(entry),
        files=entry.files,
        fidelity=entry.fidelity_label,
    )


def all_specs() -> list[ProviderSpec]:
    """Every provider the doctor knows, in domain order (from `connectors.providers`)."""
    return [_spec(entry) for entry in PROVIDERS]


def spec_for(domain: str, name: str) -> ProviderSpec | None:
    for entry in PROVIDERS:
        if (entry.section, entry.name) == (domain, name):
            return _spec(entry)
    return None
