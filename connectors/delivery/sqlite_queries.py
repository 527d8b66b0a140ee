"""Every statement the SQLite outbox runs, in one place.

Values are always bound with "?" placeholders, never interpolated; the few statements
assembled here are built from these constants only (hence the S608 waivers). The lease
queries name their partial index (INDEXED BY), so that whatever the planner's statistics
say, or lack, they walk the index in order and stop after LIMIT rows.
"""

from __future__ import annotations

__all__ = [
    "BEGIN",
    "COMMIT",
    "COUNTS",
    "DUE_EXPIRED",
    "DUE_PENDING",
    "ENQUEUE",
    "JOBS",
    "JOBS_IN_STATE",
    "JOB_BY_ID",
    "JOB_BY_KEY",
    "JOURNAL_MODE",
    "MARK_DONE",
    "MARK_FAILED",
    "NEXT_KIND",
    "PARK",
    "RESOLUTIONS",
    "RESOLVE",
    "REVIVE",
    "ROLLBACK",
    "SELECT_JOB",
    "START",
    "SYNCHRONOUS",
    "TAKE",
    "UNION_ALL",
]

UNION_ALL = " UNION ALL "
JOURNAL_MODE = "PRAGMA journal_mode=WAL"
SYNCHRONOUS = "PRAGMA synchronous=NORMAL"
BEGIN = "BEGIN IMMEDIATE"
COMMIT = "COMMIT"
ROLLBACK = "ROLLBACK"

SELECT_JOB = (
    "SELECT id, kind, key, payload, state, attempts, created_at, retry_since, next_attempt_at,"
    " lease_owner, lease_until, last_error, outcome_unknown, result, started_at, resolutions,"
    " finished_at FROM outbox_jobs"
)
"""Every column `Job` is read from, in the order `jobs.job_from_row` expects."""
JOB_BY_KEY = SELECT_JOB + " WHERE key = ?"
JOB_BY_ID = SELECT_JOB + " WHERE id = ?"
JOBS = SELECT_JOB + " ORDER BY id LIMIT ?"
JOBS_IN_STATE = SELECT_JOB + " WHERE state = ? ORDER BY id LIMIT ?"
COUNTS = "SELECT state, COUNT(*) FROM outbox_jobs GROUP BY state"

ENQUEUE = (
    "INSERT INTO outbox_jobs (kind, key, payload, state, created_at, retry_since,"
    " next_attempt_at) VALUES (?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (key) DO NOTHING"
)

DUE_EXPIRED = (
    "SELECT id, 0, lease_until FROM outbox_jobs INDEXED BY outbox_jobs_leased"
    " WHERE state = 'leased' AND kind = ? AND lease_until <= ? ORDER BY lease_until LIMIT ?"
)
"""Leases of one kind that ran out by a time, oldest first: (id, 0, lease_until)."""
DUE_PENDING = (
    "SELECT id, 1, next_attempt_at FROM outbox_jobs INDEXED BY outbox_jobs_pending"
    " WHERE state = 'pending' AND kind = ? AND next_attempt_at <= ?"
    " ORDER BY next_attempt_at LIMIT ?"
)
"""Pending jobs of one kind due by a time, oldest first: (id, 1, next_attempt_at)."""
NEXT_KIND = tuple(
    f"SELECT kind FROM outbox_jobs INDEXED BY outbox_jobs_{state}"  # noqa: S608
    f" WHERE state = '{state}' AND kind > ? ORDER BY kind LIMIT 1"
    for state in ("pending", "leased")
)
"""The next kind after "?" with a pending (then a leased) job: a skip through the index."""

TAKE = (
    "UPDATE outbox_jobs SET state = 'leased', lease_owner = ?, lease_until = ?,"
    " outcome_unknown = CASE WHEN started_at IS NULL THEN outcome_unknown ELSE 1 END,"
    " last_error = CASE WHEN started_at IS NULL THEN last_error"
    " ELSE 'the lease of ' || lease_owner || ' ran out during an attempt:"
    " the effect may exist' END,"
    " started_at = NULL WHERE id = ?"
)
"""Lease one job. One whose attempt had started (its worker died or stalled past its lease)
may have reached the vendor: it is marked outcome_unknown, naming that worker."""

# START, MARK_DONE, MARK_FAILED and PARK are fenced: they change the job only while the
# given owner holds its lease.
START = (
    "UPDATE outbox_jobs SET lease_until = ?, started_at = ?, attempts = attempts + 1"
    " WHERE id = ? AND state = 'leased' AND lease_owner = ?"
)
MARK_DONE = (
    "UPDATE outbox_jobs SET state = 'done', result = ?, lease_owner = NULL, lease_until = NULL,"
    " started_at = NULL, outcome_unknown = 0, finished_at = ?"
    " WHERE id = ? AND state = 'leased' AND lease_owner = ?"
)
MARK_FAILED = (
    "UPDATE outbox_jobs SET state = ?, last_error = ?, outcome_unknown = ?,"
    " next_attempt_at = COALESCE(?, next_attempt_at), lease_owner = NULL, lease_until = NULL,"
    " started_at = NULL, finished_at = ? WHERE id = ? AND state = 'leased' AND lease_owner = ?"
)
PARK = (
    "UPDATE outbox_jobs SET state = 'unknown', last_error = ?, outcome_unknown = 1,"
    " lease_owner = NULL, lease_until = NULL, started_at = NULL"
    " WHERE id = ? AND state = 'leased' AND lease_owner = ?"
)

RESOLUTIONS = "SELECT resolutions FROM outbox_jobs WHERE key = ? AND state IN ('unknown', 'dead')"
RESOLVE = (
    "UPDATE outbox_jobs SET state = 'pending', next_attempt_at = ?, retry_since = ?,"
    " finished_at = NULL, resolutions = ?, result = COALESCE(?, result),"
    " outcome_unknown = outcome_unknown AND ? WHERE key = ?"
)
"""Put a resolved job back: the staff result (if any) replaces the stored one; the flag
`outcome_unknown` is kept (bound 1) or cleared (bound 0)."""
REVIVE = (
    "UPDATE outbox_jobs SET state = 'pending', next_attempt_at = ?, retry_since = ?,"
    " finished_at = NULL WHERE key = ? AND state = 'dead'"
)
