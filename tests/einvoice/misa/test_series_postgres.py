"""MISA's per-series lock as a PostgreSQL advisory lock, shared by several servers."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from connectors.core import ConnectionFailed, RetryPolicy, Timeouts, Transport
from connectors.einvoice.misa import MisaInvoice, PostgresSeriesLocks, SeriesLock
from connectors.testing import serve
from connectors.testing.simulators.einvoice.misa import MisaInvoiceSimulator
from tests.einvoice.misa.test_client import receipt, settings
from tests.pg import PgTarget

ROOT = Path(__file__).resolve().parents[3]


def server(pg: PgTarget, base_url: str) -> tuple[MisaInvoice, PostgresSeriesLocks]:
    """One app server's MISA client: its own transport and its own database connections."""
    locks = PostgresSeriesLocks(pg.dsn, schema=pg.schema)
    config = settings(base_url)
    transport = Transport(
        "misa",
        timeouts=Timeouts(connect=0.5, read=5.0, total=10),
        retry=RetryPolicy(max_attempts=3, sleep=lambda _s: None),
        redactor=config.redactor("Authorization"),
    )
    return MisaInvoice(config, transport=transport, series_locks=locks), locks


def test_three_servers_issuing_on_one_series_never_overlap_and_leave_no_gap(
    pg: PgTarget,
) -> None:
    sim = MisaInvoiceSimulator(processing_delay=0.03)
    numbers: list[str | None] = []
    with serve(sim) as base:
        servers = [server(pg, base + "/api/integration") for _ in range(3)]
        try:

            def work(misa: MisaInvoice) -> None:
                for _ in range(3):
                    numbers.append(misa.issue(receipt()).number)

            threads = [threading.Thread(target=work, args=(misa,)) for misa, _ in servers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            for _, locks in servers:
                locks.close()
    assert [str(n) for n in range(1, 10)] == sorted(numbers, key=lambda n: int(n or 0))
    assert 0 == sim.overlaps, "MISA never saw two requests on the series at once"
    assert 9 == sim.ledger.count("invoice")


def test_one_series_is_held_by_one_server_at_a_time_and_two_series_are_not(
    pg: PgTarget,
) -> None:
    servers = [PostgresSeriesLocks(pg.dsn, schema=pg.schema) for _ in range(4)]
    assert all(isinstance(locks, SeriesLock) for locks in servers)
    inside: list[str] = []
    overlap: list[bool] = []
    together: list[bool] = []
    guard = threading.Lock()

    def work(locks: PostgresSeriesLocks, series: str) -> None:
        with locks.hold(series):
            with guard:
                overlap.append(series in inside)
                inside.append(series)
            time.sleep(0.05)
            with guard:
                together.append(len(set(inside)) > 1)
                inside.remove(series)

    threads = [
        threading.Thread(target=work, args=(locks, series))
        for locks, series in zip(servers, ["C25TAA", "C25TAA", "C25TAA", "C25TBB"], strict=True)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for locks in servers:
            locks.close()
    assert [False] * 4 == overlap
    assert any(together), "the other series ran meanwhile"


def test_spacing_is_measured_on_the_database_clock_across_servers(pg: PgTarget) -> None:
    waits: list[float] = []
    first = PostgresSeriesLocks(pg.dsn, schema=pg.schema, spacing=3.0)
    second = PostgresSeriesLocks(pg.dsn, schema=pg.schema, spacing=3.0, sleep=waits.append)
    try:
        with first.hold("C25TAA"):
            pass
        with second.hold("C25TAA"):
            pass
        with second.hold("C25TBB"):  # never written: no wait
            pass
    finally:
        first.close()
        second.close()
    assert 1 == len(waits)
    assert 2.0 < waits[0] <= 3.0


def test_a_server_killed_while_holding_a_series_releases_it(pg: PgTarget) -> None:
    holder = subprocess.Popen(  # noqa: S603 (our own interpreter)
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from connectors.einvoice.misa import PostgresSeriesLocks\n"
            f"locks = PostgresSeriesLocks({pg.dsn!r}, schema={pg.schema!r})\n"
            "with locks.hold('C25TAA'):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(600)\n",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    locks = PostgresSeriesLocks(pg.dsn, schema=pg.schema)
    try:
        assert holder.stdout is not None
        assert "held" == holder.stdout.readline().strip()
        taken = threading.Event()

        def take() -> None:
            with locks.hold("C25TAA"):
                taken.set()

        waiter = threading.Thread(target=take)
        waiter.start()
        assert not taken.wait(0.5), "held by the other server"
        holder.kill()
        assert taken.wait(10), "released when its server died"
        waiter.join()
    finally:
        holder.kill()
        holder.communicate(timeout=10)
        locks.close()


def test_without_the_database_the_write_is_not_attempted() -> None:
    locks = PostgresSeriesLocks("postgresql://127.0.0.1:1/portal", connect_timeout=2)
    ran: list[bool] = []
    with pytest.raises(ConnectionFailed) as caught, locks.hold("C25TAA"):
        ran.append(True)
    assert ([], False, "series_lock") == (ran, caught.value.sent, caught.value.operation)


def test_spacing_and_timeout_must_make_sense() -> None:
    with pytest.raises(ValueError, match="spacing"):
        PostgresSeriesLocks("postgresql://127.0.0.1:1/portal", spacing=-1)
    with pytest.raises(ValueError, match="hold_timeout"):
        PostgresSeriesLocks("postgresql://127.0.0.1:1/portal", hold_timeout=0)
