"""Harnesses: each provider's simulator, mounted in process or served on loopback, and how
to build its sender."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from connectors.core import RetryPolicy, Timeouts
from connectors.sms import Brandname, SendResult, SmsSender, Template, TemplateRegistry
from connectors.sms.esms import EsmsSms, report_from_fields
from connectors.sms.esms.simulator import EsmsSimulator
from connectors.sms.mobifone import MobifoneSms
from connectors.sms.mobifone.simulator import MobifoneSimulator
from connectors.sms.viettel import ViettelSms
from connectors.sms.viettel.simulator import ViettelSimulator
from connectors.sms.vnpt import VnptSms
from connectors.sms.vnpt.simulator import VnptSimulator
from connectors.testing import mount, serve
from connectors.testing.conformance.sms import SenderFactory, SmsHarness
from connectors.testing.simulator import Simulator

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


def mobifone_sim() -> MobifoneSimulator:
    return MobifoneSimulator(brandnames=[BRAND], templates={BRAND: [PAID]})


def mobifone_sender(base_url: str, **options: object) -> MobifoneSms:
    return MobifoneSms(
        base_url=base_url,
        username="portal-test",
        password="fake-password-1",
        **defaults(options),  # type: ignore[arg-type]
    )


def viettel_sim() -> ViettelSimulator:
    return ViettelSimulator(brandnames=[BRAND], templates={BRAND: [PAID]})


def viettel_sender(base_url: str, **options: object) -> ViettelSms:
    return ViettelSms(
        base_url=base_url,
        user="smsbrand_test",
        password="fake-password-2",
        cp_code="CP-TEST",
        **defaults(options),  # type: ignore[arg-type]
    )


def vnpt_sim() -> VnptSimulator:
    return VnptSimulator(
        brandnames=[BRAND],
        labels={VNPT_LABEL_ID: BRAND},
        templates={VNPT_TEMPLATE_ID: (VNPT_LABEL_ID, PAID)},
    )


def vnpt_sender(base_url: str, **options: object) -> VnptSms:
    return VnptSms(
        base_url=base_url,
        agent_id="AG-TEST",
        api_user="api-test",
        api_pass="fake-password-3",
        username="portal-user",
        contract_id="HD-1",
        labels={BRAND: VNPT_LABEL_ID},
        **defaults(options),  # type: ignore[arg-type]
    )


def esms_sim() -> EsmsSimulator:
    return EsmsSimulator(brandnames=[BRAND], templates={BRAND: [PAID]})


def esms_sender(base_url: str, **options: object) -> EsmsSms:
    return EsmsSms(
        base_url=base_url,
        api_key="fake-api-key-4",
        secret_key="fake-secret-key-4",
        **defaults(options),  # type: ignore[arg-type]
    )


@contextmanager
def mobifone_harness(runner: str = "in-process") -> Iterator[SmsHarness]:
    sim = mobifone_sim()
    with running(sim, MOBIFONE_URL, runner) as base_url:
        yield SmsHarness(
            provider="mobifone",
            simulator=sim,
            make_sender=factory(mobifone_sender, base_url),
            served=runner == "loopback",
            send_route="send",
            template_id="paid",
            params=PARAMS,
            force=sim.force,
            gateway_dedup=False,
            gateway_dedup_skip="smsg has no request id: only the sender's journal de-duplicates",
            keyed=False,
            delivery_report_skip="MobiFone publishes no delivery-report interface (spec 2)",
            expire_sessions=sim.expire_sessions,
            login_route="login",
        )


@contextmanager
def viettel_harness(runner: str = "in-process") -> Iterator[SmsHarness]:
    sim = viettel_sim()
    with running(sim, VIETTEL_URL, runner) as base_url:
        yield SmsHarness(
            provider="viettel",
            simulator=sim,
            make_sender=factory(viettel_sender, base_url),
            served=runner == "loopback",
            send_route="wsCpMt",
            template_id="paid",
            params=PARAMS,
            force=sim.force,
            delivery_report_skip="Viettel publishes no delivery-report interface (spec 1)",
            session_skip="wsCpMt sends the credentials on every call: there is no session",
        )


@contextmanager
def vnpt_harness(runner: str = "in-process") -> Iterator[SmsHarness]:
    sim = vnpt_sim()
    with running(sim, VNPT_URL, runner) as base_url:
        yield SmsHarness(
            provider="vnpt",
            simulator=sim,
            make_sender=factory(vnpt_sender, base_url),
            served=runner == "loopback",
            send_route="send_sms_list",
            template_id="paid",
            params=PARAMS,
            force=sim.force,
            delivery_report_skip=(
                "VNPT's get_sms_status_api reply fields are not public (spec 3, 10)"
            ),
            session_skip="the agent API sends the credentials on every call: no session",
        )


def _esms_report(sim: EsmsSimulator, result: SendResult) -> object:
    assert result.provider_message_id is not None
    sim.complete(result.provider_message_id, delivered=True)
    return report_from_fields(sim.report_fields(result.provider_message_id))


@contextmanager
def esms_harness(runner: str = "in-process") -> Iterator[SmsHarness]:
    sim = esms_sim()
    with running(sim, ESMS_URL, runner) as base_url:
        yield SmsHarness(
            provider="esms",
            simulator=sim,
            make_sender=factory(esms_sender, base_url),
            served=runner == "loopback",
            send_route="send",
            template_id="paid",
            params=PARAMS,
            force=sim.force,
            delivery_report=lambda result: _esms_report(sim, result),  # type: ignore[arg-type,return-value]
            session_skip="eSMS sends the API keys on every call: there is no session",
        )
