"""PostgreSQL plumbing for the stores that live in the portal's own database.

psycopg 3 is an optional extra (``pip install 'vn-public-connectors[postgres]'``): nothing
in this module imports it until a store opens a connection, and a missing driver is a
ConfigError naming the extra. What the stores share:

- `PgConnections`: one connection per thread (as the SQLite stores do), opened on first
  use, replaced on next use once the server dropped it (a restart, a failover,
  `pg_terminate_backend`). The error that revealed the loss still propagates: callers
  retry (the outbox worker backs off and carries on). Every connection gets a connect
  timeout, a statement timeout and a limit on idling inside a transaction, so a stalled
  process cannot hold row locks for ever.
- `PgStore`: the base of every store there: a checked schema name, its connections, its
  tables made on first use (`SchemaOnce`).
- `ensure_schema`: creates a component's tables on first use, idempotently, under an
  advisory lock so several servers starting at once agree; a component already at its
  version costs one read and takes no lock on any table.
- `mask_dsn`: a DSN fit for logs and messages (the password replaced by ``***``).
"""

from __future__ import annotations

import hashlib
import importlib
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from connectors.core.closing import Closeable
from connectors.core.errors import ConfigError, ValidationError
from connectors.core.extras import install_hint

if TYPE_CHECKING:
    import psycopg

__all__ = [
    "EXTRA",
    "PgConnections",
    "PgStore",
    "SchemaOnce",
    "advisory_key",
    "check_schema_name",
    "ensure_schema",
    "is_postgres_dsn",
    "load_psycopg",
    "mask_dsn",
    "qualified",
    "schema_has",
    "text_for_postgres",
]

EXTRA = install_hint("postgres")
"""How to install the PostgreSQL driver this module needs."""

_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_URL_SCHEMES = ("postgresql://", "postgres://")
_KEYWORD_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def load_psycopg() -> ModuleType:
    """The psycopg module; ConfigError naming the extra when it is not installed."""
    try:
        return importlib.import_module("psycopg")
    except ImportError:
        raise ConfigError(
            f"PostgreSQL support needs psycopg 3: {EXTRA}", field="postgres"
        ) from None


def is_postgres_dsn(text: str) -> bool:
    """True for a ``postgresql://`` or ``postgres://`` URL (anything else is a file path)."""
    return text.strip().lower().startswith(_URL_SCHEMES)


