"""The PostgreSQL outbox against a real server, with worker and app-server processes.

Every test counts effects at a loopback vendor by key (`vendor.EffectVendor`, which
de-duplicates keys as the real ones do, and records every request): none lost, none made
twice, every request under its job's own key. Workers are `pg_worker` processes; they are
killed (SIGKILL), cut off (`pg_terminate_backend`), stopped past their lease (SIGSTOP) and
see the server restart under them (only where `CONNECTORS_TEST_POSTGRES_RESTART=1`).
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.delivery import JobState, NewJob, Worker
from connectors.delivery.postgres import PostgresOutbox
from connectors.testing import Latency, SimRequest, SimResponse, serve
from tests.pg import RESTART_ENV, PgTarget, admin

from .pg_worker import application_name
from .vendor import EffectClient, EffectVendor

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
RESTART_CMD_ENV = "CONNECTORS_TEST_POSTGRES_RESTART_CMD"
DEFAULT_RESTART = "pg_ctlcluster 15 main restart -m immediate"


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def outbox(pg: PgTarget) -> Iterator[PostgresOutbox]:
    with PostgresOutbox(pg.dsn, schema=pg.schema) as store:
        yield store


def enqueue(outbox: PostgresOutbox, keys: list[str]) -> None:
    with outbox.transaction() as tx:
        for n, key in enumerate(keys):
            tx.enqueue(NewJob("effect", key, {"dossier": n}))


class Workers:
    """Worker processes on one schema and vendor; stopped (SIGTERM) and read at the end."""

    def __init__(self, pg: PgTarget, vendor_url: str, logs: Path) -> None:
        self.pg = pg
        self.vendor_url = vendor_url
        self.logs = logs
        self.procs: dict[str, subprocess.Popen[str]] = {}

    def stderr(self, owner: str) -> str:
        """What the worker `owner` logged so far."""
        return (self.logs / f"{owner}.err").read_text(encoding="utf-8")

    def spawn(self, owner: str, *options: str) -> subprocess.Popen[str]:
        errors = (self.logs / f"{owner}.err").open("w", encoding="utf-8")
        proc = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [
                sys.executable,
                "-m",
                "tests.delivery.pg_worker",
                self.pg.dsn,
                self.pg.schema,
                self.vendor_url,
                owner,
                *options,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        errors.close()
        assert proc.stdout is not None
        assert "started" == proc.stdout.readline().strip()
        self.procs[owner] = proc
        return proc

    def stop(self) -> dict[str, tuple[dict[str, Any] | None, str]]:
        """SIGTERM every live worker; each one's report (None if it was killed) and stderr."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.terminate()
        found = {}
        for owner, proc in self.procs.items():
            out, _ = proc.communicate(timeout=60)
            lines = out.strip().splitlines()
            report = json.loads(lines[-1]) if proc.returncode == 0 and lines else None
            found[owner] = (report, self.stderr(owner))
        return found

    def kill_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


@pytest.fixture
def vendor() -> Iterator[tuple[EffectVendor, str]]:
    effects = EffectVendor()
    with serve(effects) as base_url:
        yield effects, base_url


def assert_exactly_once(
    vendor: EffectVendor, outbox: PostgresOutbox, keys: list[str]
) -> Counter[str]:
    """Every key's effect made once, every job done with the vendor's record; the requests
    sent per key (each carrying its job's key) are returned."""
    ledger = vendor.ledger.entries("effect")
    assert sorted(keys) == sorted(entry.key for entry in ledger), "an effect lost or doubled"
    by_key = {entry.key: entry.data["number"] for entry in ledger}
    assert {JobState.DONE: len(keys)} == {s: n for s, n in outbox.counts().items() if n}
    done = outbox.jobs(JobState.DONE, limit=len(keys))
    assert all(by_key[job.key] == (job.result or {})["number"] for job in done)
    sent = Counter(seen.header("Idempotency-Key") for seen in vendor.requests_to("create"))
    assert set(keys) == set(sent), "every request carried its own job's key"
    return sent


def test_three_workers_drain_3000_jobs_each_effect_once(
    pg: PgTarget, outbox: PostgresOutbox, vendor: tuple[EffectVendor, str], tmp_path: Path
) -> None:
    effects, url = vendor
    keys = [f"HS-{n:05d}:receipt" for n in range(3000)]
    enqueue(outbox, keys)
    workers = Workers(pg, url, tmp_path)
    try:
        for n in range(3):
            workers.spawn(f"w{n}")
        wait_for(lambda: outbox.counts()[JobState.DONE] == len(keys), 180, "the drain")
        reports = workers.stop()
    finally:
        workers.kill_all()
    sent = assert_exactly_once(effects, outbox, keys)
    assert dict.fromkeys(keys, 1) == dict(sent), "no job ran twice"
    done = {owner: (report or {}).get("done", 0) for owner, (report, _) in reports.items()}
    assert len(keys) == sum(done.values()), done
    assert all(count > 0 for count in done.values()), done


