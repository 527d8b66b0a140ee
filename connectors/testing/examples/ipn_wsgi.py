"""A runnable example: a portal's IPN endpoint as plain WSGI, paid through simulated VNPay.

    python -m connectors.testing.examples.ipn_wsgi

Everything runs on 127.0.0.1: the VNPay simulator, and the portal's WSGI app (the
`IpnHandler` mounted at `/vnpay/ipn`, beside a tiny "dossier database"). A citizen opens
the pay URL, pays, and VNPay delivers the IPN; it is then delivered twice more to show it
reaches the portal once. Nothing here is needed by the library: copy what you need.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any, TextIO

import requests

from connectors.banks.base import PaymentNotification, PaymentRequest
from connectors.banks.ipn import IpnHandler
from connectors.banks.vnpay import VnpayGateway
from connectors.testing.server import serve
from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator

__all__ = ["PortalApp", "main"]

_FAKE_SECRET = "DEMO-ONLY-NOT-A-REAL-SECRET-0000"  # noqa: S105 - a simulator's fake key


class PortalApp:
    """The portal's WSGI app: `/vnpay/ipn` goes to the IPN handler, anything else is 404."""

    def __init__(self, vnpay: VnpayGateway, *, out: TextIO = sys.stdout) -> None:
        self.orders: dict[str, int] = {}  # order_ref -> amount in VND: the portal's database
        self.paid: list[PaymentNotification] = []
        self.out = out
        self.ipn = IpnHandler(
            vnpay,
            expected_amount=self.orders.get,
            on_payment=self.on_payment,
            store=":memory:",  # in production: a file path, e.g. /var/lib/dvc/ipn.sqlite3
        )

    def on_payment(self, notification: PaymentNotification) -> None:
        """Where the portal records the payment (and, say, queues the e-receipt).

        A real portal makes this idempotent on `notification.event_key` (a conditional
        `UPDATE ... WHERE paid = 0` in its own transaction): after a crash inside it, the
        gateway's next delivery calls it again.
        """
        self.paid.append(notification)
        print(
            f"portal: {notification.order_ref} {notification.status} "
            f"{notification.amount} VND at {notification.paid_at}",
            file=self.out,
        )

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/vnpay/ipn":
            return self.ipn(environ, start_response)
        start_response("404 Not Found", [("Content-Length", "0")])
        return [b""]


def main(out: TextIO = sys.stdout) -> int:
    """Run the whole round trip once on loopback; 0 when the portal heard of it once."""
    simulator = VnpayGatewaySimulator(hash_secret=_FAKE_SECRET, sleep=lambda _s: None)
    with serve(simulator) as vnpay_url:
        vnpay = VnpayGateway(tmn_code="HNTEST01", hash_secret=_FAKE_SECRET, base_url=vnpay_url)
        portal = PortalApp(vnpay, out=out)
        with serve(portal) as portal_url:
            simulator.ipn_url = f"{portal_url}/vnpay/ipn"
            request = PaymentRequest(
                dossier_code="HS-2025-000123",
                order_ref="HS2025000123",
                amount=50_000,
                description="Nộp lệ phí hồ sơ HS-2025-000123",
                return_url=f"{portal_url}/vnpay/return",
            )
            intent = vnpay.create_payment(request)
            portal.orders[intent.order_ref] = intent.amount
            print(f"citizen opens {intent.redirect_url}", file=out)
            requests.get(intent.redirect_url or "", timeout=5).raise_for_status()
            simulator.pay(intent.order_ref)
            for attempt in range(3):
                answers = simulator.deliver_ipn(intent.order_ref)
                print(f"VNPay delivery {attempt + 1}: {answers[-1].text()}", file=out)
            report = vnpay.query(intent.order_ref, created_at=intent.created_at)
            print(f"querydr: {report.status} {report.amount} VND", file=out)
        portal.ipn.close()
    return 0 if len(portal.paid) == 1 else 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
