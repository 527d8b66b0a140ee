"""Every simulator the demo needs, served on 127.0.0.1, and the real adapters wired to them.

Nothing here talks to a real vendor: each adapter is the library's own client, pointed at
its simulator's loopback URL, with the simulator's fake credentials.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.banks.base import FeeGateway
from connectors.banks.ipn import IpnHandler
from connectors.banks.momo import MomoGateway as MoMo
from connectors.banks.payos import PayosGateway as PayOS
from connectors.banks.sepay import SepayWebhook as SePayWebhook
from connectors.banks.vnpay import VnpayGateway as VNPay
from connectors.core import RetryPolicy, Timeouts
from connectors.delivery import SqliteOutbox
from connectors.demo.portal import Dossiers, Portal
from connectors.demo.scenario import DOSSIER_CODE
from connectors.einvoice.gdt import generate_test_credentials
from connectors.einvoice.provider import InvoiceProvider, provider_from_env
from connectors.ihanoi import FeedbackEvent, IHanoiClient, WebhookReceiver
from connectors.ihanoi.simulator import IHanoiSimulator
from connectors.simulators import SMS_BRANDNAME, SMS_TEMPLATE
from connectors.sms import Brandname, SmsSender, Template, TemplateRegistry
from connectors.sms.mobifone import MobifoneSms
from connectors.sms.mobifone.simulator import MobifoneSimulator
from connectors.testing import serve
from connectors.testing.simulators.banks import MomoGatewaySimulator as MoMoSimulator
from connectors.testing.simulators.banks import PayosGatewaySimulator as PayOSSimulator
from connectors.testing.simulators.banks import SepayTransactionsSimulator as SePaySimulator
from connectors.testing.simulators.banks import VnpayGatewaySimulator as VNPaySimulator
from connectors.testing.simulators.einvoice.viettel import (
    ViettelInvoiceSimulator as ViettelSimulator,
)

__all__ = ["Endpoints", "World", "connect_portal", "start_world"]

# Fake credentials shared by each simulator and its client; none is a real secret.
_VNPAY_SECRET = "DEMOSECRETKEY0123456789ABCDEFGHIJ"  # noqa: S105 - fake
_MOMO_ACCESS, _MOMO_SECRET = "DEMOACCESSKEY", "demo-momo-secret-key-not-real-000"
_PAYOS_API_KEY, _PAYOS_CHECKSUM = "demo-payos-api-key", "demo-payos-checksum-key"
_SEPAY_SECRET = "demo-sepay-webhook-secret"  # noqa: S105 - fake
_IHANOI_SECRET = "demo-ihanoi-webhook-secret"  # noqa: S105 - fake
_SMS_USER, _SMS_PASSWORD = "portal-demo", "demo-sms-password"


_FAST = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.2)
_TIMEOUTS = Timeouts(connect=1.0, read=1.0, total=10.0)


@dataclass
class World:
    """The running simulators, the adapters talking to them, and the portal's tables."""

    output: Path
    vnpay_sim: VNPaySimulator
    momo_sim: MoMoSimulator
    payos_sim: PayOSSimulator
    sepay_sim: SePaySimulator
    invoice_sim: ViettelSimulator
    sms_sim: MobifoneSimulator
    ihanoi_sim: IHanoiSimulator
    gateways: dict[str, FeeGateway]
    invoices: InvoiceProvider
    sms: SmsSender
    ihanoi: IHanoiClient
    outbox: SqliteOutbox
    dossiers: Dossiers

    def simulator_for(self, method: str) -> Any:
        return {"vnpay": self.vnpay_sim, "momo": self.momo_sim, "payos": self.payos_sim}[method]


def _served(stack: ExitStack, app: Any) -> str:
    url: str = stack.enter_context(serve(app))
    return url


