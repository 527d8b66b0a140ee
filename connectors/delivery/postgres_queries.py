"""Every statement the PostgreSQL outbox runs, for one schema.

Values are always bound (``%(name)s``), never interpolated; only the schema name, checked
to be a plain identifier, is formatted in (hence the S608 waivers). The statements use the
psycopg parameter style only, so the enqueue also runs on a caller's psycopg 2 or Django
cursor.

Times: ``%(now)s`` is NULL in production, and every time is then the database's own
``now()`` (the transaction's start); tests bind a fixed clock instead. Delays (a lease, a
retry) are added to that time on the server, so hosts whose clocks differ agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.core.postgres import qualified

__all__ = ["OutboxQueries"]

NOW = "COALESCE(to_timestamp(%(now)s::float8), now())"
"""The time of a statement: the bound test clock, else the database's clock."""


def _epoch(column: str) -> str:
    return f"extract(epoch from {column})::float8"


def _columns(alias: str) -> str:
    """Every column `jobs.job_from_row` reads, in its order, times as Unix seconds."""
    a = f"{alias}."
    return ", ".join(
        (
            f"{a}id",
            f"{a}kind",
            f"{a}key",
            f"{a}payload::text",
            f"{a}state",
            f"{a}attempts",
            _epoch(f"{a}created_at"),
            _epoch(f"{a}retry_since"),
            _epoch(f"{a}next_attempt_at"),
            f"{a}lease_owner",
            _epoch(f"{a}lease_until"),
            f"{a}last_error",
            f"{a}outcome_unknown",
            f"{a}result::text",
            _epoch(f"{a}started_at"),
            f"{a}resolutions::text",
            _epoch(f"{a}finished_at"),
        )
    )


_FENCE = "id = %(id)s AND state = 'leased' AND lease_owner = %(owner)s"
"""START, MARK_DONE, MARK_FAILED and PARK change a job only while `owner` holds its lease."""


