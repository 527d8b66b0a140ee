"""Test fixtures shared by the gateway tests: fake credentials, and each gateway wired to
its simulator, in process (`mount`) or on loopback (`serve`)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import requests

from connectors.banks.base import PaymentIntent
from connectors.banks.ipn import IpnHandler
from connectors.banks.momo import MomoGateway
from connectors.banks.payos import PayosGateway
from connectors.banks.vnpay import VnpayGateway
from connectors.core.retry import RetryPolicy
from connectors.core.transport import Timeouts
from connectors.testing import mount, serve
from connectors.testing.conformance.banks import BanksHarness, dossier_refs
from connectors.testing.simulators.banks.momo import MomoGatewaySimulator
from connectors.testing.simulators.banks.payos import PayosGatewaySimulator
from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator

VNPAY_SECRET = "TESTSECRETKEY0123456789ABCDEFGHI"  # spec section 5, vectors B-D
MOMO_ACCESS = "F8BBA842ECF85"  # MoMo's public sandbox demo keys (spec vector E)
MOMO_SECRET = "K951B6PE1waDMi640xX08PD3vg6EkVlz"
PAYOS_API_KEY = "fake-payos-api-key-0001"
PAYOS_CHECKSUM = "fake-payos-checksum-key-0001"

URLS = {
    "vnpay": "https://vnpay.sim.test",
    "momo": "https://momo.sim.test",
    "payos": "https://payos.sim.test",
}
GATEWAYS = ("vnpay", "momo", "payos")
WRITE_ROUTES = {  # the simulator route of each server-side write (VNPay creates on redirect)
    "vnpay": {"refund": "transaction", "query": "transaction"},
    "momo": {"create": "create", "refund": "refund", "query": "query"},
    "payos": {"create": "create", "cancel": "cancel", "query": "info"},
}
RUNNERS = ("in-process", "loopback")


def fast_retry(sleeps: list[float] | None = None) -> RetryPolicy:
    record = sleeps.append if sleeps is not None else (lambda _s: None)
    return RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0, sleep=record)


TIMEOUTS = Timeouts(connect=1.0, read=0.5, total=10.0)


def make_simulator(gateway: str) -> Any:
    no_sleep = lambda _s: None  # noqa: E731
    if gateway == "vnpay":
        return VnpayGatewaySimulator(hash_secret=VNPAY_SECRET, sleep=no_sleep)
    if gateway == "momo":
        return MomoGatewaySimulator(access_key=MOMO_ACCESS, secret_key=MOMO_SECRET, sleep=no_sleep)
    return PayosGatewaySimulator(api_key=PAYOS_API_KEY, checksum_key=PAYOS_CHECKSUM, sleep=no_sleep)


def make_client(gateway: str, base_url: str, **options: Any) -> Any:
    options.setdefault("retry", fast_retry())
    options.setdefault("timeouts", TIMEOUTS)
    if gateway == "vnpay":
        return VnpayGateway(
            tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url=base_url, **options
        )
    if gateway == "momo":
        return MomoGateway(
            partner_code="MOMO",
            access_key=MOMO_ACCESS,
            secret_key=MOMO_SECRET,
            base_url=base_url,
            **options,
        )
    codes = itertools.count(1_735_787_700_001)
    options.setdefault("order_codes", lambda: next(codes))
    return PayosGateway(
        client_id="sim-client",
        api_key=PAYOS_API_KEY,
        checksum_key=PAYOS_CHECKSUM,
        base_url=base_url,
        **options,
    )


@contextmanager
def running(sim: Any, gateway: str, runner: str) -> Iterator[str]:
    """The simulator's base URL: mounted in process, or served on 127.0.0.1."""
    if runner == "in-process":
        with mount(sim, URLS[gateway]):
            yield URLS[gateway]
    else:
        with serve(sim) as base_url:
            yield base_url


def open_in_browser(intent: PaymentIntent) -> None:
    """What the citizen's browser does with VNPay's pay URL."""
    assert intent.redirect_url is not None
    response = requests.get(intent.redirect_url, allow_redirects=False, timeout=5)
    assert 200 == response.status_code, response.headers.get("Location")


@contextmanager
def harness_for(gateway: str, runner: str) -> Iterator[BanksHarness]:
    sim = make_simulator(gateway)
    with ExitStack() as stack:
        base_url = stack.enter_context(running(sim, gateway, runner))
        client = make_client(gateway, base_url)
        stack.callback(client.close)

        def ipn_target(handler: IpnHandler) -> Any:
            if runner == "in-process":
                return handler
            return stack.enter_context(serve(handler)) + "/ipn"

        def make_gateway(timeouts: Timeouts) -> Any:
            made = make_client(gateway, base_url, timeouts=timeouts)
            stack.callback(made.close)
            return made

        yield BanksHarness(
            gateway=client,
            simulator=sim,
            ipn_target=ipn_target,
            open_payment=open_in_browser if gateway == "vnpay" else (lambda _i: None),
            order_refs=(lambda: None) if gateway == "payos" else dossier_refs(),
            write_routes=WRITE_ROUTES[gateway],
            make_gateway=make_gateway,
            served=runner == "loopback",
        )
