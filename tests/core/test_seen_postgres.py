"""The PostgreSQL seen-store: one record of handled callbacks for every app server."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

from connectors.core import PostgresSeenStore, SeenStore
from tests.pg import PgTarget, admin

ROOT = Path(__file__).resolve().parents[2]


def test_a_key_is_marked_done_once_whichever_server_asks(pg: PgTarget) -> None:
    with (
        PostgresSeenStore(pg.dsn, schema=pg.schema) as first,
        PostgresSeenStore(pg.dsn, schema=pg.schema) as second,
    ):
        assert isinstance(first, SeenStore)
        assert not first.seen("TXN-1", namespace="vnpay")
        assert first.mark_done("TXN-1", namespace="vnpay")
        assert second.seen("TXN-1", namespace="vnpay"), "the other server sees it"
        assert [False, False] == [
            second.mark_done("TXN-1", namespace="vnpay"),
            first.mark_done("TXN-1", namespace="vnpay"),
        ]
        assert not second.seen("TXN-1"), "namespaces are separate"
        assert second.mark_done("TXN-1", namespace="momo")
        second.discard("TXN-1", namespace="vnpay")
        second.discard("never-added")
        assert not first.seen("TXN-1", namespace="vnpay")
        assert first.mark_done("TXN-1", namespace="vnpay"), "staff reprocess it"
    assert "PostgresSeenStore(" in repr(first)


def test_threads_on_several_stores_win_each_key_once(pg: PgTarget) -> None:
    keys = [f"evt_{n:04d}" for n in range(200)]
    stores = [PostgresSeenStore(pg.dsn, schema=pg.schema) for _ in range(3)]
    wins: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(stores) * 3)

    def worker(store: PostgresSeenStore) -> None:
        barrier.wait()
        for key in keys:
            if store.mark_done(key):
                with lock:
                    wins.append(key)

    threads = [threading.Thread(target=worker, args=(s,)) for s in stores for _ in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for store in stores:
            store.close()
    assert sorted(keys) == sorted(wins)


_RACE = """
import json, sys
from connectors.core import PostgresSeenStore
with PostgresSeenStore(sys.argv[1], schema=sys.argv[2]) as store:
    print(json.dumps([k for k in sys.argv[3:] if store.mark_done(k, namespace="sepay")]))
"""


def test_app_server_processes_win_each_key_once(pg: PgTarget) -> None:
    keys = [f"evt_{n:04d}" for n in range(200)]
    command = [sys.executable, "-c", _RACE, pg.dsn, pg.schema, *keys]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)  # noqa: S603
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=60)[0] for process in processes]
    assert [0, 0, 0] == [process.returncode for process in processes]
    wins = [key for output in outputs for key in json.loads(output)]
    assert sorted(keys) == sorted(wins)


def test_purge_forgets_keys_marked_before_a_time_on_the_database_clock(pg: PgTarget) -> None:
    with PostgresSeenStore(pg.dsn, schema=pg.schema) as store:
        store.mark_done("old")
        with admin(pg.dsn) as conn:
            conn.execute(
                f"UPDATE \"{pg.schema}\".seen_events SET first_seen = now() - interval '400 days'"  # noqa: S608
                " WHERE key = 'old'"
            )
        store.mark_done("new")
        assert 1 == store.purge(time.time() - 300 * 86400)
        assert (False, True) == (store.seen("old"), store.seen("new"))


def test_an_ipn_retried_at_another_app_server_reaches_the_portal_once(pg: PgTarget) -> None:
    from connectors.banks.ipn import IpnHandler
    from connectors.banks.vnpay import VnpayGateway
    from connectors.testing import mount
    from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator
    from tests.banks.gateways import VNPAY_SECRET
    from tests.banks.test_ipn import URL, VNPAY_ANSWERS, CallbackOutcome, Portal, paid

    simulator = VnpayGatewaySimulator(hash_secret=VNPAY_SECRET, sleep=lambda _s: None)
    vnpay = VnpayGateway(tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url=URL)
    with mount(simulator, URL):
        params = paid(simulator, vnpay)
    portal = Portal({params["vnp_TxnRef"]: 50_000})
    answers = []
    for _ in range(2):  # VNPay retries; the load balancer picks the other server
        with PostgresSeenStore(pg.dsn, schema=pg.schema) as seen:
            handler = IpnHandler(
                vnpay,
                expected_amount=portal.expected_amount,
                on_payment=portal.on_payment,
                store=seen,
            )
            answers.append(handler.handle(method="GET", query=params).body)
    assert [
        VNPAY_ANSWERS[CallbackOutcome.ACCEPTED],
        VNPAY_ANSWERS[CallbackOutcome.DUPLICATE],
    ] == answers
    assert [params["vnp_TxnRef"]] == [note.order_ref for note in portal.received]
