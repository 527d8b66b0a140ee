"""Harnesses: each provider's simulator, mounted in process or served on loopback, and how
to build its sender. One table row per provider (`VENDORS`); the per-provider helpers the
tests call (`mobifone_sim`, `viettel_sender`, `esms_harness`...) are that row bound."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from connectors.core import RetryPolicy, Timeouts
from connectors.sms import Brandname, SendResult, SmsSender, Template, TemplateRegistry
from connectors.sms.esms import EsmsSms, report_from_fields
from connectors.sms.mobifone import MobifoneSms
from connectors.sms.sender import SmsClient
from connectors.sms.viettel import ViettelSms
from connectors.sms.vnpt import VnptSms
from connectors.testing import mount, serve
from connectors.testing.conformance.sms import SenderFactory, SmsHarness
from connectors.testing.simulator import Simulator
from connectors.testing.simulators.sms import (
    EsmsSmsSimulator,
    MobifoneSmsSimulator,
    SmsSimulator,
    ViettelSmsSimulator,
    VnptSmsSimulator,
)

BRAND = "UBNDPHUONG"
PAID = "Ho so {dossier} da thanh toan {amount} dong. Ma tra cuu bien lai: {code}"
PARAMS = {"dossier": "HS-0001", "amount": "50.000", "code": "BL-77"}
VNPT_TEMPLATE_ID = "40021"
VNPT_LABEL_ID = "1201"


def registry() -> TemplateRegistry:
    """The portal's registry: one unaccented brandname with the "paid" template."""
    return TemplateRegistry(
        [Brandname(BRAND)],
        [Template("paid", PAID, BRAND, vendor_ids={"vnpt": VNPT_TEMPLATE_ID})],
    )


def fast_retry() -> RetryPolicy:
    return RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0, sleep=lambda _s: None)


def fast_timeouts() -> Timeouts:
    return Timeouts(connect=1.0, read=0.5, total=10.0)


def defaults(options: dict[str, object]) -> dict[str, object]:
    """The test clients' options: registry, brandname, fast retries; `options` win."""
    base: dict[str, object] = {
        "templates": registry(),
        "brandname": BRAND,
        "retry": fast_retry(),
        "timeouts": fast_timeouts(),
    }
    return {**base, **options}


MOBIFONE_URL = "https://mobifone.sim.test"
VIETTEL_URL = "https://viettel.sim.test"
VNPT_URL = "https://vnpt.sim.test"
ESMS_URL = "https://esms.sim.test"
RUNNERS = ("in-process", "loopback")


def _esms_report(sim: SmsSimulator) -> Callable[[SendResult], Any]:
    def report(result: SendResult) -> Any:
        assert isinstance(sim, EsmsSmsSimulator)
        assert result.provider_message_id is not None
        sim.complete(result.provider_message_id, delivered=True)
        return report_from_fields(sim.report_fields(result.provider_message_id))

    return report


def _mobifone_sessions(sim: SmsSimulator) -> dict[str, Any]:
    assert isinstance(sim, MobifoneSmsSimulator)
    return {"expire_sessions": sim.expire_sessions, "login_route": "login"}


@dataclass(frozen=True)
class Vendor:
    """One provider under test: its client, simulator, URL, credentials, and what its
    conformance harness says beyond the common fields."""

    name: str
    client: type[SmsClient[Any, Any]]
    make_sim: Callable[[], SmsSimulator]
    url: str
    credentials: dict[str, Any]
    harness: dict[str, Any] = field(default_factory=dict)
    capabilities: Callable[[SmsSimulator], dict[str, Any]] = lambda _sim: {}


def _sim(cls: type[SmsSimulator], **options: Any) -> Callable[[], SmsSimulator]:
    return functools.partial(cls, brandnames=[BRAND], **options)