def start_world(stack: ExitStack, output: Path) -> World:
    """Start every simulator on loopback and build the adapters, the outbox and the tables.

    Everything started is stopped when `stack` closes.
    """
    no_sleep = lambda _s: None  # noqa: E731 - simulators' retry schedules, compressed
    vnpay_sim = VNPaySimulator(hash_secret=_VNPAY_SECRET, sleep=no_sleep)
    momo_sim = MoMoSimulator(access_key=_MOMO_ACCESS, secret_key=_MOMO_SECRET, sleep=no_sleep)
    payos_sim = PayOSSimulator(
        client_id="demo-client",
        api_key=_PAYOS_API_KEY,
        checksum_key=_PAYOS_CHECKSUM,
        sleep=no_sleep,
    )
    sepay_sim = SePaySimulator(hmac_secret=_SEPAY_SECRET, sleep=no_sleep)
    # The commune's signing certificate: a throw-away TEST one, made now, never saved.
    invoice_sim = ViettelSimulator(
        sleep=no_sleep, credentials=generate_test_credentials("UBND Phuong Mau (TEST)")
    )
    sms_sim = MobifoneSimulator(
        brandnames=[SMS_BRANDNAME],
        templates={SMS_BRANDNAME: [SMS_TEMPLATE]},
        username=_SMS_USER,
        password=_SMS_PASSWORD,
    )
    ihanoi_sim = IHanoiSimulator(sleep=no_sleep)

    urls = {
        name: _served(stack, sim)
        for name, sim in (
            ("vnpay", vnpay_sim),
            ("momo", momo_sim),
            ("payos", payos_sim),
            ("invoice", invoice_sim),
            ("sms", sms_sim),
            ("ihanoi", ihanoi_sim),
        )
    }
    options: dict[str, Any] = {"retry": _FAST, "timeouts": _TIMEOUTS}
    gateways: dict[str, FeeGateway] = {
        "vnpay": VNPay(
            tmn_code=vnpay_sim.tmn_code,
            hash_secret=_VNPAY_SECRET,
            base_url=urls["vnpay"],
            **options,
        ),
        "momo": MoMo(
            partner_code="MOMO",
            access_key=_MOMO_ACCESS,
            secret_key=_MOMO_SECRET,
            base_url=urls["momo"],
            **options,
        ),
        "payos": PayOS(
            client_id="demo-client",
            api_key=_PAYOS_API_KEY,
            checksum_key=_PAYOS_CHECKSUM,
            base_url=urls["payos"],
            **options,
        ),
    }
    for gateway in gateways.values():
        stack.callback(getattr(gateway, "close", lambda: None))

    outbox = stack.enter_context(SqliteOutbox(output / "outbox.db"))
    invoices = provider_from_env(
        "viettel",
        base_url=urls["invoice"],
        username=invoice_sim.username,
        password=invoice_sim.password,
        supplier_tax_code=invoice_sim.supplier_tax_code,
        http={"read_timeout": 1.0, "max_attempts": 3},
    )
    sms = MobifoneSms(
        base_url=urls["sms"],
        username=_SMS_USER,
        password=_SMS_PASSWORD,
        templates=TemplateRegistry(
            [Brandname(SMS_BRANDNAME)], [Template("paid", SMS_TEMPLATE, SMS_BRANDNAME)]
        ),
        brandname=SMS_BRANDNAME,
        **options,
    )
    ihanoi = IHanoiClient(urls["ihanoi"], ihanoi_sim.token, **options)
    stack.callback(ihanoi.close)

    return World(
        output=output,
        vnpay_sim=vnpay_sim,
        momo_sim=momo_sim,
        payos_sim=payos_sim,
        sepay_sim=sepay_sim,
        invoice_sim=invoice_sim,
        sms_sim=sms_sim,
        ihanoi_sim=ihanoi_sim,
        gateways=gateways,
        invoices=invoices,
        sms=sms,
        ihanoi=ihanoi,
        outbox=outbox,
        dossiers=Dossiers(outbox),
    )


@dataclass(frozen=True)
class Endpoints:
    """Where the portal listens: one IPN URL per gateway, and the bank-transfer webhook."""

    ipn: dict[str, str]
    sepay: str


def connect_portal(stack: ExitStack, world: World, portal: Portal) -> Endpoints:
    """Serve the portal's callback endpoints on loopback and register the iHanoi webhook."""
    ipn = {}
    for name, gateway in world.gateways.items():
        handler = IpnHandler(
            gateway,
            expected_amount=world.dossiers.expected_amount,
            on_payment=portal.on_payment,
            on_rejected=portal.on_rejected,
            store=world.output / f"ipn-{name}.db",
        )
        stack.callback(handler.close)
        ipn[name] = _served(stack, handler) + f"/ipn/{name}"
    receiver = SePayWebhook(hmac_secret=_SEPAY_SECRET)
    sepay = _served(stack, receiver.wsgi_app(portal.on_transfer)) + "/hooks/sepay"

    def on_feedback(event: FeedbackEvent) -> None:
        found = DOSSIER_CODE.search(f"{event.feedback.title} {event.feedback.description}")
        if found is not None:
            world.dossiers.link_feedback(found.group(), event.feedback.feedback_id)

    hook = WebhookReceiver(_IHANOI_SECRET, on_feedback, seen=world.output / "ihanoi-seen.db")
    world.ihanoi_sim.register_webhook(_served(stack, hook) + "/hooks/ihanoi", _IHANOI_SECRET)
    return Endpoints(ipn=ipn, sepay=sepay)
