"""What telemetry recorded, read from the SDK's in-memory span exporter and metric reader."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from connectors.core import telemetry


@dataclass(frozen=True)
class Point:
    """One metric data point: its attributes and value (a histogram's: count and sum)."""

    name: str
    attributes: dict[str, Any]
    value: float
    count: int = 0


class Captured:
    """The finished spans and the metric points so far."""

    def __init__(self, exporter: InMemorySpanExporter, reader: InMemoryMetricReader) -> None:
        self.exporter = exporter
        self.reader = reader

    def spans(self, name_prefix: str = "") -> list[ReadableSpan]:
        return [s for s in self.exporter.get_finished_spans() if s.name.startswith(name_prefix)]

    def points(self, name: str | None = None) -> list[Point]:
        data = self.reader.get_metrics_data()
        found: list[Point] = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if name is not None and metric.name != name:
                        continue
                    for point in metric.data.data_points:
                        value = getattr(point, "value", None)
                        if value is None:  # a histogram
                            found.append(
                                Point(
                                    metric.name,
                                    dict(point.attributes or {}),
                                    point.sum,
                                    point.count,
                                )
                            )
                        else:
                            found.append(Point(metric.name, dict(point.attributes or {}), value))
        return found

    def total(self, name: str, **attributes: Any) -> float:
        """The sum of `name`'s points whose attributes include `attributes` (a histogram's
        count)."""
        return sum(
            point.count or point.value
            for point in self.points(name)
            if all(point.attributes.get(k) == v for k, v in attributes.items())
        )

    def everything(self) -> str:
        """Every span name, attribute, event, link and status, and every metric point's
        attributes, as one text to search for what must not be there."""
        parts: list[str] = []
        for span in self.exporter.get_finished_spans():
            parts.append(span.name)
            parts.append(repr(dict(span.attributes or {})))
            parts.append(repr(span.status.description))
            for event in span.events:
                parts.append(event.name + repr(dict(event.attributes or {})))
        for point in self.points():
            parts.append(point.name + repr(point.attributes))
        return "\n".join(parts)


@contextmanager
def capture() -> Iterator[Captured]:
    """Telemetry on, into memory, for the `with` block; off again afterwards."""
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    telemetry.configure(tracer_provider=tracer_provider, meter_provider=meter_provider)
    try:
        yield Captured(exporter, reader)
    finally:
        telemetry.reset()
        tracer_provider.shutdown()
        meter_provider.shutdown()
