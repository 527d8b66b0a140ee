"""The PostgreSQL outbox's table and indexes, created on first use (`core.postgres.ensure_schema`).

The lease walks two partial indexes in order, per kind, so its cost is O(log n) in the
number of stored jobs whatever the backlog, and done jobs (most rows, in time) are in
neither:

- ``outbox_jobs_pending (kind, next_attempt_at) WHERE state = 'pending'``
- ``outbox_jobs_leased (kind, lease_until) WHERE state = 'leased'``

``outbox_jobs_state (state, id)`` serves `counts()` and the listings by state. Times are
``timestamptz`` from the database's clock; payloads, results and staff decisions are
``json`` (kept as written).
"""

from __future__ import annotations

__all__ = ["COMPONENT", "DDL", "TABLE", "VERSION"]

COMPONENT = "outbox"
VERSION = 1
TABLE = "outbox_jobs"

DDL = (
    """
    CREATE TABLE IF NOT EXISTS {schema}.outbox_jobs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL,
        key text NOT NULL UNIQUE,
        payload json NOT NULL,
        state text NOT NULL
            CHECK (state IN ('pending', 'leased', 'done', 'dead', 'unknown')),
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        retry_since timestamptz NOT NULL,
        next_attempt_at timestamptz NOT NULL,
        lease_owner text,
        lease_until timestamptz,
        last_error text,
        outcome_unknown boolean NOT NULL DEFAULT false,
        result json,
        started_at timestamptz,
        resolutions json NOT NULL DEFAULT '[]',
        finished_at timestamptz
    )
    """,
    "CREATE INDEX IF NOT EXISTS outbox_jobs_pending ON {schema}.outbox_jobs"
    " (kind, next_attempt_at) WHERE state = 'pending'",
    "CREATE INDEX IF NOT EXISTS outbox_jobs_leased ON {schema}.outbox_jobs"
    " (kind, lease_until) WHERE state = 'leased'",
    "CREATE INDEX IF NOT EXISTS outbox_jobs_state ON {schema}.outbox_jobs (state, id)",
)
"""Version 1 of the outbox, with ``{schema}`` standing for the quoted schema name."""
