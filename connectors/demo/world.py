"""Every simulator the demo needs, served on 127.0.0.1, and the commune's adapters for them.

Nothing here talks to a real vendor. The demo writes the commune's configuration file
(`connectors.toml` in the output folder) naming each simulator's loopback URL, and builds
its adapters the way a portal does: `connectors.commune.load` (the file, plus the
simulators' fake secrets as the environment) then `connectors.commune.build`. Simulators
are found through `connectors.providers`, never by class name.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.banks import FeeGateway, IpnHandler
from connectors.commune import Adapters, CommuneConfig, build, load
from connectors.core.errors import ConfigError
from connectors.delivery import SqliteOutbox
from connectors.demo.portal import Dossiers, Portal
from connectors.demo.scenario import ACCOUNT, COMMUNE, DOSSIER_CODE
from connectors.einvoice import InvoiceProvider
from connectors.einvoice.gdt import generate_test_credentials
from connectors.ihanoi import FeedbackEvent, FeedbackExchange, WebhookReceiver
from connectors.providers import provider
from connectors.simulators import SMS_BRANDNAME, SMS_TEMPLATE
from connectors.sms import SmsSender
from connectors.testing import serve

__all__ = ["AGENCY", "Endpoints", "World", "connect_portal", "start_world"]

AGENCY = "UBND-PHUONG-MAU"
"""The agency code that answers citizens' iHanoi feedback."""

# Fake credentials shared by each simulator and the environment the demo's configuration
# is loaded with; none is a real secret.
_VNPAY_SECRET = "DEMOSECRETKEY0123456789ABCDEFGHIJ"  # noqa: S105 - fake
_MOMO_ACCESS, _MOMO_SECRET = "DEMOACCESSKEY", "demo-momo-secret-key-not-real-000"
_PAYOS_API_KEY, _PAYOS_CHECKSUM = "demo-payos-api-key", "demo-payos-checksum-key"
_SEPAY_SECRET = "demo-sepay-webhook-secret"  # noqa: S105 - fake
_IHANOI_SECRET = "demo-ihanoi-webhook-secret"  # noqa: S105 - fake
_SMS_USER, _SMS_PASSWORD = "portal-demo", "demo-sms-password"

_HTTP = "{ connect_timeout = 1.0, read_timeout = 1.0, deadline = 10.0, max_attempts = 3 }"
"""Every adapter's timeouts and attempts: short, on loopback."""


def _configuration(urls: dict[str, str], sims: dict[str, Any]) -> str:
    """The commune's `connectors.toml`: settings only; every secret is in the environment."""
    invoice = sims["invoice"]
    return f"""# Written by `connectors demo`: the commune's configuration for the simulators.
# No secret is here: the demo passes the simulators' fake ones as the environment.
[commune]
name = "{COMMUNE["name"]}"
tax_code = "{COMMUNE["tax_code"]}"
address = "{COMMUNE["address"]}"
agency_code = "{AGENCY}"
outbox = "outbox.db"

[payments.vnpay]
tmn_code = "{sims["vnpay"].tmn_code}"
base_url = "{urls["vnpay"]}"
http = {_HTTP}
[payments.momo]
partner_code = "MOMO"
base_url = "{urls["momo"]}"
http = {_HTTP}
[payments.payos]
client_id = "demo-client"
base_url = "{urls["payos"]}"
http = {_HTTP}
[payments.sepay]
accounts = ["{ACCOUNT}"]

[einvoice]
provider = "viettel"
[einvoice.viettel]
base_url = "{urls["invoice"]}"
username = "{invoice.username}"
supplier_tax_code = "{invoice.supplier_tax_code}"
http = {_HTTP}

[sms]
providers = ["mobifone"]
[sms.mobifone]
base_url = "{urls["sms"]}"
username = "{_SMS_USER}"
brandname = "{SMS_BRANDNAME}"
http = {_HTTP}
[sms.templates.paid]
text = "{SMS_TEMPLATE}"

[feedback]
provider = "ihanoi"
[feedback.ihanoi]
base_url = "{urls["ihanoi"]}"
http = {_HTTP}
"""


def _environment(sims: dict[str, Any]) -> dict[str, str]:
    """The secrets, as the commune's environment would hold them (the settings classes
    name the variables)."""
    return {
        "CONNECTORS_VNPAY_HASH_SECRET": _VNPAY_SECRET,
        "CONNECTORS_MOMO_ACCESS_KEY": _MOMO_ACCESS,
        "CONNECTORS_MOMO_SECRET_KEY": _MOMO_SECRET,
        "CONNECTORS_PAYOS_API_KEY": _PAYOS_API_KEY,
        "CONNECTORS_PAYOS_CHECKSUM_KEY": _PAYOS_CHECKSUM,
        "CONNECTORS_SEPAY_WEBHOOK_HMAC_SECRET": _SEPAY_SECRET,
        "CONNECTORS_VIETTEL_SINVOICE_PASSWORD": sims["invoice"].password,
        "CONNECTORS_MOBIFONE_PASSWORD": _SMS_PASSWORD,
        "CONNECTORS_IHANOI_TOKEN": sims["ihanoi"].token,
        "CONNECTORS_IHANOI_WEBHOOK_SECRET": _IHANOI_SECRET,
    }