VENDORS = {
    v.name: v
    for v in (
        Vendor(
            "mobifone",
            MobifoneSms,
            _sim(MobifoneSmsSimulator, templates={BRAND: [PAID]}),
            MOBIFONE_URL,
            {"username": "portal-test", "password": "fake-password-1"},
            {
                "send_route": "send",
                "gateway_dedup": False,
                "gateway_dedup_skip": "smsg has no request id: only the sender's journal "
                "de-duplicates",
                "keyed": False,
                "delivery_report_skip": "MobiFone publishes no delivery-report interface (spec 2)",
            },
            _mobifone_sessions,
        ),
        Vendor(
            "viettel",
            ViettelSms,
            _sim(ViettelSmsSimulator, templates={BRAND: [PAID]}),
            VIETTEL_URL,
            {"user": "smsbrand_test", "password": "fake-password-2", "cp_code": "CP-TEST"},
            {
                "send_route": "wsCpMt",
                "delivery_report_skip": "Viettel publishes no delivery-report interface (spec 1)",
                "session_skip": "wsCpMt sends the credentials on every call: there is no session",
            },
        ),
        Vendor(
            "vnpt",
            VnptSms,
            _sim(
                VnptSmsSimulator,
                labels={VNPT_LABEL_ID: BRAND},
                templates={VNPT_TEMPLATE_ID: (VNPT_LABEL_ID, PAID)},
            ),
            VNPT_URL,
            {
                "agent_id": "AG-TEST",
                "api_user": "api-test",
                "api_pass": "fake-password-3",
                "username": "portal-user",
                "contract_id": "HD-1",
                "labels": {BRAND: VNPT_LABEL_ID},
            },
            {
                "send_route": "send_sms_list",
                "delivery_report_skip": "VNPT's get_sms_status_api reply fields are not public "
                "(spec 3, 10)",
                "session_skip": "the agent API sends the credentials on every call: no session",
            },
        ),
        Vendor(
            "esms",
            EsmsSms,
            _sim(EsmsSmsSimulator, templates={BRAND: [PAID]}),
            ESMS_URL,
            {"api_key": "fake-api-key-4", "secret_key": "fake-secret-key-4"},
            {
                "send_route": "send",
                "session_skip": "eSMS sends the API keys on every call: there is no session",
            },
            lambda sim: {"delivery_report": _esms_report(sim)},
        ),
    )
}


def sender(name: str, base_url: str, **options: Any) -> Any:
    """Provider `name`'s client against `base_url` with the test defaults (`options` win)."""
    vendor = VENDORS[name]
    return vendor.client(base_url=base_url, **vendor.credentials, **defaults(options))


def simulator(name: str) -> Any:
    """A fresh simulator of provider `name` holding the test brandname and template."""
    return VENDORS[name].make_sim()


@contextmanager
def running(sim: Simulator, url: str, runner: str) -> Iterator[str]:
    """The simulator's base URL: mounted in process at `url`, or served on 127.0.0.1."""
    if runner == "in-process":
        with mount(sim, url):
            yield url
    else:
        with serve(sim) as base_url:
            yield base_url


def factory(build: Callable[..., SmsSender], base_url: str) -> SenderFactory:
    """`build(base_url, ...)` as a harness's `make_sender` (timeouts passed on if given)."""

    def make(*, timeouts: Timeouts | None = None) -> SmsSender:
        return build(base_url) if timeouts is None else build(base_url, timeouts=timeouts)

    return make


@contextmanager
def harness(name: str, runner: str = "in-process") -> Iterator[SmsHarness]:
    """Provider `name`'s conformance harness, its simulator running by `runner`."""
    vendor = VENDORS[name]
    sim = vendor.make_sim()
    with running(sim, vendor.url, runner) as base_url:
        yield SmsHarness(
            provider=name,
            simulator=sim,
            make_sender=factory(functools.partial(sender, name), base_url),
            served=runner == "loopback",
            template_id="paid",
            params=PARAMS,
            force=sim.force,
            **vendor.harness,
            **vendor.capabilities(sim),
        )


def mobifone_sim() -> MobifoneSmsSimulator:
    return simulator("mobifone")


def viettel_sim() -> ViettelSmsSimulator:
    return simulator("viettel")


def vnpt_sim() -> VnptSmsSimulator:
    return simulator("vnpt")


def esms_sim() -> EsmsSmsSimulator:
    return simulator("esms")


mobifone_sender: Callable[..., MobifoneSms] = functools.partial(sender, "mobifone")
viettel_sender: Callable[..., ViettelSms] = functools.partial(sender, "viettel")
vnpt_sender: Callable[..., VnptSms] = functools.partial(sender, "vnpt")
esms_sender: Callable[..., EsmsSms] = functools.partial(sender, "esms")
mobifone_harness = functools.partial(harness, "mobifone")
viettel_harness = functools.partial(harness, "viettel")
vnpt_harness = functools.partial(harness, "vnpt")
esms_harness = functools.partial(harness, "esms")