def test_a_worker_sigkilled_mid_drain_loses_and_doubles_nothing(
    pg: PgTarget, outbox: PostgresOutbox, vendor: tuple[EffectVendor, str], tmp_path: Path
) -> None:
    effects, url = vendor
    effects.faults.add("create", Latency(0.002), times=10_000)
    keys = [f"HS-{n:05d}:sms" for n in range(1500)]
    enqueue(outbox, keys)
    workers = Workers(pg, url, tmp_path)
    try:
        doomed = workers.spawn("doomed", "--lease", "2")
        for n in range(2):
            workers.spawn(f"w{n}", "--lease", "2")
        wait_for(lambda: effects.ledger.count("effect") >= 500, 120, "progress")
        doomed.kill()
        doomed.wait(10)
        held = [
            job for job in outbox.jobs(JobState.LEASED, limit=100) if job.lease_owner == "doomed"
        ]
        wait_for(lambda: outbox.counts()[JobState.DONE] == len(keys), 180, "the survivors")
        reports = workers.stop()
    finally:
        workers.kill_all()
    assert -signal.SIGKILL == doomed.returncode
    sent = assert_exactly_once(effects, outbox, keys)
    assert dict.fromkeys(keys, 1) == dict(sent), "the killed worker's jobs were not resent"
    assert reports["doomed"][0] is None
    survivors = [report for owner, (report, _) in reports.items() if owner != "doomed"]
    assert all(report is not None for report in survivors)
    print(f"killed holding {len(held)} leased job(s); effects {len(effects.ledger.entries())}")


def test_every_workers_connection_cut_mid_drain_they_reconnect_and_finish(
    pg: PgTarget, outbox: PostgresOutbox, vendor: tuple[EffectVendor, str], tmp_path: Path
) -> None:
    effects, url = vendor
    effects.faults.add("create", Latency(0.002), times=10_000)
    keys = [f"HS-{n:05d}:status" for n in range(1500)]
    enqueue(outbox, keys)
    workers = Workers(pg, url, tmp_path)
    cut = 0
    try:
        for n in range(3):
            workers.spawn(f"w{n}", "--lease", "3")
        for progress in (300, 700, 1100):
            wait_for(lambda p=progress: effects.ledger.count("effect") >= p, 120, "progress")
            with admin(pg.dsn) as conn:
                cut += len(
                    conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE application_name = %s",
                        (application_name(pg.schema),),
                    ).fetchall()
                )
        wait_for(lambda: outbox.counts()[JobState.DONE] == len(keys), 180, "the drain")
        assert all(proc.poll() is None for proc in workers.procs.values()), "all survived"
        reports = workers.stop()
    finally:
        workers.kill_all()
    assert cut >= 6, "each round cut the workers' connections"
    sent = assert_exactly_once(effects, outbox, keys)
    assert dict.fromkeys(keys, 1) == dict(sent)
    store_errors = sum((report or {}).get("store_errors", 0) for report, _ in reports.values())
    assert store_errors >= 3, reports
    print(f"cut {cut} connections; the workers saw {store_errors} store errors")


