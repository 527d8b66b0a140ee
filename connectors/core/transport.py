"""The HTTP transport every adapter sends through.

One `requests.Session` per client (pooled; safe to share between threads), connect and
read timeouts that are never None, a total deadline across retries, retries decided by the
operation's `Idempotency` (see `connectors.core.retry`), signing inside the retry loop on
the final bytes, redaction before anything reaches a hook, a log record or an exception.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests
import tenacity
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
)

from connectors import __version__
from connectors.core.errors import (
    ConnectionFailed,
    ConnectorError,
    ConnectTimeout,
    OutcomeUnknown,
    ReadTimeout,
    TransportError,
)
from connectors.core.http_errors import error_for_status
from connectors.core.redaction import Redactor
from connectors.core.retry import RETRYABLE_STATUSES, Idempotency, RetryPolicy, parse_retry_after

__all__ = [
    "USER_AGENT",
    "RequestEvent",
    "RequestSpec",
    "ResponseEvent",
    "Timeouts",
    "Transport",
]

USER_AGENT = f"connectors/{__version__}"

_log = logging.getLogger("connectors.http")


@dataclass(frozen=True)
class Timeouts:
    """Connect and read timeouts per attempt, and a deadline across all attempts (seconds)."""

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


@dataclass(frozen=True)
class RequestEvent:
    """A request about to leave, already redacted; given to `on_request` hooks."""

    provider: str
    operation: str
    attempt: int
    method: str
    url: str
    headers: Mapping[str, str]
    body: str


@dataclass(frozen=True)
class ResponseEvent:
    """The outcome of one attempt, already redacted; given to `on_response` hooks."""

    provider: str
    operation: str
    attempt: int
    method: str
    url: str
    elapsed: float
    status: int | None
    body: str
    error: str | None = None


Signer = Callable[[requests.PreparedRequest, int], None]
Builder = Callable[[int], RequestSpec]


class _RetryableStatus(Exception):
    """Internal: an attempt ended with a status worth retrying."""

    def __init__(self, response: requests.Response) -> None:
        super().__init__(response.status_code)
        self.response = response


class Transport:
    """Sends an adapter's requests: timeouts, retries, signing, redaction, hooks.

    `provider` names the vendor in errors and logs. `redactor` masks the adapter's secret
    fields and values. Hooks receive redacted events only. `trust_env=False` ignores proxy
    settings from the environment (faster; for hosts that reach the vendor directly).
    Thread-safe.
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
    ) -> None:
        self.provider = provider
        self.timeouts = timeouts or Timeouts()
        self.retry = retry or RetryPolicy()
        self.redactor = redactor or Redactor()
        self.on_request = list(on_request)
        self.on_response = list(on_response)
        if session is None:
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_maxsize, max_retries=0)
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            # False skips reading proxy and .netrc settings from the environment on every
            # request (its largest fixed cost); keep True where a proxy is configured so.
            session.trust_env = trust_env
        session.headers["User-Agent"] = USER_AGENT
        self.session = session

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Transport(provider={self.provider!r}, timeouts={self.timeouts!r})"

    # -- the one entry point -------------------------------------------------------------

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
    ) -> requests.Response:
        """Send `spec` (or what the builder makes for each attempt) and return the response.

        Returns any response whose status is not retryable, including 4xx/5xx: the adapter
        reads the vendor's body and maps it (see `error_for_status`). Raises
        `TransportError` or `ProviderError` when retries are exhausted on a read;
        `OutcomeUnknown` (carrying `idempotency_key`) when a write may have reached the
        vendor and no answer says whether it happened.
        """
        if idempotency is Idempotency.KEYED_WRITE and not idempotency_key:
            raise ValueError("a keyed write needs its idempotency_key")
        tmo = timeouts or self.timeouts
        policy = retry or self.retry
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
                response = self._send_once(build(number), operation, number, sign, tmo, remaining)
            except TransportError as exc:
                maybe_happened = maybe_happened or exc.sent
                raise
            if response.status_code in RETRYABLE_STATUSES:
                if response.status_code != 429:
                    maybe_happened = True
                raise _RetryableStatus(response)
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
            for tenacity_attempt in retrying:
                with tenacity_attempt:
                    number = tenacity_attempt.retry_state.attempt_number
                    result = attempt(number)
            return result
        except (TransportError, _RetryableStatus) as exc:
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

    def _send_once(
        self,
        spec: RequestSpec,
        operation: str,
        number: int,
        sign: Signer | None,
        tmo: Timeouts,
        remaining: float,
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
        redacted_url = self.redactor.url(prepared.url or "")
        if self.on_request or _log.isEnabledFor(logging.DEBUG):
            event = RequestEvent(
                provider=self.provider,
                operation=operation,
                attempt=number,
                method=prepared.method or spec.method,
                url=redacted_url,
                headers=self.redactor.headers(prepared.headers),
                body=self.redactor.body(prepared.body, prepared.headers.get("Content-Type")),
            )
            _log.debug("%s %s -> %s %s", self.provider, operation, event.method, event.url)
            for hook in self.on_request:
                hook(event)
        timeout = (min(tmo.connect, remaining), min(tmo.read, remaining))
        began = time.monotonic()
        failure: TransportError | None = None
        try:
            response = self.session.send(prepared, timeout=timeout, allow_redirects=False)
        except requests.RequestException as exc:
            failure = self._transport_error(exc, operation, redacted_url)
        if failure is not None:
            # Raised outside the except block: requests' own exception quotes the raw URL
            # (query-string secrets included) and must not ride along as __context__.
            self._emit_response(operation, number, prepared, began, None, "", str(failure))
            raise failure
        self._emit_response(
            operation,
            number,
            prepared,
            began,
            response.status_code,
            self.redactor.excerpt(response.content, response.headers.get("Content-Type")),
            None,
        )
        return response

    def _emit_response(
        self,
        operation: str,
        number: int,
        prepared: requests.PreparedRequest,
        began: float,
        status: int | None,
        body: str,
        error: str | None,
    ) -> None:
        if not (self.on_response or _log.isEnabledFor(logging.DEBUG)):
            return
        event = ResponseEvent(
            provider=self.provider,
            operation=operation,
            attempt=number,
            method=prepared.method or "",
            url=self.redactor.url(prepared.url or ""),
            elapsed=time.monotonic() - began,
            status=status,
            body=body,
            error=error,
        )
        _log.debug(
            "%s %s <- %s in %.3fs %s",
            self.provider,
            operation,
            status if status is not None else error,
            event.elapsed,
            body,
        )
        for hook in self.on_response:
            hook(event)

    def _transport_error(
        self, exc: requests.RequestException, operation: str, redacted_url: str
    ) -> TransportError:
        provider = self.provider
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
        return TransportError(
            f"request to {redacted_url} failed: {type(exc).__name__}",
            sent=False,
            retryable=False,
            provider=provider,
            operation=operation,
        )

    def _final_error(self, exc: BaseException, operation: str) -> ConnectorError:
        if isinstance(exc, _RetryableStatus):
            return error_for_status(
                exc.response, provider=self.provider, operation=operation, redactor=self.redactor
            )
        assert isinstance(exc, TransportError)
        return exc


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
