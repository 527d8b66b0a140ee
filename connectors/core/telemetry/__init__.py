"""OpenTelemetry traces and metrics for vendor calls, outbox jobs and inbound callbacks.

Optional (``pip install 'vn-public-connectors[otel]'``, the API only) and free when unused: nothing
here imports OpenTelemetry. A hook checks one module-level value and returns when
telemetry is off, which it is

- when OpenTelemetry is not installed;
- when it is installed but the application configured nothing: the library never imports
  it itself, and an application that set providers has imported it;
- after `disable()`.

It turns on with `configure(tracer_provider=..., meter_provider=...)` (explicit providers:
tests, or a portal keeping its own), or by itself once the application has set the global
providers (`opentelemetry.trace.set_tracer_provider`, `metrics.set_meter_provider`, or
``opentelemetry-instrument``).

What is recorded, with the tracer and meter named ``connectors`` (the full table is in
docs/operations.md):

- a client span ``<provider> <operation>`` per vendor call (retries inside it), and the
  metrics ``connectors.vendor.calls``, ``.call.duration``, ``.retries``,
  ``.unknown_outcomes`` and ``.rejections``;
- a span ``outbox <kind>`` per job the worker handles (vendor calls inside are its
  children), and ``connectors.outbox.jobs``, ``.job.duration``, ``.dead_letters``,
  ``.unknown_outcomes``;
- ``connectors.callbacks`` by receiver and verdict (verified, forged, stale, duplicate);
- ``connectors.fee.payment_to_receipt``: a receipt job's age when done.

A call's outcome is ``ok`` (an answer under 400), ``rejected`` (the vendor said no: an
answer of 400 or more, or a `ProviderError`), ``unknown`` (`OutcomeUnknown`),
``transport_error`` (`TransportError`) or ``error`` (refused before sending). It is read
at the HTTP level: a vendor that answers 200 with a refusal in its body is ``ok`` there;
the domain's error table then counts the refusal in ``connectors.vendor.rejections``.

Attributes hold only names the library chooses (domains, providers, operations, job
kinds, outcomes, verdicts, error class names) and numbers: never a URL, a header, a body,
an idempotency key, a phone number, a name, a tax code or a message text, and no
exception message (span status descriptions are the error's class name).
"""

from connectors.core.telemetry.callbacks import (
    VERDICTS,
    callback_refused,
    callback_verdict,
    counts_refusals,
)
from connectors.core.telemetry.calls import traced_attempt, traced_call, vendor_rejection
from connectors.core.telemetry.jobs import outbox_job
from connectors.core.telemetry.state import (
    DOMAINS,
    RECEIPT_KINDS,
    configure,
    disable,
    enabled,
    reset,
)

__all__ = [
    "DOMAINS",
    "RECEIPT_KINDS",
    "VERDICTS",
    "callback_refused",
    "callback_verdict",
    "configure",
    "counts_refusals",
    "disable",
    "enabled",
    "outbox_job",
    "reset",
    "traced_attempt",
    "traced_call",
    "vendor_rejection",
]
