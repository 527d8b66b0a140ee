"""The HTTP transport every adapter sends through.

One `requests.Session` per client (pooled; safe to share between threads), connect and
read timeouts that are never None, a total deadline across retries *and inside each
attempt* (a trickling server is cut off: see `connectors.core.deadline`), a maximum answer
size per operation, retries decided by the operation's `Idempotency` (see
`connectors.core.retry`), signing inside the retry loop on the final bytes, and redaction
of what is logged or handed to a hook, computed only when someone reads it.

"Maybe sent" is the default (DESIGN.md doctrine 9): once the request may have left, any
failure (a timeout, a reset, a truncated or undecodable answer, an answer over the size
limit, a 5xx) means the effect may exist. Reads and keyed writes are retried; a write the
vendor cannot de-duplicate raises `OutcomeUnknown` after that one attempt.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
import tenacity
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
)

from connectors import __version__
from connectors.core.deadline import Attempt, DeadlineAdapter, watch
from connectors.core.errors import (
    ConnectionFailed,
    ConnectorError,
    ConnectTimeout,
    OutcomeUnknown,
    ReadTimeout,
    ResponseTooLarge,
    TransportError,
)
from connectors.core.http_errors import error_for_status, request_id_of
from connectors.core.redaction import Redactor
from connectors.core.retry import RETRYABLE_STATUSES, Idempotency, RetryPolicy, parse_retry_after
from connectors.core.telemetry import traced_attempt, traced_call

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "USER_AGENT",
    "RequestEvent",
    "RequestSpec",
    "ResponseEvent",
    "Timeouts",
    "Transport",
]

USER_AGENT = f"connectors/{__version__}"

DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024
"""The largest answer read by default (4 MiB); operations that fetch documents (PDF, XML)
pass their own `max_response_bytes`."""

_CHUNK = 64 * 1024

_log = logging.getLogger("connectors.http")

# Raised by requests before anything is sent: the request is wrong, not the network.
_NEVER_SENT = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.InvalidJSONError,
    requests.exceptions.URLRequired,
)


@dataclass(frozen=True)
class Timeouts:
    """Connect and read timeouts per attempt, and a deadline across all attempts (seconds).

    `total` holds inside an attempt too: an answer still arriving when it passes is cut off.
    """

    connect: float = 5.0
    read: float = 30.0
    total: float = 60.0

    def __post_init__(self) -> None:
        for name in ("connect", "read", "total"):
            value = getattr(self, name)
            if value is None or not value > 0:
                raise ValueError(f"timeout {name!r} must be a positive number of seconds")


@dataclass
class RequestSpec:
    """What to send on one attempt. A builder may return a fresh one per attempt."""

    method: str
    url: str
    params: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    data: Mapping[str, Any] | Sequence[tuple[str, Any]] | str | None = None
    json: Any = None
    content: bytes | str | None = None


class _LazyBody:
    """An event's redacted body, computed on first read (most events are never read)."""

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], str]) -> None:
        self._make: Callable[[], str] | None = make
        self._value = ""

    def get(self) -> str:
        if self._make is not None:
            self._value, self._make = self._make(), None
        return self._value


@dataclass(frozen=True)
class RequestEvent:
    """A request about to leave, already redacted; given to `on_request` hooks.

    `body` is the redacted body, computed when first read.
    """

    provider: str
    operation: str
    attempt: int
    method: str
    url: str
    headers: Mapping[str, str]
    _body: _LazyBody = field(repr=False, compare=False)

    @property
    def body(self) -> str:
        return self._body.get()


@dataclass(frozen=True)
class ResponseEvent:
    """The outcome of one attempt, already redacted; given to `on_response` hooks.

    `body` is a redacted excerpt of the answer (at most 500 characters), computed when
    first read.
    """

    provider: str
    operation: str
    attempt: int
    method: str
    url: str
    elapsed: float
    status: int | None
    _body: _LazyBody = field(repr=False, compare=False)
    error: str | None = None

    @property
    def body(self) -> str:
        return self._body.get()


Signer = Callable[[requests.PreparedRequest, int], None]
Builder = Callable[[int], RequestSpec]


