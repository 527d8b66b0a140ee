"""Telemetry overhead: a vendor call through the transport with telemetry off, against the
same transport built without the hooks, and with telemetry on.

    PYTHONPATH=. python benchmarks/telemetry_overhead.py [--calls N] [--rounds R] [--in-process]

Three transports in one process, the same loopback simulator: `Transport` as shipped
(hooks in, telemetry off: OpenTelemetry not configured), a subclass whose `request` and
`_send_once` are the undecorated functions (the build without hooks), and `Transport` with
telemetry configured (the SDK, a batch span processor and a metric reader, spans dropped
by the exporter, as a portal exporting them would pay). Each round times N GETs per
transport, in a rotating order; the median ratio over the rounds is printed, last, after
the cost of the two hooks alone on a call that does nothing. No threshold.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from connectors.core import Idempotency, RequestSpec, Transport, telemetry
from connectors.testing import SimResponse, Simulator, mount, serve


class _Bare(Transport):
    """The transport without the telemetry hooks (the functions they wrap)."""

    request = Transport.request.__wrapped__  # type: ignore[attr-defined]
    _send_once = Transport._send_once.__wrapped__  # type: ignore[attr-defined]


class _Drop(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def _calls(transport: Transport, url: str, n: int) -> float:
    spec = RequestSpec("GET", url)
    start = time.perf_counter()
    for _ in range(n):
        transport.request(spec, operation="ping", idempotency=Idempotency.READ)
    return time.perf_counter() - start


def _hook_alone(n: int = 200_000) -> float:
    """Nanoseconds the two decorators add to a call that does nothing, telemetry off."""

    class Stub:
        provider = "stub"

        def request(self, spec: object, *, operation: str) -> None:
            return self.send(spec)

        def send(self, spec: object) -> None:
            return None

    class Hooked(Stub):
        request = telemetry.traced_call(Stub.request)
        send = telemetry.traced_attempt(Stub.send)

    telemetry.reset()
    plain, hooked = Stub(), Hooked()
    best = []
    for target in (plain, hooked):
        start = time.perf_counter()
        for _ in range(n):
            target.request(None, operation="x")
        best.append(time.perf_counter() - start)
    return (best[1] - best[0]) / n * 1e9


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="the simulator in process (connectors.testing.mount): no sockets, less noise",
    )
    args = parser.parse_args(argv)
    sim = Simulator()
    sim.add_route("GET", "/ping", lambda _r: SimResponse.json({"ok": True}), name="ping")
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(BatchSpanProcessor(_Drop()))
    meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
    off_vs_bare: list[float] = []
    on_vs_bare: list[float] = []
    per_call: dict[str, list[float]] = {"bare": [], "off": [], "on": []}
    where = mount(sim, "https://bench.sim.test") if args.in_process else serve(sim)
    with where as served, _Bare("bench", trust_env=False) as bare:
        base = "https://bench.sim.test" if args.in_process else served
        shipped: Any = Transport("bench", trust_env=False)
        url = f"{base}/ping"
        _calls(bare, url, 20)
        _calls(shipped, url, 20)
        for number in range(args.rounds):
            times: dict[str, float] = {}
            order = ["bare", "off", "on"]
            for name in order[number % 3 :] + order[: number % 3]:  # no order favoured
                if name == "on":
                    telemetry.configure(
                        tracer_provider=tracer_provider, meter_provider=meter_provider
                    )
                times[name] = _calls(bare if name == "bare" else shipped, url, args.calls)
                telemetry.reset()
            off_vs_bare.append(times["off"] / times["bare"])
            on_vs_bare.append(times["on"] / times["bare"])
            for name, seconds in times.items():
                per_call[name].append(seconds / args.calls * 1e6)
        shipped.close()
    tracer_provider.shutdown()
    for name, values in per_call.items():
        print(f"{name:>4}: {statistics.median(values):8.1f} us per call (median of {args.rounds})")
    print(f"the hooks alone, telemetry off: {_hook_alone():.0f} ns per call")
    print(f"telemetry on / no hooks:  {statistics.median(on_vs_bare):.3f}")
    print(f"telemetry off / no hooks: {statistics.median(off_vs_bare):.3f}")


if __name__ == "__main__":
    main()
