"""`connectors demo`: the library's main job, run end to end on the bundled simulators.

This first stage exercises the foundation: a simulated receipt vendor on 127.0.0.1 that
de-duplicates by `Idempotency-Key`, with faults armed on some requests (a timeout after the
vendor committed, a reset, a 503, a 429 with Retry-After). Every dossier's receipt is issued
through the core transport; the demo then checks its invariant on the vendor's ledger:
exactly one receipt per dossier. The fee flow over every provider grows here (issue 7).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from connectors.core import (
    ConnectorError,
    Idempotency,
    RequestSpec,
    RetryPolicy,
    Timeouts,
    Transport,
    error_for_status,
)
from connectors.testing import (
    Reset,
    SimRequest,
    SimResponse,
    Simulator,
    Status,
    TimeoutAfterCommit,
    TooManyRequests,
    serve,
)
from connectors.vn import amount_in_words

__all__ = ["DemoResult", "ReceiptVendor", "run"]


class ReceiptVendor(Simulator):
    """Issues one receipt per `Idempotency-Key`; a repeated key returns the first receipt."""

    provider = "demo-receipts"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.add_route("POST", "/receipts", self._issue, name="issue")

    def _issue(self, request: SimRequest) -> SimResponse:
        key = request.header("Idempotency-Key")
        if not key:
            return SimResponse.json({"error": "Idempotency-Key required"}, 400)
        with self._lock:
            entry = self.ledger.find("receipt", key)
            if entry is None:
                number = len(self.ledger.entries("receipt")) + 1
                entry = self.ledger.record("receipt", key, number=number, body=request.json())
        return SimResponse.json({"number": entry.data["number"], "key": key})


@dataclass(frozen=True)
class DemoResult:
    dossiers: int
    receipts_in_ledger: int
    requests_sent: int
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures


def run(*, dossiers: int = 20, console: Console | None = None) -> DemoResult:
    """Issue a receipt for each dossier through faults; check exactly one receipt each."""
    console = console or Console()
    vendor = ReceiptVendor()
    vendor.faults.add("issue", TimeoutAfterCommit(hold=1.0))
    vendor.faults.add("issue", Reset())
    vendor.faults.add("issue", Status(503))
    vendor.faults.add("issue", TooManyRequests(retry_after=0.05))
    policy = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.1)
    table = Table(title="Receipts issued through faults")
    for column in ("dossier", "amount (VND)", "in words", "receipt no."):
        table.add_column(column)
    failures: list[str] = []
    with (
        serve(vendor) as base_url,
        Transport(vendor.provider, retry=policy, timeouts=Timeouts(read=0.5)) as http,
    ):
        for n in range(1, dossiers + 1):
            code = f"HS-DEMO-{n:04d}"
            amount = 25_000 * n
            key = f"{code}:receipt"
            spec = RequestSpec(
                "POST",
                f"{base_url}/receipts",
                headers={"Idempotency-Key": key},
                json={"dossier": code, "amount": amount},
            )
            try:
                response = http.request(
                    spec,
                    operation="issue_receipt",
                    idempotency=Idempotency.KEYED_WRITE,
                    idempotency_key=key,
                )
                if not response.ok:
                    raise error_for_status(
                        response,
                        provider=vendor.provider,
                        operation="issue_receipt",
                        redactor=http.redactor,
                    )
            except ConnectorError as exc:
                failures.append(f"{code}: {type(exc).__name__}: {exc}")
                continue
            number = str(response.json()["number"])
            table.add_row(code, f"{amount:,}", amount_in_words(amount), number)
    console.print(table)
    receipts = vendor.ledger.entries("receipt")
    per_key = {entry.key for entry in receipts}
    if len(receipts) != dossiers or len(per_key) != dossiers:
        failures.append(f"ledger holds {len(receipts)} receipts for {dossiers} dossiers")
    sent = len(vendor.requests_to("issue"))
    return DemoResult(dossiers, len(receipts), sent, failures)