@dataclass(frozen=True)
class OutboxQueries:
    """The outbox's statements against ``"<schema>".outbox_jobs``."""

    schema: str

    @property
    def table(self) -> str:
        return qualified(self.schema, "outbox_jobs")

    @property
    def select_job(self) -> str:
        return f"SELECT {_columns('j')} FROM {self.table} AS j"  # noqa: S608

    @property
    def job_by_key(self) -> str:
        return f"{self.select_job} WHERE j.key = %(key)s"

    @property
    def jobs(self) -> str:
        return f"{self.select_job} ORDER BY j.id LIMIT %(limit)s"

    @property
    def jobs_in_state(self) -> str:
        return f"{self.select_job} WHERE j.state = %(state)s ORDER BY j.id LIMIT %(limit)s"

    @property
    def counts(self) -> str:
        return f"SELECT state, count(*) FROM {self.table} GROUP BY state"  # noqa: S608

    @property
    def enqueue(self) -> str:
        """Insert unless the key exists; the new row, or none (then read it by key)."""
        return (
            f"INSERT INTO {self.table} AS j (kind, key, payload, state, created_at,"  # noqa: S608
            f" retry_since, next_attempt_at) VALUES (%(kind)s, %(key)s, %(payload)s::json,"
            f" 'pending', {NOW}, {NOW}, {NOW} + make_interval(secs => %(delay)s::float8))"
            f" ON CONFLICT (key) DO NOTHING RETURNING {_columns('j')}"
        )

    @property
    def kinds(self) -> str:
        """Every kind with a pending or leased job: a skip scan through the partial indexes."""
        branches = []
        for state in ("pending", "leased"):
            branches.append(
                f"{state} AS ((SELECT kind FROM {self.table} WHERE state = '{state}'"  # noqa: S608
                f" ORDER BY kind LIMIT 1) UNION ALL SELECT (SELECT j.kind FROM {self.table} j"
                f" WHERE j.state = '{state}' AND j.kind > {state}.kind ORDER BY j.kind LIMIT 1)"
                f" FROM {state} WHERE {state}.kind IS NOT NULL)"
            )
        return (
            f"WITH RECURSIVE {', '.join(branches)} SELECT kind FROM pending"  # noqa: S608
            " WHERE kind IS NOT NULL UNION SELECT kind FROM leased WHERE kind IS NOT NULL"
        )

    def _due(self, state: str, column: str, rank: int) -> str:
        """Up to `limit` due jobs of each kind in one state, oldest first, locked, skipping
        rows another worker holds locked."""
        return (
            f"SELECT x.id, {rank} AS rank, x.due FROM unnest(%(kinds)s::text[]) AS k(kind)"  # noqa: S608
            f" CROSS JOIN LATERAL (SELECT d.id, d.{column} AS due FROM {self.table} AS d"
            f" WHERE d.state = '{state}' AND d.kind = k.kind AND d.{column} <= {NOW}"
            f" ORDER BY d.{column} LIMIT %(limit)s FOR UPDATE OF d SKIP LOCKED) AS x"
        )

    @property
    def lease(self) -> str:
        """Lease the first `limit` due jobs of `kinds`: lapsed leases first, then pending.

        A job whose attempt had started when its lease lapsed (its worker died or stalled)
        may have reached the vendor: it comes back marked outcome_unknown, naming that
        worker. Returns (rank, due, job columns...) per job taken.
        """
        return (
            f"WITH expired AS ({self._due('leased', 'lease_until', 0)}),"  # noqa: S608
            f" pending AS ({self._due('pending', 'next_attempt_at', 1)}),"
            " chosen AS (SELECT id, rank, due FROM expired UNION ALL"
            " SELECT id, rank, due FROM pending ORDER BY rank, due, id LIMIT %(limit)s)"
            f" UPDATE {self.table} AS j SET state = 'leased', lease_owner = %(owner)s,"
            f" lease_until = {NOW} + make_interval(secs => %(seconds)s::float8),"
            " outcome_unknown = j.outcome_unknown OR j.started_at IS NOT NULL,"
            " last_error = CASE WHEN j.started_at IS NULL THEN j.last_error"
            " ELSE 'the lease of ' || j.lease_owner || ' ran out during an attempt:"
            " the effect may exist' END,"
            " started_at = NULL FROM chosen WHERE j.id = chosen.id"
            f" RETURNING chosen.rank, {_epoch('chosen.due')}, {_columns('j')}"
        )

    @property
    def start(self) -> str:
        return (
            f"UPDATE {self.table} AS j SET"  # noqa: S608
            f" lease_until = {NOW} + make_interval(secs => %(seconds)s::float8),"
            f" started_at = {NOW}, attempts = attempts + 1 WHERE {_FENCE}"
            f" RETURNING {_columns('j')}"
        )

    @property
    def mark_done(self) -> str:
        return (
            f"UPDATE {self.table} SET state = 'done', result = %(result)s::json,"  # noqa: S608
            " lease_owner = NULL, lease_until = NULL, started_at = NULL,"
            f" outcome_unknown = false, finished_at = {NOW} WHERE {_FENCE}"
        )

    @property
    def mark_failed(self) -> str:
        """Pending again after `delay` seconds, or dead (finished now) when it is NULL."""
        return (
            f"UPDATE {self.table} SET state = %(state)s, last_error = %(error)s,"  # noqa: S608
            " outcome_unknown = %(unknown)s, next_attempt_at = CASE"
            " WHEN %(delay)s::float8 IS NULL THEN next_attempt_at"
            f" ELSE {NOW} + make_interval(secs => %(delay)s::float8) END,"
            " lease_owner = NULL, lease_until = NULL, started_at = NULL,"
            f" finished_at = CASE WHEN %(delay)s::float8 IS NULL THEN {NOW} END"
            f" WHERE {_FENCE}"
        )

    @property
    def park(self) -> str:
        return (
            f"UPDATE {self.table} SET state = 'unknown', last_error = %(error)s,"  # noqa: S608
            " outcome_unknown = true, lease_owner = NULL, lease_until = NULL,"
            f" started_at = NULL WHERE {_FENCE}"
        )

    @property
    def resolutions(self) -> str:
        """The decisions so far on an unknown or dead job (locked), and the time now."""
        return (
            f"SELECT resolutions::text, {_epoch(NOW)} FROM {self.table}"  # noqa: S608
            " WHERE key = %(key)s AND state IN ('unknown', 'dead') FOR UPDATE"
        )

    @property
    def resolve(self) -> str:
        """Put a resolved job back: the staff result (if any) replaces the stored one;
        `outcome_unknown` is kept for a 'done' decision, cleared for a 'retry'."""
        return (
            f"UPDATE {self.table} AS j SET state = 'pending', next_attempt_at = {NOW},"  # noqa: S608
            f" retry_since = {NOW}, finished_at = NULL, resolutions = %(history)s::json,"
            " result = COALESCE(%(result)s::json, j.result),"
            " outcome_unknown = j.outcome_unknown AND %(done)s"
            f" WHERE j.key = %(key)s RETURNING {_columns('j')}"
        )

    @property
    def revive(self) -> str:
        return (
            f"UPDATE {self.table} AS j SET state = 'pending', next_attempt_at = {NOW},"  # noqa: S608
            f" retry_since = {NOW}, finished_at = NULL WHERE j.key = %(key)s"
            f" AND j.state = 'dead' RETURNING {_columns('j')}"
        )
