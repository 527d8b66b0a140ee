"""Delivery reports: de-duplicated before the portal sees them.

Providers re-send reports (eSMS retries its callback on timeout; a status poll returns the
same report again). `DeliveryInbox.accept` records each report's `dedupe_key` in a
`connectors.core.SeenStore` and says whether it is new; a handler that fails can `forget`
the report so the provider's next copy is processed again.
"""

from __future__ import annotations

from collections.abc import Callable

from connectors.core.webhooks import MemorySeenStore, SeenStore
from connectors.sms.base import DeliveryReport

__all__ = ["DeliveryInbox"]

_NAMESPACE = "sms-dlr"


class DeliveryInbox:
    """De-duplicates delivery reports and hands new ones to `handler` (if given)."""

    def __init__(
        self,
        seen: SeenStore | None = None,
        handler: Callable[[DeliveryReport], None] | None = None,
    ) -> None:
        self.seen: SeenStore = seen if seen is not None else MemorySeenStore(max_size=1_000_000)
        self.handler = handler

    def accept(self, report: DeliveryReport) -> bool:
        """True if `report` is new (and was handled); False for a copy already seen.

        If the handler raises, the report is forgotten again and the error propagates, so
        the provider's retry is processed.
        """
        if not self.seen.add_if_new(report.dedupe_key, namespace=_NAMESPACE):
            return False
        if self.handler is not None:
            try:
                self.handler(report)
            except BaseException:
                self.forget(report)
                raise
        return True

    def forget(self, report: DeliveryReport) -> None:
        """Forget `report`, so its next copy counts as new."""
        self.seen.discard(report.dedupe_key, namespace=_NAMESPACE)
