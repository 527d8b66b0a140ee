"""The base of every provider simulator: a WSGI app with routes, a ledger and faults.

A simulator is the vendor simulated: it speaks the vendor's wire format (through the
provider's `wire.py`), keeps a `Ledger` of what the vendor accepted, enforces the vendor's
idempotency and error rules, and injects faults. The same object runs in process behind
`responses` (`connectors.testing.mount`) and on a loopback port (`connectors.testing.serve`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from connectors.testing import faults

__all__ = [
    "AbortConnection",
    "Ledger",
    "LedgerEntry",
    "SeenRequest",
    "SimRequest",
    "SimResponse",
    "Simulator",
    "WireFault",
]

WSGIEnviron = dict[str, Any]
StartResponse = Callable[..., Any]


class AbortConnection(Exception):
    """Raised by a simulator to drop the connection after holding it for `hold` seconds."""

    def __init__(self, hold: float = 0.0, *, processed: bool = False) -> None:
        super().__init__(hold)
        self.hold = hold
        self.processed = processed


class WireFault(Exception):
    """Raised by a simulator after processing: the runner writes `answer` as `fault` says
    (cut short, trickled, or replaced by oversize filler) instead of answering normally."""

    def __init__(
        self, fault: faults.Truncated | faults.Trickle | faults.Oversize, answer: SimResponse
    ) -> None:
        super().__init__(fault)
        self.fault = fault
        self.answer = answer


@dataclass(frozen=True)
class SimRequest:
    """An incoming request as a handler sees it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    path_params: dict[str, str] = field(default_factory=dict)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def args(self) -> dict[str, str]:
        """Query parameters (last value wins)."""
        return dict(self.query)

    def form(self) -> dict[str, str]:
        """The body as form fields (last value wins)."""
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class SimResponse:
    """What a handler answers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, obj: Any, status: int = 200, **headers: str) -> SimResponse:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **headers})

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> SimResponse:
        return cls(status, text.encode("utf-8"), {"Content-Type": f"{content_type}; charset=utf-8"})

    @classmethod
    def xml(cls, text: str, status: int = 200) -> SimResponse:
        return cls.text(text, status, "text/xml")


@dataclass(frozen=True)
class LedgerEntry:
    """One operation the simulated vendor accepted."""

    kind: str
    key: str
    data: dict[str, Any]
    at: float


class Ledger:
    """What the simulated vendor has accepted, in order; thread-safe."""

    def __init__(self) -> None:
        self._entries: list[LedgerEntry] = []
        self._lock = threading.Lock()

    def record(self, kind: str, key: str, **data: Any) -> LedgerEntry:
        entry = LedgerEntry(kind, key, dict(data), time.time())
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self, kind: str | None = None) -> list[LedgerEntry]:
        with self._lock:
            return [e for e in self._entries if kind is None or e.kind == kind]

    def count(self, kind: str | None = None, key: str | None = None) -> int:
        return sum(1 for e in self.entries(kind) if key is None or e.key == key)

    def find(self, kind: str, key: str) -> LedgerEntry | None:
        for entry in self.entries(kind):
            if entry.key == key:
                return entry
        return None

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __iter__(self) -> Iterator[LedgerEntry]:
        return iter(self.entries())


@dataclass(frozen=True)
class SeenRequest:
    """A request that reached the simulator (before any fault): what went on the wire, when.

    `headers` use lower-case names, as `SimRequest.headers` does.
    """

    route: str
    method: str
    path: str
    at: float
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


Handler = Callable[[SimRequest], SimResponse]


@dataclass(frozen=True)
class _Route:
    name: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler


class Simulator:
    """Base class: register routes, keep a ledger, inject faults.

    Subclasses call `self.route(...)` in `__init__` (or use `add_route`). `sleep` is used
    for `Latency` faults in process; `provider` names the simulated vendor.
    """

    provider: str = "simulator"

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.ledger = Ledger()
        self.faults = faults.FaultPlan()
        self.seen: list[SeenRequest] = []
        self._seen_lock = threading.Lock()
        self._routes: list[_Route] = []
        self.sleep = sleep

    # -- routing -------------------------------------------------------------------------

    def add_route(
        self, method: str, path: str, handler: Handler, *, name: str | None = None
    ) -> None:
        """Route `method path` to `handler`; `{param}` segments become `path_params`."""
        regex = "^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(path)) + "$"
        self._routes.append(_Route(name or path, method.upper(), re.compile(regex), handler))

    def route(
        self, method: str, path: str, *, name: str | None = None
    ) -> Callable[[Handler], Handler]:
        """Decorator form of `add_route`."""

        def register(handler: Handler) -> Handler:
            self.add_route(method, path, handler, name=name)
            return handler

        return register

    def requests_to(self, route: str) -> list[SeenRequest]:
        """Requests that reached `route` (by route name), faults included."""
        with self._seen_lock:
            return [s for s in self.seen if s.route == route]

    # -- WSGI ----------------------------------------------------------------------------

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        response = self.handle(_request_from_environ(environ))
        reason = _REASONS.get(response.status, "Unknown")
        headers = {"Content-Length": str(len(response.body)), **response.headers}
        start_response(f"{response.status} {reason}", list(headers.items()))
        return [response.body]

    def handle(self, request: SimRequest) -> SimResponse:
        """Route one request, applying any armed fault. May raise `AbortConnection`."""
        found = self._match(request)
        if found is None:
            return SimResponse.json({"error": "not found", "path": request.path}, 404)
        route, params = found
        with self._seen_lock:
            self.seen.append(
                SeenRequest(
                    route.name,
                    request.method,
                    request.path,
                    time.time(),
                    dict(request.headers),
                    request.body,
                )
            )
        routed = SimRequest(
            request.method, request.path, request.query, request.headers, request.body, params
        )
        fault = self.faults.take(route.name)
        if fault is None:
            return route.handler(routed)
        if isinstance(fault, faults.Latency):
            self.sleep(fault.seconds)
            return route.handler(routed)
        if isinstance(fault, faults.TimeoutAfterCommit):
            route.handler(routed)
            raise AbortConnection(fault.hold, processed=True)
        if isinstance(fault, faults.CommitThenStatus):
            route.handler(routed)
            return SimResponse(fault.code, fault.body, {"Content-Type": fault.content_type})
        if isinstance(fault, faults.Truncated | faults.Trickle | faults.Oversize):
            raise WireFault(fault, route.handler(routed))
        if isinstance(fault, faults.TimeoutBeforeProcessing):
            raise AbortConnection(fault.hold)
        if isinstance(fault, faults.Reset):
            raise AbortConnection(0.0)
        if isinstance(fault, faults.TooManyRequests):
            return SimResponse.json(
                {"error": "too many requests"}, 429, **{"Retry-After": f"{fault.retry_after:g}"}
            )
        if isinstance(fault, faults.Status | faults.Malformed):
            return SimResponse(
                200 if isinstance(fault, faults.Malformed) else fault.code,
                fault.body,
                {"Content-Type": fault.content_type},
            )
        raise TypeError(f"unknown fault {fault!r}")

    def _match(self, request: SimRequest) -> tuple[_Route, dict[str, str]] | None:
        for route in self._routes:
            if route.method != request.method:
                continue
            match = route.pattern.match(request.path)
            if match:
                return route, match.groupdict()
        return None


def _request_from_environ(environ: WSGIEnviron) -> SimRequest:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    path = environ.get("PATH_INFO", "/")
    if isinstance(path, str):
        path = path.encode("latin-1").decode("utf-8", errors="replace")
    return SimRequest(
        method=environ["REQUEST_METHOD"].upper(),
        path=path,
        query=parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True),
        headers=headers,
        body=body,
    )


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