def mask_dsn(dsn: str) -> str:
    """`dsn` with its password replaced by ``***`` (URL userinfo, URL query, key=value)."""
    if is_postgres_dsn(dsn):
        try:
            parts = urlsplit(dsn.strip())
            netloc = parts.netloc
            userinfo, at, hosts = netloc.rpartition("@")
            if at and ":" in userinfo:
                netloc = f"{userinfo.split(':', 1)[0]}:***@{hosts}"
            query = parts.query
            if query:
                pairs = parse_qsl(query, keep_blank_values=True)
                query = urlencode(
                    [(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*/"
                )
            masked = f"{parts.scheme}://{netloc}{parts.path}"
            return (
                masked
                + (f"?{query}" if query else "")
                + (f"#{parts.fragment}" if parts.fragment else "")
            )
        except ValueError:
            return "postgresql://***"
    return _KEYWORD_PASSWORD.sub(r"\1***", dsn)


def check_schema_name(schema: str) -> str:
    """`schema` if it is a plain lower-case SQL identifier (ValidationError otherwise)."""
    if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
        raise ValidationError(
            "schema must be a lower-case identifier (letters, digits, _; at most 63)",
            field="schema",
        )
    return schema


def qualified(schema: str, name: str) -> str:
    """``"schema".name`` for SQL text; both were checked to be plain identifiers."""
    return f'"{check_schema_name(schema)}".{name}'


def advisory_key(text: str) -> int:
    """A signed 64-bit key for `pg_advisory_lock` derived from `text` (stable everywhere)."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def text_for_postgres(text: str) -> str:
    """`text` storable in a PostgreSQL text column: NUL and unpaired surrogates replaced."""
    cleaned = text.replace("\x00", "\ufffd")
    return cleaned.encode("utf-8", "replace").decode("utf-8")


def _conninfo(dsn: str, defaults: dict[str, Any]) -> str:
    """`dsn` with each of `defaults` added unless the DSN sets it; ConfigError if invalid."""
    psycopg = load_psycopg()
    try:
        given = psycopg.conninfo.conninfo_to_dict(dsn)
    except psycopg.Error:
        # libpq's message may quote the DSN, password included: say what is wrong only.
        raise ConfigError(
            "not a PostgreSQL connection string: use postgresql://user@host:port/database "
            "or key=value pairs",
            field="dsn",
        ) from None
    merged = {**{k: v for k, v in defaults.items() if k not in given}, **given}
    conninfo: str = psycopg.conninfo.make_conninfo(**merged)
    return conninfo


class PgConnections:
    """One psycopg connection per thread to one database, replaced once the server drops it.

    Connections are in autocommit mode; `transaction()` opens an explicit one. Settings a
    DSN leaves out get defaults: `application_name`, a 10 s connect timeout, TCP
    keepalives. Each session then sets `statement_timeout` and
    `idle_in_transaction_session_timeout` (seconds; 0 disables).
    """

    def __init__(
        self,
        dsn: str,
        *,
        application_name: str = "connectors",
        connect_timeout: int = 10,
        statement_timeout: float = 30.0,
        idle_in_transaction_timeout: float = 60.0,
    ) -> None:
        if connect_timeout < 1 or statement_timeout < 0 or idle_in_transaction_timeout < 0:
            raise ValueError("timeouts must be positive (statement and idle: 0 disables)")
        self.masked = mask_dsn(dsn)
        self._conninfo = _conninfo(
            dsn,
            {
                "application_name": application_name,
                "connect_timeout": max(2, int(connect_timeout)),
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
            },
        )
        self._settings = (
            f"SET statement_timeout = {int(statement_timeout * 1000)}; "
            f"SET idle_in_transaction_session_timeout = {int(idle_in_transaction_timeout * 1000)}"
        )
        self._local = threading.local()
        self._all: list[psycopg.Connection[Any]] = []
        self._all_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PgConnections({self.masked!r})"

    def open(self) -> psycopg.Connection[Any]:
        """A new connection (autocommit, session settings applied), not shared or kept."""
        driver = load_psycopg()
        conn: psycopg.Connection[Any] = driver.connect(self._conninfo, autocommit=True)
        try:
            conn.execute(self._settings)
        except BaseException:
            conn.close()
            raise
        return conn

    def connection(self) -> psycopg.Connection[Any]:
        """This thread's connection, opened (again) if it has none or the server dropped it."""
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is not None and (conn.closed or conn.broken):
            self.discard(conn)
            conn = None
        if conn is None:
            conn = self.open()
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def discard(self, conn: psycopg.Connection[Any]) -> None:
        """Forget `conn` (closing it): this thread's next use opens a new connection."""
        with self._all_lock:
            if conn in self._all:
                self._all.remove(conn)
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        with suppress(Exception):
            conn.close()

    @contextmanager
    def using(self) -> Iterator[psycopg.Connection[Any]]:
        """This thread's connection for a few autocommit statements.

        If they fail because the connection was lost, it is dropped (the next use opens a
        new one) and the error propagates.
        """
        conn = self.connection()
        try:
            yield conn
        except BaseException:
            if conn.closed or conn.broken:
                self.discard(conn)
            raise

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection[Any]]:
        """An explicit transaction on this thread's connection: committed on success.

        Rolled back on any exception, which propagates. If the connection was lost (the
        commit itself may have failed: whether it landed is unknown), it is dropped.
        """
        with self.using() as conn, conn.transaction():
            yield conn

    def close(self) -> None:
        """Close every connection opened here (in any thread)."""
        with self._all_lock:
            for conn in self._all:
                with suppress(Exception):
                    conn.close()
            self._all.clear()
        self._local = threading.local()


_VERSIONS = "schema_versions"


def ensure_schema(
    connections: PgConnections,
    schema: str,
    component: str,
    version: int,
    statements: Sequence[str] | Callable[[psycopg.Connection[Any], int], Sequence[str]],
) -> None:
    """Bring `component`'s tables in `schema` to `version`, creating them on first use.

    `statements` is the DDL (with ``{schema}`` standing for the quoted schema name), or a
    function of the connection and the version found (0 for none) that returns it. It runs
    in one transaction holding an advisory lock on the schema, so servers starting at once
    wait for each other and each sees the others' work. Nothing is locked, and nothing
    written, when the component is already at `version`.
    """
    psycopg = load_psycopg()
    name = check_schema_name(schema)
    versions = qualified(name, _VERSIONS)
    with connections.using() as conn:
        try:
            row = conn.execute(
                f"SELECT version FROM {versions} WHERE component = %s",  # noqa: S608
                (component,),
            ).fetchone()
        except (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName):
            row = None
    if row is not None and row[0] >= version:
        return
    with connections.transaction() as conn:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key(f"connectors:{name}"),))
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {versions} (component text PRIMARY KEY,"
            " version integer NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())"
        )
        row = conn.execute(
            f"SELECT version FROM {versions} WHERE component = %s",  # noqa: S608
            (component,),
        ).fetchone()
        found = 0 if row is None else int(row[0])
        if found >= version:
            return
        ddl = statements(conn, found) if callable(statements) else statements
        for statement in ddl:
            conn.execute(statement.format(schema=f'"{name}"'))
        conn.execute(
            f"INSERT INTO {versions} (component, version) VALUES (%s, %s)"  # noqa: S608
            " ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version,"
            " updated_at = now()",
            (component, version),
        )


