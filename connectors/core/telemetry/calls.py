"""Vendor calls: the transport's span per call, its attempts, and vendor refusals."""

from __future__ import annotations

import contextlib
import contextvars
import functools
import sys
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any, Concatenate, ParamSpec, TypeVar

from connectors.core.errors import OutcomeUnknown, ProviderError, TransportError
from connectors.core.telemetry.state import DOMAINS, Instruments, active

__all__ = ["traced_attempt", "traced_call", "vendor_rejection"]

_NAME = "connectors"
_FRAMES = 40  # how far up a call's stack its domain is looked for

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# -- vendor calls (connectors.core.transport) --------------------------------------------


@dataclass
class _Call:
    """What the attempts of the call under way saw."""

    attempts: int = 0
    status: int | None = None


_CALL: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("_CALL", default=None)
_DOMAINS: weakref.WeakKeyDictionary[object, str] = weakref.WeakKeyDictionary()


def _domain_of_caller(owner: object) -> str:
    """The domain of the code calling `owner` (a transport): its first caller in a domain."""
    try:
        return _DOMAINS[owner]
    except (KeyError, TypeError):
        pass
    domain = "other"
    frame: FrameType | None = sys._getframe(3)
    for _ in range(_FRAMES):
        if frame is None:
            break
        parts = str(frame.f_globals.get("__name__", "")).split(".")
        if len(parts) > 1 and parts[0] == _NAME and parts[1] in DOMAINS:
            domain = parts[1]
            break
        frame = frame.f_back
    with contextlib.suppress(TypeError):  # an owner that takes no weak reference
        _DOMAINS[owner] = domain
    return domain


def _call_outcome(exc: BaseException) -> str:
    if isinstance(exc, OutcomeUnknown):
        return "unknown"
    if isinstance(exc, TransportError):
        return "transport_error"
    if isinstance(exc, ProviderError):
        return "rejected"
    return "error"


def traced_call(method: Callable[Concatenate[T, P], R]) -> Callable[Concatenate[T, P], R]:
    """Decorates `Transport.request`: one span and the call metrics per call when on."""

    @functools.wraps(method)
    def request(self: T, /, *args: P.args, **kwargs: P.kwargs) -> R:
        instruments = active()
        if instruments is None:
            return method(self, *args, **kwargs)
        return _traced(instruments, method, self, args, kwargs)

    return request


def _traced(
    instruments: Instruments,
    method: Callable[..., R],
    owner: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> R:
    provider = str(getattr(owner, "provider", "unknown"))
    operation = str(kwargs.get("operation", "unknown"))
    idempotency = getattr(kwargs.get("idempotency"), "value", None)
    attributes: dict[str, Any] = {
        "connectors.domain": _domain_of_caller(owner),
        "connectors.provider": provider,
        "connectors.operation": operation,
    }
    call = _Call()
    token = _CALL.set(call)
    began = time.perf_counter()
    with instruments.tracer.start_as_current_span(
        f"{provider} {operation}",
        kind=instruments.trace.SpanKind.CLIENT,
        attributes={**attributes, "connectors.idempotency": str(idempotency)},
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        error: BaseException | None = None
        try:
            result = method(owner, *args, **kwargs)
        except BaseException as exc:
            error = exc
            raise
        finally:
            _CALL.reset(token)
            elapsed = time.perf_counter() - began
            if error is None:
                status: int | None = getattr(result, "status_code", None)
                outcome = "ok" if status is None or status < 400 else "rejected"
            else:
                outcome = _call_outcome(error)
                status = getattr(error, "http_status", None) or call.status
                span.set_attribute("error.type", type(error).__name__)
                span.set_status(instruments.trace.StatusCode.ERROR, type(error).__name__)
            span.set_attribute("connectors.attempts", call.attempts)
            span.set_attribute("connectors.outcome", outcome)
            if status is not None:
                span.set_attribute("http.response.status_code", int(status))
            measured = {**attributes, "connectors.outcome": outcome}
            instruments.calls.add(1, measured)
            instruments.call_duration.record(elapsed, measured)
            if call.attempts > 1:
                instruments.retries.add(call.attempts - 1, attributes)
            if outcome == "unknown":
                instruments.unknown_calls.add(1, attributes)
    return result


def traced_attempt(method: Callable[Concatenate[T, P], R]) -> Callable[Concatenate[T, P], R]:
    """Decorates the transport's one attempt: counts it, keeps its HTTP status."""

    @functools.wraps(method)
    def attempt(self: T, /, *args: P.args, **kwargs: P.kwargs) -> R:
        call = _CALL.get()
        if call is None:
            return method(self, *args, **kwargs)
        call.attempts += 1
        response = method(self, *args, **kwargs)
        call.status = getattr(response, "status_code", None)
        return response

    return attempt


def vendor_rejection(provider: str | None, operation: str | None, code: str) -> None:
    """Count one vendor refusal under the domain's common `code` (from its error table)."""
    instruments = active()
    if instruments is None:
        return
    instruments.rejections.add(
        1,
        {
            "connectors.provider": provider or "unknown",
            "connectors.operation": operation or "unknown",
            "connectors.code": code,
        },
    )
