"""Delivery reports: de-duplicated before the portal sees them.

Providers re-send reports (eSMS retries its callback on timeout; a status poll returns the
same report again). `DeliveryInbox.accept` hands each report to the portal's handler until
the handler has once returned for its `dedupe_key`, which is only then marked done in a
`connectors.core.SeenStore` (claim after the effect): a handler that raises, or a process
killed inside it, leaves the report unmarked, so the provider's next copy is handled again.
The handler must therefore be idempotent on `report.dedupe_key`.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.core.webhooks import EventGate, MemorySeenStore, SeenStore
from connectors.sms.base import DeliveryReport

__all__ = ["DeliveryInbox"]

_NAMESPACE = "sms-dlr"


class DeliveryInbox:
    """De-duplicates delivery reports and hands new ones to `handler` (if given).

    `seen` defaults to an in-process `MemorySeenStore` (the last million keys); give an
    `SqliteSeenStore` on a file to remember reports across restarts.
    """

    def __init__(
        self,
        seen: SeenStore | None = None,
        handler: Callable[[DeliveryReport], None] | None = None,
    ) -> None:
        self.seen: SeenStore = seen if seen is not None else MemorySeenStore(max_size=1_000_000)
        self.handler = handler
        self._gate = EventGate(self.seen, namespace=_NAMESPACE)

    def accept(self, report: DeliveryReport) -> bool:
        """True if `report` was new and is now handled; False for a copy already handled.

        The report is marked done only after the handler returned. If the handler raises
        (anything, `KeyboardInterrupt` included), nothing is marked and the error
        propagates, so the provider's next copy is handled again. Without a handler, the
        report is marked done at once: handle it before calling `accept`, not after.
        """
        handler = self.handler
        return self._gate.run(report.dedupe_key, lambda: handler(report) if handler else None)

    def is_done(self, report: DeliveryReport) -> bool:
        """Whether a copy of `report` was already handled."""
        return self.seen.seen(report.dedupe_key, namespace=_NAMESPACE)
