"""A worker process on the PostgreSQL outbox, for the crash tests.

    python -m tests.delivery.pg_worker DSN SCHEMA VENDOR_URL OWNER [--batch N] [--lease S]

It prints "started", runs until SIGTERM, then prints its report as one JSON line. Its
warnings (a lease lost, a store error) go to stderr. Its connections are named
``connectors-test-<schema>`` in pg_stat_activity, so a test can cut exactly them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import signal
import sys
import threading

from connectors.core import RetryPolicy
from connectors.delivery import Worker
from connectors.delivery.postgres import PostgresOutbox

from .vendor import EffectClient


def application_name(schema: str) -> str:
    """What the workers of a test schema call their connections."""
    return f"connectors-test-{schema}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("dsn")
    parser.add_argument("schema")
    parser.add_argument("vendor_url")
    parser.add_argument("owner")
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--lease", type=float, default=3.0)
    parser.add_argument("--read-timeout", type=float, default=5.0)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(message)s"
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with PostgresOutbox(
        args.dsn, schema=args.schema, application_name=application_name(args.schema)
    ) as outbox:
        worker = Worker(
            outbox,
            {"effect": EffectClient(args.vendor_url, read_timeout=args.read_timeout).task()},
            owner=args.owner,
            lease_seconds=args.lease,
            batch_size=args.batch,
            store_retry=RetryPolicy(base_delay=0.05, max_delay=0.5),
        )
        print("started", flush=True)
        report = worker.run(stop=stop, poll_interval=0.05)
    document = dataclasses.asdict(report)
    document["errors"] = len(report.errors)
    print(json.dumps(document), flush=True)


if __name__ == "__main__":
    main()
