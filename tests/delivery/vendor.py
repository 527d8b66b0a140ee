"""A simulated vendor for the outbox tests: keyed effects, a lookup by key, and a client."""

from __future__ import annotations

import threading
from typing import Any

from connectors.core import (
    Idempotency,
    NotFound,
    RequestSpec,
    RetryPolicy,
    Timeouts,
    Transport,
    error_for_status,
)
from connectors.delivery import Job, JobResult, Task
from connectors.testing import SimRequest, SimResponse, Simulator


class EffectVendor(Simulator):
    """Records one effect per `Idempotency-Key`; a repeated key returns the first effect."""

    provider = "effect-vendor"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.add_route("POST", "/effects", self._create, name="create")
        self.add_route("GET", "/effects/{key}", self._lookup, name="lookup")

    def _create(self, request: SimRequest) -> SimResponse:
        key = request.header("Idempotency-Key")
        if not key:
            return SimResponse.json({"error": "Idempotency-Key required"}, 400)
        body = request.json()
        if body.get("reject"):
            return SimResponse.json({"error": "rejected"}, 422)
        with self._lock:
            entry = self.ledger.find("effect", key)
            if entry is None:
                number = len(self.ledger.entries("effect")) + 1
                entry = self.ledger.record("effect", key, number=number, body=body)
        return SimResponse.json({"number": entry.data["number"], "key": key})

    def _lookup(self, request: SimRequest) -> SimResponse:
        entry = self.ledger.find("effect", request.path_params["key"])
        if entry is None:
            return SimResponse.json({"error": "not found"}, 404)
        return SimResponse.json({"number": entry.data["number"], "key": entry.key})


class EffectClient:
    """Creates effects under a job's key; looks them up after an unknown outcome."""

    def __init__(self, base_url: str, *, read_timeout: float = 2.0, attempts: int = 1) -> None:
        self.base_url = base_url
        self.http = Transport(
            EffectVendor.provider,
            timeouts=Timeouts(connect=2.0, read=read_timeout, total=read_timeout * attempts + 2),
            retry=RetryPolicy(max_attempts=attempts, base_delay=0.0, max_delay=0.0),
        )

    def _raise_for(self, response: Any, operation: str) -> None:
        if not response.ok:
            raise error_for_status(
                response,
                provider=EffectVendor.provider,
                operation=operation,
                redactor=self.http.redactor,
            )

    def create(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.request(
            RequestSpec(
                "POST", f"{self.base_url}/effects", headers={"Idempotency-Key": key}, json=body
            ),
            operation="create",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=key,
        )
        self._raise_for(response, "create")
        result: dict[str, Any] = response.json()
        return result

    def lookup(self, key: str) -> dict[str, Any] | None:
        response = self.http.request(
            RequestSpec("GET", f"{self.base_url}/effects/{key}"),
            operation="lookup",
            idempotency=Idempotency.READ,
        )
        try:
            self._raise_for(response, "lookup")
        except NotFound:
            return None
        result: dict[str, Any] = response.json()
        return result

    def task(self) -> Task:
        def run(job: Job) -> JobResult:
            return JobResult(result=self.create(job.key, dict(job.payload)))

        def lookup(job: Job) -> JobResult | None:
            found = self.lookup(job.key)
            return None if found is None else JobResult(result=found)

        return Task(run=run, lookup=lookup)