@dataclass
class World:
    """The running simulators, the commune's adapters talking to them, the portal's tables.

    Simulators are the test kit's (typed loosely: the demo reaches them through
    `connectors.providers`); adapters are the library's, built from the configuration.
    """

    output: Path
    config: CommuneConfig
    adapters: Adapters
    outbox: SqliteOutbox
    dossiers: Dossiers
    vnpay_sim: Any
    momo_sim: Any
    payos_sim: Any
    sepay_sim: Any
    invoice_sim: Any
    sms_sim: Any
    ihanoi_sim: Any

    @property
    def gateways(self) -> dict[str, FeeGateway]:
        return self.adapters.payments

    @property
    def invoices(self) -> InvoiceProvider:
        return self.adapters.invoices

    @property
    def sms(self) -> SmsSender:
        return self.adapters.sms

    @property
    def ihanoi(self) -> FeedbackExchange:
        feedback = self.adapters.feedback
        if feedback is None:  # pragma: no cover - the demo's configuration names one
            raise ConfigError("the demo needs a [feedback] provider", field="feedback")
        return feedback

    def simulator_for(self, method: str) -> Any:
        return {"vnpay": self.vnpay_sim, "momo": self.momo_sim, "payos": self.payos_sim}[method]


def _served(stack: ExitStack, app: Any) -> str:
    url: str = stack.enter_context(serve(app))
    return url


def _simulators() -> dict[str, Any]:
    no_sleep = lambda _s: None  # noqa: E731 - simulators' retry schedules, compressed
    sim = {
        key: provider(section, name).simulator_class()
        for key, section, name in (
            ("vnpay", "payments", "vnpay"),
            ("momo", "payments", "momo"),
            ("payos", "payments", "payos"),
            ("sepay", "payments", "sepay"),
            ("invoice", "einvoice", "viettel"),
            ("sms", "sms", "mobifone"),
            ("ihanoi", "feedback", "ihanoi"),
        )
    }
    return {
        "vnpay": sim["vnpay"](hash_secret=_VNPAY_SECRET, sleep=no_sleep),
        "momo": sim["momo"](access_key=_MOMO_ACCESS, secret_key=_MOMO_SECRET, sleep=no_sleep),
        "payos": sim["payos"](
            client_id="demo-client",
            api_key=_PAYOS_API_KEY,
            checksum_key=_PAYOS_CHECKSUM,
            sleep=no_sleep,
        ),
        "sepay": sim["sepay"](hmac_secret=_SEPAY_SECRET, sleep=no_sleep),
        # The commune's signing certificate: a throw-away TEST one, made now, never saved.
        "invoice": sim["invoice"](
            sleep=no_sleep, credentials=generate_test_credentials("UBND Phuong Mau (TEST)")
        ),
        "sms": sim["sms"](
            brandnames=[SMS_BRANDNAME],
            templates={SMS_BRANDNAME: [SMS_TEMPLATE]},
            username=_SMS_USER,
            password=_SMS_PASSWORD,
        ),
        "ihanoi": sim["ihanoi"](sleep=no_sleep),
    }


def start_world(stack: ExitStack, output: Path) -> World:
    """Start every simulator on loopback, write the commune's configuration for them, and
    load and build it (adapters, outbox); then the portal's tables.

    Everything started is stopped when `stack` closes.
    """
    sims = _simulators()
    urls = {
        name: _served(stack, sims[name])
        for name in ("vnpay", "momo", "payos", "invoice", "sms", "ihanoi")
    }
    path = output / "connectors.toml"
    path.write_text(_configuration(urls, sims), encoding="utf-8")
    config = load(path, environ=_environment(sims))
    adapters = build(config)
    stack.callback(adapters.close)
    outbox = adapters.outbox
    if not isinstance(outbox, SqliteOutbox):  # pragma: no cover - its file says outbox.db
        raise ConfigError("the demo's outbox is an SQLite file", field="commune.outbox")
    return World(
        output=output,
        config=config,
        adapters=adapters,
        outbox=outbox,
        dossiers=Dossiers(outbox),
        vnpay_sim=sims["vnpay"],
        momo_sim=sims["momo"],
        payos_sim=sims["payos"],
        sepay_sim=sims["sepay"],
        invoice_sim=sims["invoice"],
        sms_sim=sims["sms"],
        ihanoi_sim=sims["ihanoi"],
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
    bank_feed: Any = world.config.settings("payments", "sepay")
    receiver = bank_feed.webhook()  # its HMAC secret came from the environment
    sepay = _served(stack, receiver.wsgi_app(portal.on_transfer)) + "/hooks/sepay"

    def on_feedback(event: FeedbackEvent) -> None:
        found = DOSSIER_CODE.search(f"{event.feedback.title} {event.feedback.description}")
        if found is not None:
            world.dossiers.link_feedback(found.group(), event.feedback.feedback_id)

    feedback: Any = world.config.settings("feedback", "ihanoi")
    secret = feedback.webhook_secret.get_secret_value()
    hook = WebhookReceiver(secret, on_feedback, seen=world.output / "ihanoi-seen.db")
    world.ihanoi_sim.register_webhook(_served(stack, hook) + "/hooks/ihanoi", secret)
    return Endpoints(ipn=ipn, sepay=sepay)