class _RetryableStatus(Exception):
    """Internal: an attempt ended with a status worth retrying."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class _AmbiguousStatus(Exception):
    """Internal: a 5xx answer to a write the vendor cannot de-duplicate."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class Transport:
    """Sends an adapter's requests: timeouts, retries, signing, size limits, redaction.

    `provider` names the vendor in errors and logs. `redactor` masks the adapter's secret
    fields and values (`protect` adds more later, e.g. when a client is given a caller's
    transport). Hooks receive redacted events only. `max_response_bytes` caps every answer
    (operations may pass their own). `trust_env=False` ignores proxy settings from the
    environment (faster; for hosts that reach the vendor directly). A caller's `session`
    is used as it is: the deadline inside an attempt is enforced only on sessions this
    transport made (or that mount a `DeadlineAdapter`). Thread-safe.
    """

    def __init__(
        self,
        provider: str,
        *,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        redactor: Redactor | None = None,
        session: requests.Session | None = None,
        on_request: Sequence[Callable[[RequestEvent], None]] = (),
        on_response: Sequence[Callable[[ResponseEvent], None]] = (),
        pool_maxsize: int = 32,
        trust_env: bool = True,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be positive")
        self.provider = provider
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.redactor = redactor or Redactor()
        self.on_request = list(on_request)
        self.on_response = list(on_response)
        self.max_response_bytes = max_response_bytes
        self._protect_lock = threading.Lock()
        if session is None:
            session = requests.Session()
            adapter = DeadlineAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            # False skips reading proxy and .netrc settings from the environment on every
            # request (its largest fixed cost); keep True where a proxy is configured so.
            session.trust_env = trust_env
        session.headers["User-Agent"] = USER_AGENT
        self.session = session
        _http_stack_logs.add(self)

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Transport(provider={self.provider!r}, timeouts={self.timeouts!r})"

    def protect(self, *, fields: Sequence[str] = (), values: Sequence[Any] = ()) -> None:
        """Also mask these secret field names and values from now on (thread-safe).

        A client given a caller's transport calls this with its own secrets, so nothing it
        sends is logged in clear whatever transport it was given.
        """
        with self._protect_lock:
            self.redactor = self.redactor.with_fields(*fields).with_values(*values)

    # -- the one entry point -------------------------------------------------------------

    @traced_call  # a span and metrics per call when OpenTelemetry is on (core/telemetry.py)
    def request(
        self,
        spec: RequestSpec | Builder,
        *,
        operation: str,
        idempotency: Idempotency,
        idempotency_key: str | None = None,
        sign: Signer | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        max_response_bytes: int | None = None,
    ) -> requests.Response:
        """Send `spec` (or what the builder makes for each attempt) and return the response.

        Returns any response whose status is not retryable, including 4xx/5xx: the adapter
        reads the vendor's body and maps it (see `error_for_status`), except a 5xx answer
        to an unkeyed write, which raises `OutcomeUnknown` (the vendor may have acted).
        Raises `TransportError` (`ResponseTooLarge` past `max_response_bytes`) or
        `ProviderError` when retries are exhausted on a read; `OutcomeUnknown` (carrying
        `idempotency_key`) when a write may have reached the vendor and no answer says
        whether it happened.
        """
        if idempotency is Idempotency.KEYED_WRITE and not idempotency_key:
            raise ValueError("a keyed write needs its idempotency_key")
        tmo = timeouts or self.timeouts
        policy = retry or self.retry
        limit = self.max_response_bytes if max_response_bytes is None else max_response_bytes
        if limit < 1:
            raise ValueError("max_response_bytes must be positive")
        build: Builder = spec if callable(spec) else _constant(spec)
        start = policy.clock()
        maybe_happened = False

        def attempt(number: int) -> requests.Response:
            nonlocal maybe_happened
            remaining = tmo.total - (policy.clock() - start)
            if remaining <= 0:
                raise ReadTimeout(
                    f"deadline of {tmo.total}s exceeded before attempt {number}",
                    sent=False,
                    provider=self.provider,
                    operation=operation,
                )
            try:
                response = self._send_once(
                    build(number), operation, number, sign, tmo, remaining, limit
                )
            except TransportError as exc:
                maybe_happened = maybe_happened or exc.sent
                raise
            status = response.status_code
            if status in RETRYABLE_STATUSES:
                if status != 429:
                    maybe_happened = True
                raise _RetryableStatus(response)
            if status >= 500 and idempotency is Idempotency.UNKEYED_WRITE:
                maybe_happened = True
                raise _AmbiguousStatus(response)
            return response

        def should_retry(exc: BaseException) -> bool:
            if isinstance(exc, TransportError):
                if idempotency is Idempotency.UNKEYED_WRITE:
                    return not exc.sent
                return exc.retryable
            if isinstance(exc, _RetryableStatus):
                return idempotency is not Idempotency.UNKEYED_WRITE
            return False

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            retry_after = None
            if isinstance(exc, _RetryableStatus):
                retry_after = parse_retry_after(exc.response.headers.get("Retry-After"))
            return policy.backoff(state.attempt_number, retry_after)

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= policy.max_attempts:
                return True
            if policy.clock() - start + state.upcoming_sleep >= tmo.total:
                return True
            return not policy.spend_budget()

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(should_retry),
            wait=wait,
            stop=stop,
            sleep=policy.sleep,
            reraise=True,
        )
        try:
            for tries in retrying:  # tenacity drives the loop; the decisions above are ours
                with tries:
                    result = attempt(tries.retry_state.attempt_number)
            return result
        except (TransportError, _RetryableStatus, _AmbiguousStatus) as exc:
            final = self._final_error(exc, operation)
            if idempotency.is_write and maybe_happened:
                raise OutcomeUnknown(
                    f"{operation} may or may not have happened at {self.provider}: "
                    f"{final.message}; reconcile with the idempotency key",
                    idempotency_key=idempotency_key,
                    provider=self.provider,
                    operation=operation,
                    http_status=final.http_status,
                    request_id=final.request_id,
                    body_excerpt=final.body_excerpt,
                ) from final
            if final is exc:
                raise
            raise final from None

    # -- one attempt ---------------------------------------------------------------------

    @traced_attempt  # counts the call's attempts for its span (core/telemetry.py)
    def _send_once(
        self,
        spec: RequestSpec,
        operation: str,
        number: int,
        sign: Signer | None,
        tmo: Timeouts,
        remaining: float,
        limit: int,
    ) -> requests.Response:
        request = requests.Request(
            spec.method,
            spec.url,
            params=spec.params,
            headers=dict(spec.headers),
            data=spec.content if spec.content is not None else spec.data,
            json=spec.json,
        )
        prepared = self.session.prepare_request(request)
        if sign is not None:
            sign(prepared, number)
        redactor = self.redactor
        where = functools.partial(redactor.url, prepared.url or "")  # redacted when needed
        logging_on = _log.isEnabledFor(logging.DEBUG)
        if self.on_request or logging_on:
            body, kind = prepared.body, prepared.headers.get("Content-Type")
            event = RequestEvent(
                provider=self.provider,
                operation=operation,
                attempt=number,
                method=prepared.method or spec.method,
                url=where(),
                headers=redactor.headers(prepared.headers),
                _body=_LazyBody(functools.partial(redactor.body, body, kind)),
            )
            _log.debug("%s %s -> %s %s", self.provider, operation, event.method, event.url)
            for hook in self.on_request:
                hook(event)
        timeout = (min(tmo.connect, remaining), min(tmo.read, remaining))
        began = time.monotonic()
        failure: TransportError | None = None
        with watch(remaining) as deadline:
            try:
                # Proxies, CA bundle and certificate merged as `Session.request` does: one
                # look at the environment (`send` alone resolves proxies again: 3 scans).
                settings = self.session.merge_environment_settings(
                    prepared.url, {}, True, None, None
                )
                response = self.session.send(
                    prepared, timeout=timeout, allow_redirects=False, **settings
                )
                _read_body(response, limit)
                if deadline.fired:  # cut mid-headers, http.client may take what it got
                    failure = self._deadline_error(operation, where(), tmo)
            except _TooLarge as too_large:
                failure = self._too_large(too_large, operation, where(), limit)
            except requests.RequestException as exc:
                failure = self._transport_error(exc, operation, where(), deadline, tmo)
        if failure is not None:
            # Raised outside the except block: requests' own exception quotes the raw URL
            # (query-string secrets included) and must not ride along as __context__.
            self._emit_response(operation, number, prepared, began, None, str(failure))
            raise failure
        self._emit_response(operation, number, prepared, began, response, None)
        return response

    def _emit_response(
        self,
        operation: str,
        number: int,
        prepared: requests.PreparedRequest,
        began: float,
        response: requests.Response | None,
        error: str | None,
    ) -> None:
        if not (self.on_response or _log.isEnabledFor(logging.DEBUG)):
            return
        redactor = self.redactor
        if response is None:
            body = _LazyBody(str)
        else:
            content, kind = response.content, response.headers.get("Content-Type")
            body = _LazyBody(functools.partial(redactor.excerpt, content, kind))
        event = ResponseEvent(
            provider=self.provider,
            operation=operation,
            attempt=number,
            method=prepared.method or "",
            url=redactor.url(prepared.url or ""),
            elapsed=time.monotonic() - began,
            status=None if response is None else response.status_code,
            _body=body,
            error=error,
        )
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug(
                "%s %s <- %s in %.3fs %s",
                self.provider,
                operation,
                event.status if event.status is not None else error,
                event.elapsed,
                event.body,
            )
        for hook in self.on_response:
            hook(event)

    def _too_large(
        self, exc: _TooLarge, operation: str, redacted_url: str, limit: int
    ) -> ResponseTooLarge:
        seen = f"{exc.size:,} bytes or more" if exc.declared is None else f"{exc.declared:,} bytes"
        return ResponseTooLarge(
            f"answer from {redacted_url} is {seen}, over the {limit:,}-byte limit of "
            f"{operation}; stopped reading",
            limit=limit,
            provider=self.provider,
            operation=operation,
            http_status=exc.status,
            request_id=exc.request_id,
        )

    def _deadline_error(self, operation: str, redacted_url: str, tmo: Timeouts) -> ReadTimeout:
        message = f"no whole answer from {redacted_url} within the {tmo.total:g}s deadline"
        return ReadTimeout(message, provider=self.provider, operation=operation)

    def _transport_error(
        self,
        exc: requests.RequestException,
        operation: str,
        redacted_url: str,
        deadline: Attempt,
        tmo: Timeouts,
    ) -> TransportError:
        provider = self.provider
        if deadline.fired:
            return self._deadline_error(operation, redacted_url, tmo)
        if isinstance(exc, requests.ConnectTimeout):
            message = f"connect timeout to {redacted_url}"
            return ConnectTimeout(message, provider=provider, operation=operation)
        if isinstance(exc, requests.ReadTimeout):
            message = f"no answer in time from {redacted_url}"
            return ReadTimeout(message, provider=provider, operation=operation)
        if isinstance(exc, requests.ConnectionError):
            sent = _may_have_left(exc)
            what = "connection reset or aborted" if sent else "connection refused"
            return ConnectionFailed(
                f"{what} by {redacted_url}", sent=sent, provider=provider, operation=operation
            )
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            message = f"answer from {redacted_url} was cut short"
            return ConnectionFailed(message, sent=True, provider=provider, operation=operation)
        if isinstance(exc, _NEVER_SENT):
            return TransportError(
                f"request to {redacted_url} could not be made: {type(exc).__name__}",
                sent=False,
                retryable=False,
                provider=provider,
                operation=operation,
            )
        # Anything else happened after the request may have been written (an undecodable
        # answer, an SSL failure mid-read...): the vendor may have acted.
        return TransportError(
            f"request to {redacted_url} failed: {type(exc).__name__}",
            sent=True,
            retryable=False,
            provider=provider,
            operation=operation,
        )

    def _final_error(self, exc: BaseException, operation: str) -> ConnectorError:
        if isinstance(exc, _RetryableStatus | _AmbiguousStatus):
            return error_for_status(
                exc.response, provider=self.provider, operation=operation, redactor=self.redactor
            )
        assert isinstance(exc, TransportError)
        return exc


