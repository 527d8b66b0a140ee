"""`connectors.aio`: the sync clients' own calls in a worker thread, the event loop free;
a cancelled or timed-out await stops the waiting, not the call, whose outcome the portal
finds again under the key it chose."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from connectors import aio
from connectors.banks import PaymentRequest, PaymentStatus
from connectors.banks.payos import PayosGateway
from connectors.core import ReadTimeout, Timeouts
from connectors.testing import serve
from connectors.testing.faults import Latency
from connectors.testing.simulators.banks.payos import PayosGatewaySimulator
from tests.banks.gateways import PAYOS_API_KEY, PAYOS_CHECKSUM, fast_retry


@pytest.fixture
def sim() -> PayosGatewaySimulator:
    return PayosGatewaySimulator(
        client_id="sim-client", api_key=PAYOS_API_KEY, checksum_key=PAYOS_CHECKSUM
    )


@pytest.fixture
def gateway(sim: PayosGatewaySimulator) -> Iterator[PayosGateway]:
    with serve(sim) as url:
        yield PayosGateway(
            client_id="sim-client",
            api_key=PAYOS_API_KEY,
            checksum_key=PAYOS_CHECKSUM,
            base_url=url,
            timeouts=Timeouts(connect=1.0, read=0.4, total=0.8),
            retry=fast_retry(),
        )


def request(order_ref: str) -> PaymentRequest:
    return PaymentRequest(
        dossier_code="HS2026000101",
        amount=20_000,
        description="Le phi HS2026000101",
        return_url="https://portal.example/paid",
        order_ref=order_ref,
    )


def test_create_and_query_are_the_sync_calls_run_off_the_loop(gateway: PayosGateway) -> None:
    payments = aio.AsyncGateway(gateway)
    threads: list[str] = []
    original = gateway.create_payment

    def spy(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread().name)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    gateway.create_payment = spy  # type: ignore[method-assign]

    async def go() -> tuple[str, PaymentStatus]:
        intent = await payments.create_payment(request("1735787700101"))
        report = await payments.query(intent.order_ref)
        return intent.order_ref, report.status

    assert ("1735787700101", PaymentStatus.PENDING) == asyncio.run(go())
    assert 1 == len(threads)
    assert threading.main_thread().name != threads[0]


def test_a_cancelled_create_still_happens_and_the_portal_finds_it_by_its_order_ref(
    sim: PayosGatewaySimulator, gateway: PayosGateway
) -> None:
    sim.faults.add("create", Latency(0.3))
    payments = aio.AsyncGateway(gateway)

    async def go() -> float:
        task = asyncio.create_task(payments.create_payment(request("1735787700102")))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        task.cancel()  # the citizen closed the page
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    waited = asyncio.run(go())  # returns once the executor's thread is done
    assert waited < 0.2  # the waiting stopped at once; the call went on in its thread
    assert 1 == sim.ledger.count("order")
    found = gateway.query("1735787700102")
    assert ("1735787700102", PaymentStatus.PENDING) == (found.order_ref, found.status)


def test_a_timeout_is_the_clients_deadline_with_the_sync_error_class(
    sim: PayosGatewaySimulator, gateway: PayosGateway
) -> None:
    gateway.create_payment(request("1735787700103"))
    sim.faults.add("info", Latency(2.0), times=5)
    payments = aio.AsyncGateway(gateway)
    with pytest.raises(ReadTimeout) as raised:
        asyncio.run(payments.query("1735787700103"))
    assert raised.value.provider == "payos"
