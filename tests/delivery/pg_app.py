"""An app server process for the PostgreSQL crash tests: it enqueues in its own transactions.

python -m tests.delivery.pg_app DSN SCHEMA GO_FILE race N
    waits for GO_FILE, then enqueues keys HS-0..HS-<N-1>:receipt, one transaction each
    (the portal's write and the job), and prints {key: job id} as JSON.
python -m tests.delivery.pg_app DSN SCHEMA GO_FILE hang KEY
    marks the dossier paid and enqueues KEY in one transaction, prints "enqueued" and
    waits, uncommitted, to be killed.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import psycopg

from connectors.delivery import NewJob
from connectors.delivery.postgres import PostgresOutbox


def main(dsn: str, schema: str, go_file: str, mode: str, arg: str) -> None:
    with PostgresOutbox(dsn, schema=schema) as outbox, psycopg.connect(dsn) as conn:
        outbox.ready()
        pay = f'UPDATE "{schema}".dossiers SET paid = true WHERE code = %s'  # noqa: S608
        if mode == "hang":
            with conn.transaction():
                conn.execute(pay, (arg.partition(":")[0],))
                outbox.enqueue(NewJob("effect", arg), connection=conn)
                print("enqueued", flush=True)
                time.sleep(600)
            return
        print("ready", flush=True)
        while not Path(go_file).exists():
            time.sleep(0.001)
        ids = {}
        for n in range(int(arg)):
            with conn.transaction():
                conn.execute(pay, (f"HS-{n}",))
                job = outbox.enqueue(NewJob("effect", f"HS-{n}:receipt"), connection=conn)
            ids[job.key] = job.id
        print(json.dumps(ids), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6])
