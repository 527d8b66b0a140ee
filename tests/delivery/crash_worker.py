"""A worker process for the crash tests: `python -m tests.delivery.crash_worker DB URL [BATCH]`.

It runs until killed; the tests kill it with SIGKILL in the middle of its jobs.
"""

from __future__ import annotations

import sys
import threading

from connectors.delivery import SqliteOutbox, Worker

from .vendor import EffectClient


def main(db: str, base_url: str, batch_size: int = 5) -> None:
    with SqliteOutbox(db) as outbox:
        worker = Worker(
            outbox,
            {"effect": EffectClient(base_url).task()},
            owner="doomed-worker",
            lease_seconds=3,
            batch_size=batch_size,
        )
        print("started", flush=True)
        worker.run(stop=threading.Event(), poll_interval=0.05)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(arg) for arg in sys.argv[3:4]))