class SchemaOnce:
    """`ensure_schema` run once per object, on first use (thread-safe): a store calls
    `ensure()` before each query and pays one check in its lifetime."""

    def __init__(
        self,
        connections: PgConnections,
        schema: str,
        component: str,
        version: int,
        statements: Sequence[str],
    ) -> None:
        self._args = (connections, schema, component, version, statements)
        self._ready = False
        self._lock = threading.Lock()

    def ensure(self) -> None:
        """Make the component's tables if this object has not yet."""
        if not self._ready:
            with self._lock:
                if not self._ready:
                    ensure_schema(*self._args)
                    self._ready = True

    def found(self) -> None:
        """Take the tables as there (a caller checked): `ensure` does nothing from now on."""
        self._ready = True


class PgStore(Closeable):
    """The base of a store in the portal's PostgreSQL database (thread-safe).

    It holds the schema name (checked: a plain lower-case identifier), one connection per
    thread (`PgConnections`; `application_name` shows in ``pg_stat_activity``, timeouts in
    seconds) and its tables, made on first use (`SchemaOnce`: call `self._tables.ensure()`
    before each query). A subclass names its `_component`, `_table` and `_ddl`.
    """

    _component: ClassVar[str]
    _table_name: ClassVar[str]
    _ddl: ClassVar[Sequence[str]]
    _version: ClassVar[int] = 1
    _application_name: ClassVar[str] = "connectors"

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "connectors",
        application_name: str | None = None,
        connect_timeout: int = 10,
        statement_timeout: float = 10.0,
        idle_in_transaction_timeout: float = 60.0,
    ) -> None:
        self.schema = check_schema_name(schema)
        self._table = qualified(self.schema, self._table_name)
        self._connections = PgConnections(
            dsn,
            application_name=application_name or self._application_name,
            connect_timeout=connect_timeout,
            statement_timeout=statement_timeout,
            idle_in_transaction_timeout=idle_in_transaction_timeout,
        )
        self._tables = SchemaOnce(
            self._connections, self.schema, self._component, self._version, self._ddl
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._connections.masked!r}, schema={self.schema!r})"

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        self._connections.close()

    @contextmanager
    def _using(self) -> Iterator[Any]:
        """This thread's connection (autocommit), the tables made first if need be."""
        self._tables.ensure()
        with self._connections.using() as conn:
            yield conn

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A transaction on this thread's connection, the tables made first if need be."""
        self._tables.ensure()
        with self._connections.transaction() as conn:
            yield conn


def schema_has(connections: PgConnections, schema: str, table: str) -> bool:
    """Whether `schema`.`table` exists (nothing is created)."""
    with connections.using() as conn:
        row = conn.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (qualified(schema, table),)
        ).fetchone()
    return bool(row and row[0])
