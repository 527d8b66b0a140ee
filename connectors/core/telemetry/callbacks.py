"""Inbound callbacks: the verdict on each (verified, forged, stale, duplicate)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from connectors.core.errors import SignatureError
from connectors.core.telemetry.state import active

__all__ = ["VERDICTS", "callback_refused", "callback_verdict", "counts_refusals"]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

# -- inbound callbacks (connectors.core.webhooks and the receivers) ------------------------

VERDICTS = ("verified", "forged", "stale", "duplicate")


def callback_verdict(receiver: str | None, verdict: str) -> None:
    """Count one inbound callback of `receiver` (a gateway, "sepay", "ihanoi"...).

    `verdict`: ``verified`` (genuine and new: handed to the portal), ``duplicate`` (genuine,
    already handled), ``forged`` (failed verification), ``stale`` (its time outside the
    accepted window).
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    instruments = active()
    if instruments is None:
        return
    attributes = {"connectors.receiver": receiver or "unknown", "connectors.verdict": verdict}
    instruments.callbacks.add(1, attributes)


def callback_refused(receiver: str | None, exc: BaseException) -> None:
    """Count a callback refused with `exc`: ``stale`` if its error class says so (a
    `stale = True` class attribute, as `connectors.core.webhooks.StaleTimestamp` has),
    else ``forged``."""
    callback_verdict(receiver, "stale" if getattr(type(exc), "stale", False) else "forged")


def counts_refusals(method: Callable[Concatenate[T, P], R]) -> Callable[Concatenate[T, P], R]:
    """Decorates a verifier's `verify`: a `SignatureError` it raises is counted as a refused
    callback of the verifier's `provider` (see `callback_refused`), then propagates."""

    @functools.wraps(method)
    def verify(self: T, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except SignatureError as exc:
            callback_refused(getattr(self, "provider", None), exc)
            raise

    return verify