class _TooLarge(Exception):
    """Internal: the answer passed the size limit; the connection is already closed."""

    def __init__(self, response: requests.Response, size: int, declared: int | None) -> None:
        super().__init__(size)
        self.status = response.status_code
        self.request_id = request_id_of(response.headers)
        self.size = size
        self.declared = declared


def _read_body(response: requests.Response, limit: int) -> None:
    """Read the streamed answer into `response.content`, refusing more than `limit` bytes.

    A declared Content-Length over the limit is refused before reading; otherwise reading
    stops at the first chunk past it. Memory stays within `limit` plus one chunk.
    """
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise _TooLarge(response, 0, int(declared))
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > limit:
            response.close()
            raise _TooLarge(response, size, None)
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True  # type: ignore[attr-defined]
    response.close()  # the body is read: this returns the connection to the pool


def _constant(spec: RequestSpec) -> Builder:
    def build(_attempt: int) -> RequestSpec:
        return spec

    return build


def _may_have_left(exc: requests.ConnectionError) -> bool:
    """False only when the request certainly never reached the server."""
    reason: object = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return not isinstance(reason, NewConnectionError | NameResolutionError | ConnectTimeoutError)


class _HttpStackRedaction(logging.Filter):
    """Masks every live transport's secrets in the HTTP stack's own log lines.

    urllib3 logs each request line (query string included) at DEBUG; vendors that take
    keys in the query (eSMS) would otherwise have them printed. Runs only for records
    urllib3 actually emits.
    """

    def __init__(self) -> None:
        super().__init__()
        self._transports: weakref.WeakSet[Transport] = weakref.WeakSet()
        self._installed = False
        self._lock = threading.Lock()

    def add(self, transport: Transport) -> None:
        with self._lock:
            self._transports.add(transport)
            if not self._installed:
                for name in _HTTP_STACK_LOGGERS:
                    logging.getLogger(name).addFilter(self)
                self._installed = True

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record
            message = f"{record.msg} {record.args!r}"
        for transport in list(self._transports):
            message = transport.redactor.text(message)
        record.msg, record.args = message, ()
        return True


_HTTP_STACK_LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.response",
    "urllib3.poolmanager",
    "urllib3.util.retry",
)
_http_stack_logs = _HttpStackRedaction()
