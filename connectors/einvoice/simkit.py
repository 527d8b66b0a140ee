"""What the e-invoice simulators share: faults that strike *after* the vendor committed.

`AfterCommit` is a mixin for a `connectors.testing.Simulator`: `fail_after_commit(route,
...)` makes the next request to `route` be processed and recorded as usual, and then
answered with a 5xx (or a reset connection) instead of the real answer. This is the
ambiguous answer an adapter must resolve by looking the document up by its key before any
resend. (`TimeoutAfterCommit` from the testing kit covers the lost answer.)

    class VnptSimulator(AfterCommit, Simulator): ...
    sim.fail_after_commit("ImportAndPublishInv", status=500)
    sim.fail_after_commit("issue", reset=True)
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from connectors.testing.simulator import AbortConnection, SimRequest, SimResponse

__all__ = ["AfterCommit", "AfterCommitFault"]


@dataclass(frozen=True)
class AfterCommitFault:
    """How a committed request is answered: `status` with `body`, or a reset connection."""

    status: int = 500
    body: bytes = b""
    content_type: str = "text/plain"
    reset: bool = False


class AfterCommit:
    """Mixin: process a request, then answer it with a fault (see the module docstring).

    Put it before `Simulator` in the bases. The request still reaches the route's handler,
    so the vendor's ledger records what it committed.
    """

    def fail_after_commit(
        self,
        route: str,
        *,
        status: int = 500,
        body: bytes = b"",
        content_type: str = "text/plain",
        reset: bool = False,
        times: int = 1,
    ) -> None:
        """Process the next `times` requests to `route`, then answer `status` (or reset)."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._after_commit_lock():
            queue = self._after_commit_queue()[route]
            queue.extend([AfterCommitFault(status, body, content_type, reset)] * times)

    def handle(self, request: SimRequest) -> SimResponse:
        found: Any = self._match(request)  # type: ignore[attr-defined]
        fault = None
        if found is not None:
            with self._after_commit_lock():
                queue = self._after_commit_queue().get(found[0].name)
                fault = queue.popleft() if queue else None
        response: SimResponse = super().handle(request)  # type: ignore[misc]
        if fault is None:
            return response
        if fault.reset:
            raise AbortConnection(0.0, processed=True)
        return SimResponse(fault.status, fault.body, {"Content-Type": fault.content_type})

    def _after_commit_queue(self) -> defaultdict[str, deque[AfterCommitFault]]:
        queues: defaultdict[str, deque[AfterCommitFault]] | None = self.__dict__.get(
            "_after_commit_faults"
        )
        if queues is None:
            queues = defaultdict(deque)
            self.__dict__["_after_commit_faults"] = queues
        return queues

    def _after_commit_lock(self) -> threading.Lock:
        lock: threading.Lock | None = self.__dict__.get("_after_commit_guard")
        if lock is None:
            lock = self.__dict__.setdefault("_after_commit_guard", threading.Lock())
        return lock