class StallingVendor(EffectVendor):
    """Records the effect for `key`, then holds its answer until `release` is set."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.arrived = threading.Event()
        self.release = threading.Event()

    def _create(self, request: SimRequest) -> SimResponse:
        answer = super()._create(request)
        if request.header("Idempotency-Key") == self.key and not self.arrived.is_set():
            self.arrived.set()
            self.release.wait(30)
        return answer


def test_a_worker_stopped_past_its_lease_is_refused_and_the_effect_not_doubled(
    pg: PgTarget, outbox: PostgresOutbox, tmp_path: Path
) -> None:
    keys = ["HS-00000:receipt"] + [f"HS-{n:05d}:receipt" for n in range(1, 50)]
    effects = StallingVendor(keys[0])
    enqueue(outbox, keys)
    with serve(effects) as url:
        workers = Workers(pg, url, tmp_path)
        try:
            stalled = workers.spawn(
                "stalled", "--lease", "1", "--batch", "1", "--read-timeout", "60"
            )
            assert effects.arrived.wait(30), "the first job reached the vendor"
            stalled.send_signal(signal.SIGSTOP)
            effects.release.set()  # the answer waits in the stopped worker's socket
            survivor = Worker(
                outbox, {"effect": EffectClient(url).task()}, owner="survivor", lease_seconds=5
            )
            time.sleep(1.2)  # past the stalled worker's lease
            report = survivor.run(until_idle=True, poll_interval=0.05)
            assert (1, len(keys)) == (report.found_by_lookup, report.done)
            stalled.send_signal(signal.SIGCONT)
            wait_for(lambda: "lease lost" in workers.stderr("stalled"), 30, "the refusal")
            reports = workers.stop()
        finally:
            workers.kill_all()
    sent = assert_exactly_once(effects, outbox, keys)
    assert dict.fromkeys(keys, 1) == dict(sent), "the survivor looked the effect up, no resend"
    stalled_report, stderr = reports["stalled"]
    assert stalled_report is not None
    assert (0, 1) == (stalled_report["done"], stalled_report["lost_lease"]), stderr
    assert f"job {keys[0]}: lease lost before completion" in stderr


def test_the_server_restarting_mid_drain_loses_and_doubles_nothing(
    pg: PgTarget, outbox: PostgresOutbox, vendor: tuple[EffectVendor, str], tmp_path: Path
) -> None:
    if os.environ.get(RESTART_ENV) != "1":
        pytest.skip(f"restarts the PostgreSQL server: set {RESTART_ENV}=1 where nobody shares it")
    command = shlex.split(os.environ.get(RESTART_CMD_ENV, DEFAULT_RESTART))
    effects, url = vendor
    effects.faults.add("create", Latency(0.002), times=10_000)
    keys = [f"HS-{n:05d}:receipt" for n in range(1500)]
    enqueue(outbox, keys)
    workers = Workers(pg, url, tmp_path)
    try:
        for n in range(3):
            workers.spawn(f"w{n}", "--lease", "5")
        wait_for(lambda: effects.ledger.count("effect") >= 500, 120, "progress")
        restarted = subprocess.run(command, capture_output=True, text=True, timeout=120)  # noqa: S603
        assert 0 == restarted.returncode, restarted.stderr
        wait_for(lambda: _accepts(pg.dsn), 60, "the server to accept connections again")
        wait_for(lambda: _done(outbox) == len(keys), 180, "the drain after the restart")
        assert all(proc.poll() is None for proc in workers.procs.values()), "all survived"
        reports = workers.stop()
    finally:
        workers.kill_all()
    sent = assert_exactly_once(effects, outbox, keys)
    assert dict.fromkeys(keys, 1) == dict(sent)
    store_errors = sum((report or {}).get("store_errors", 0) for report, _ in reports.values())
    assert store_errors >= 3, reports
    print(f"restart: the workers saw {store_errors} store errors")


def _accepts(dsn: str) -> bool:
    try:
        with admin(dsn) as conn:
            conn.execute("SELECT 1")
    except Exception:  # the server is still starting
        return False
    return True


def _done(outbox: PostgresOutbox) -> int:
    try:
        return outbox.counts()[JobState.DONE]
    except Exception:  # this handle's connection was dropped by the restart: try again
        return -1


# -- app servers ---------------------------------------------------------------------------


def _dossiers(pg: PgTarget, outbox: PostgresOutbox, count: int) -> None:
    outbox.ready()
    with admin(pg.dsn) as conn:
        conn.execute(f'CREATE TABLE "{pg.schema}".dossiers (code text PRIMARY KEY, paid bool)')
        conn.execute(
            f"INSERT INTO \"{pg.schema}\".dossiers SELECT 'HS-' || g, false"  # noqa: S608
            " FROM generate_series(0, %s) g",
            (count,),
        )


def _app(pg: PgTarget, go: Path, mode: str, arg: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "tests.delivery.pg_app", pg.dsn, pg.schema, str(go), mode, arg],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_app_servers_racing_to_enqueue_the_same_keys_make_one_job_each(
    pg: PgTarget, outbox: PostgresOutbox, tmp_path: Path
) -> None:
    count = 300
    _dossiers(pg, outbox, count)
    go = tmp_path / "go"
    apps = [_app(pg, go, "race", str(count)) for _ in range(2)]
    for app in apps:
        assert app.stdout is not None
        assert "ready" == app.stdout.readline().strip()
    go.touch()
    results = []
    for app in apps:
        out, err = app.communicate(timeout=120)
        assert 0 == app.returncode, err
        results.append(json.loads(out))
    first, second = results
    assert first == second, "both servers were answered with the one stored job per key"
    assert count == len(first) == outbox.counts()[JobState.PENDING]
    with admin(pg.dsn) as conn:
        rows = conn.execute(
            f'SELECT count(*), count(DISTINCT key) FROM "{pg.schema}".outbox_jobs'  # noqa: S608
        ).fetchone()
    assert (count, count) == rows


def test_an_app_server_killed_before_its_commit_leaves_no_job(
    pg: PgTarget, outbox: PostgresOutbox, tmp_path: Path
) -> None:
    _dossiers(pg, outbox, 1)
    app = _app(pg, tmp_path / "go", "hang", "HS-1:receipt")
    assert app.stdout is not None
    assert "enqueued" == app.stdout.readline().strip()
    app.kill()
    app.communicate(timeout=30)
    assert outbox.get("HS-1:receipt") is None
    with admin(pg.dsn) as conn:
        paid = conn.execute(
            f"SELECT paid FROM \"{pg.schema}\".dossiers WHERE code = 'HS-1'"  # noqa: S608
        ).fetchone()
    assert (False,) == paid
