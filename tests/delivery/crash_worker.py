"""A worker process for the crash test: `python -m tests.delivery.crash_worker DB URL`.

It runs until killed; the test kills it with SIGKILL in the middle of its jobs.
"""

from __future__ import annotations

import sys
import threading

from connectors.delivery import SqliteOutbox, Worker

from .vendor import EffectClient


def main(db: str, base_url: str) -> None:
    with SqliteOutbox(db) as outbox:
        worker = Worker(
            outbox,
            {"effect": EffectClient(base_url).task()},
            owner="doomed-worker",
            lease_seconds=3,
            batch_size=5,
        )
        print("started", flush=True)
        worker.run(stop=threading.Event(), poll_interval=0.05)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
