"""A lease cannot lapse because of a job's place in its batch (issue 10, point 6).

The reproduction from the review: lease 1 s, task 0.3 s, batch 10, two workers. When all
jobs of a batch were leased at once and run one after another, the last ones' leases ran
out while they waited; the other worker took them and both ran them. Here the second
worker starts a little later, so its batch is the one that lapses while the first worker
leases again; counted on a vendor that keeps every effect (no de-duplication).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from connectors.delivery import Job, JobResult, JobState, NewJob, SqliteOutbox, Task, Worker

JOBS = 24
LEASE = 1.0
TASK = 0.3
BATCH = 10


def test_two_workers_with_the_documented_lease_run_every_job_once(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    keys = [f"HS-{n:03d}:sms" for n in range(JOBS)]
    with SqliteOutbox(path) as outbox:
        for key in keys:
            outbox.enqueue(NewJob("sms", key))

    effects: Counter[str] = Counter()
    lock = threading.Lock()
    first_started = threading.Event()

    def send(job: Job) -> JobResult:
        first_started.set()
        with lock:
            effects[job.key] += 1
        time.sleep(TASK)
        return JobResult({"key": job.key})

    reports = {}

    def work(owner: str) -> None:
        with SqliteOutbox(path) as store:  # its own connections, as a separate process
            worker = Worker(
                store,
                {"sms": Task(run=send)},
                owner=owner,
                lease_seconds=LEASE,
                batch_size=BATCH,
            )
            reports[owner] = worker.run(until_idle=True, poll_interval=0.05)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in (1, 2)]
    threads[0].start()
    first_started.wait(10)
    time.sleep(TASK * 1.5)
    threads[1].start()
    for thread in threads:
        thread.join(120)

    assert {key: 1 for key in keys} == dict(effects), "every job's effect once"
    with SqliteOutbox(path) as outbox:
        assert {JobState.DONE: JOBS} == {s: n for s, n in outbox.counts().items() if n}
    assert JOBS == sum(report.done for report in reports.values())
    assert 0 == sum(report.lost_lease + report.parked for report in reports.values())
