"""Whether telemetry is on, and the tracer and instruments it records with."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Collection
from typing import Any

from connectors.core.extras import require

__all__ = [
    "DOMAINS",
    "RECEIPT_KINDS",
    "Instruments",
    "active",
    "configure",
    "disable",
    "enabled",
    "reset",
]

DOMAINS = ("banks", "einvoice", "sms", "ihanoi")
"""The library's domain packages; a call's domain is the first of them its caller is in."""

RECEIPT_KINDS = frozenset({"fee_receipt"})
"""Job kinds whose completion is a receipt issued after a payment (the fee flow's first
step, enqueued with the payment): their age when done is the payment-to-receipt delay."""

_NAME = "connectors"


_COUNTER, _HISTOGRAM = "counter", "histogram"

# attribute, kind, metric name, unit, description
_METRICS = (
    ("calls", _COUNTER, "connectors.vendor.calls", "{call}", "Vendor calls, by outcome."),
    (
        "call_duration",
        _HISTOGRAM,
        "connectors.vendor.call.duration",
        "s",
        "Duration of vendor calls, retries included.",
    ),
    ("retries", _COUNTER, "connectors.vendor.retries", "{attempt}", "Attempts after the first."),
    (
        "unknown_calls",
        _COUNTER,
        "connectors.vendor.unknown_outcomes",
        "{call}",
        "Writes that may or may not have happened at the vendor.",
    ),
    (
        "rejections",
        _COUNTER,
        "connectors.vendor.rejections",
        "{answer}",
        "Vendor refusals, by the domain's common code.",
    ),
    ("jobs", _COUNTER, "connectors.outbox.jobs", "{job}", "Outbox jobs handled, by outcome."),
    ("job_duration", _HISTOGRAM, "connectors.outbox.job.duration", "s", "Time to do one job."),
    ("dead_letters", _COUNTER, "connectors.outbox.dead_letters", "{job}", "Jobs given up."),
    (
        "unknown_jobs",
        _COUNTER,
        "connectors.outbox.unknown_outcomes",
        "{job}",
        "Jobs set aside for a person to reconcile.",
    ),
    ("callbacks", _COUNTER, "connectors.callbacks", "{callback}", "Inbound callbacks, by verdict."),
    (
        "payment_to_receipt",
        _HISTOGRAM,
        "connectors.fee.payment_to_receipt",
        "s",
        "From the payment recorded to its receipt issued.",
    ),
)


class Instruments:
    """The tracer and every instrument (`_METRICS`), made once from a pair of providers."""

    calls: Any
    call_duration: Any
    retries: Any
    unknown_calls: Any
    rejections: Any
    jobs: Any
    job_duration: Any
    dead_letters: Any
    unknown_jobs: Any
    callbacks: Any
    payment_to_receipt: Any

    def __init__(
        self, tracer_provider: Any, meter_provider: Any, receipt_kinds: frozenset[str]
    ) -> None:
        from opentelemetry import trace

        from connectors import __version__

        self.trace = trace
        self.tracer = tracer_provider.get_tracer(_NAME, __version__)
        self.receipt_kinds = receipt_kinds
        meter = meter_provider.get_meter(_NAME, __version__)
        for attribute, kind, name, unit, description in _METRICS:
            make = meter.create_counter if kind == _COUNTER else meter.create_histogram
            setattr(self, attribute, make(name, unit=unit, description=description))


class _State:
    """Whether telemetry is on, and with what; read by every hook."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.instruments: Instruments | None = None
        self.mode = "auto"  # "auto": the global providers once set; "explicit"; "off"
        self.receipt_kinds = RECEIPT_KINDS
        self.next_look = 0.0


_STATE = _State()
_LOOK_EVERY = 1.0  # seconds between looks for global providers while none is set


def configure(
    *,
    tracer_provider: Any = None,
    meter_provider: Any = None,
    receipt_kinds: Collection[str] | None = None,
) -> None:
    """Record with these providers from now on (the global ones for any not given).

    Needs ``opentelemetry-api`` (`MissingExtra` naming the extra otherwise). `receipt_kinds`
    replaces `RECEIPT_KINDS` (job kinds whose completion is a receipt for a payment).
    Thread-safe; takes effect for the next call.
    """
    trace = require("opentelemetry.trace", extra="otel", feature="telemetry")
    metrics = require("opentelemetry.metrics", extra="otel", feature="telemetry")
    kinds = RECEIPT_KINDS if receipt_kinds is None else frozenset(receipt_kinds)
    instruments = Instruments(
        tracer_provider or trace.get_tracer_provider(),
        meter_provider or metrics.get_meter_provider(),
        kinds,
    )
    with _STATE.lock:
        _STATE.instruments, _STATE.mode, _STATE.receipt_kinds = instruments, "explicit", kinds


def disable() -> None:
    """Record nothing from now on, whatever is configured (`configure` turns it on again)."""
    with _STATE.lock:
        _STATE.instruments, _STATE.mode = None, "off"


def reset() -> None:
    """Back to the default: on once the application sets global providers (tests use it)."""
    with _STATE.lock:
        _STATE.instruments, _STATE.mode = None, "auto"
        _STATE.receipt_kinds, _STATE.next_look = RECEIPT_KINDS, 0.0


def enabled() -> bool:
    """Whether the hooks record anything now."""
    return active() is not None


def active() -> Instruments | None:
    found = _STATE.instruments
    if found is not None or _STATE.mode != "auto":
        return found
    if "opentelemetry.trace" not in sys.modules:  # nobody configured anything
        return None
    now = time.monotonic()
    if now < _STATE.next_look:
        return None
    _STATE.next_look = now + _LOOK_EVERY
    return _from_globals()


def _from_globals() -> Instruments | None:
    try:
        from opentelemetry import metrics, trace
    except ImportError:  # half there (a module left behind by an uninstall)
        return None

    tracer_provider, meter_provider = trace.get_tracer_provider(), metrics.get_meter_provider()
    unset_meter = type(meter_provider).__name__ == "_ProxyMeterProvider"
    if isinstance(tracer_provider, trace.ProxyTracerProvider) and unset_meter:
        return None
    with _STATE.lock:
        if _STATE.mode == "auto" and _STATE.instruments is None:
            _STATE.instruments = Instruments(tracer_provider, meter_provider, _STATE.receipt_kinds)
        return _STATE.instruments
