"""The simulator kit: a base for provider simulators, fault injection, and two ways to run one.

- `Simulator`: a WSGI app with routes, a `Ledger` of what the vendor accepted and a
  `FaultPlan` of faults to inject.
- `serve(app)`: run it on a loopback port in a background thread.
- `mount(sim, base_url)`: answer requests in process through `responses` (no socket).
- The pytest plugin (`connectors.testing.plugin`, registered as an entry point) exposes
  `serve_app` and `mount_simulator` fixtures.
"""

from connectors.testing.faults import (
    CommitThenStatus,
    Fault,
    FaultPlan,
    Latency,
    Malformed,
    Oversize,
    Reset,
    Status,
    TimeoutAfterCommit,
    TimeoutBeforeProcessing,
    TooManyRequests,
    Trickle,
    Truncated,
)
from connectors.testing.inprocess import mount
from connectors.testing.server import LOOPBACK, ServedApp, serve
from connectors.testing.simulator import (
    AbortConnection,
    Ledger,
    LedgerEntry,
    SeenRequest,
    SimRequest,
    SimResponse,
    Simulator,
    WireFault,
)

__all__ = [
    "LOOPBACK",
    "AbortConnection",
    "CommitThenStatus",
    "Fault",
    "FaultPlan",
    "Latency",
    "Ledger",
    "LedgerEntry",
    "Malformed",
    "Oversize",
    "Reset",
    "SeenRequest",
    "ServedApp",
    "SimRequest",
    "SimResponse",
    "Simulator",
    "Status",
    "TimeoutAfterCommit",
    "TimeoutBeforeProcessing",
    "TooManyRequests",
    "Trickle",
    "Truncated",
    "WireFault",
    "mount",
    "serve",
]
