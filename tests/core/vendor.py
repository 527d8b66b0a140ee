"""A small simulated vendor for the transport tests: a read, a keyed write, a keyless write."""

from __future__ import annotations

import itertools
import threading

from connectors.testing import SimRequest, SimResponse, Simulator


class LedgerVendor(Simulator):
    """Reads an item; records keyed writes once per `Idempotency-Key`; records keyless writes."""

    provider = "ledger-vendor"

    def __init__(self) -> None:
        super().__init__(sleep=lambda _s: None)
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        self.add_route("GET", "/items/{item}", self._read, name="read")
        self.add_route("POST", "/keyed", self._keyed, name="keyed")
        self.add_route("POST", "/unkeyed", self._unkeyed, name="unkeyed")

    def _read(self, request: SimRequest) -> SimResponse:
        return SimResponse.json({"item": request.path_params["item"]})

    def _keyed(self, request: SimRequest) -> SimResponse:
        key = request.header("Idempotency-Key")
        if not key:
            return SimResponse.json({"error": "key required"}, 400)
        with self._lock:
            entry = self.ledger.find("keyed", key)
            if entry is None:
                entry = self.ledger.record("keyed", key, body=request.json(), id=next(self._seq))
        return SimResponse.json({"id": entry.data["id"], "key": key})

    def _unkeyed(self, request: SimRequest) -> SimResponse:
        with self._lock:
            entry = self.ledger.record("unkeyed", str(next(self._seq)), body=request.json())
        return SimResponse.json({"id": entry.key})
