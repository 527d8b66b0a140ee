"""A portal process for the IPN crash test:
`python -m tests.banks.ipn_crash_portal SEEN_DB PORTAL_DB ORDER_REF AMOUNT MODE`.

It serves an `IpnHandler` for VNPay on a loopback port (printed on the first line of its
output), with its seen-store in SEEN_DB, and runs until killed. Its `on_payment` is a
portal's real payment code: it records the call, then, in one transaction, the payment,
idempotently on the event key (`INSERT ... ON CONFLICT DO NOTHING`). MODE says when the
process SIGKILLs itself inside `on_payment`: "before-commit", "after-commit", or "never".
"""

from __future__ import annotations

import os
import signal
import sqlite3
import sys
import threading

from connectors.banks.base import PaymentNotification
from connectors.banks.ipn import IpnHandler
from connectors.banks.vnpay import VnpayGateway
from connectors.testing import serve
from tests.banks.gateways import VNPAY_SECRET

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS calls (n INTEGER PRIMARY KEY, event_key TEXT, pid INTEGER);"
    "CREATE TABLE IF NOT EXISTS payments ("
    " event_key TEXT PRIMARY KEY, order_ref TEXT NOT NULL, amount INTEGER NOT NULL)"
)


def main(seen_db: str, portal_db: str, order_ref: str, amount: int, mode: str) -> None:
    with sqlite3.connect(portal_db) as setup:
        setup.executescript(SCHEMA)

    def on_payment(note: PaymentNotification) -> None:
        db = sqlite3.connect(portal_db, isolation_level=None)
        db.execute(
            "INSERT INTO calls (event_key, pid) VALUES (?, ?)", (note.event_key, os.getpid())
        )
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO payments (event_key, order_ref, amount) VALUES (?, ?, ?)"
            " ON CONFLICT (event_key) DO NOTHING",
            (note.event_key, note.order_ref, note.amount),
        )
        if mode == "before-commit":
            os.kill(os.getpid(), signal.SIGKILL)
        db.execute("COMMIT")
        if mode == "after-commit":
            os.kill(os.getpid(), signal.SIGKILL)
        db.close()

    vnpay = VnpayGateway(
        tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url="http://127.0.0.1:9"
    )
    handler = IpnHandler(
        vnpay,
        expected_amount=lambda ref: amount if ref == order_ref else None,
        on_payment=on_payment,
        store=seen_db,
    )
    with handler, serve(handler) as base_url:
        print(base_url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
