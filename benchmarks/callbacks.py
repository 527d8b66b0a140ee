"""Callback verification: VNPay, payOS and MoMo against a bare check of the same scheme.

    python benchmarks/callbacks.py [--rounds R] [--calls N]

Ours is the gateway client's `verify_callback` / `verify_webhook` / `verify_ipn` on a
valid signed callback (parse, canonical string, HMAC, constant-time compare, the checks
and the typed notification). The baseline does the least a correct integrator must: parse
the body, build the canonical string once, HMAC it, compare in constant time and read the
amount as an integer. Both run N times per round in the same process, the order flipped
every round, on the CPU clock; the figure is the median of the per-round ratios. No
network. The last line is the three medians.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from connectors.banks.momo import MomoGateway
from connectors.banks.momo import wire as momo_wire
from connectors.banks.payos import PayosGateway
from connectors.banks.payos import wire as payos_wire
from connectors.banks.vnpay import VnpayGateway
from connectors.banks.vnpay import wire as vnpay_wire
from connectors.vn.time import VN_TZ

VNPAY_SECRET = "TESTSECRETKEY0123456789ABCDEFGHI"  # noqa: S105 - fake
MOMO_ACCESS, MOMO_SECRET = "F8BBA842ECF85", "fake-momo-secret-key-0000000001"
PAYOS_CHECKSUM = "fake-payos-checksum-key-0001"
REF = "HS2025000123"
NOW_MS = 1_735_787_700_000  # 2025-01-02 10:15:00 GMT+7

Pair = tuple[Callable[[], object], Callable[[], object]]


def vnpay() -> Pair:
    order = vnpay_wire.PayOrder(
        REF, 50_000, "20250102100000", "20250102101500", "Le phi ho so " + REF, "", "NCB"
    )
    when = datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ)
    params = vnpay_wire.callback(
        order,
        outcome="success",
        amount=50_000,
        transaction_no="14422574",
        pay_date=when,
        tmn_code="HNTEST01",
        secret=VNPAY_SECRET,
    )
    client = VnpayGateway(tmn_code="HNTEST01", hash_secret=VNPAY_SECRET)
    key = VNPAY_SECRET.encode()

    def bare() -> int:
        keys = sorted(k for k in params if k.startswith("vnp_") and k != "vnp_SecureHash")
        data = "&".join(f"{k}={quote_plus(params[k])}" for k in keys)
        mac = hmac.new(key, data.encode(), hashlib.sha512).hexdigest()
        if not hmac.compare_digest(mac, params["vnp_SecureHash"].lower()):
            raise ValueError("forged")
        return int(params["vnp_Amount"]) // 100

    return lambda: client.verify_callback(params), bare


def payos() -> Pair:
    data: dict[str, Any] = {
        "orderCode": 1735787700001,
        "amount": 50_000,
        "description": REF,
        "accountNumber": "0123456789",
        "reference": "FT25002000001",
        "transactionDateTime": "2025-01-02 10:15:00",
        "currency": "VND",
        "paymentLinkId": "a1b2c3",
        "code": "00",
        "desc": "success",
    }
    signature = payos_wire.sign(PAYOS_CHECKSUM, payos_wire.data_string(data))
    raw = json.dumps({"code": "00", "desc": "success", "data": data, "signature": signature})
    body = raw.encode()
    client = PayosGateway(
        client_id="bench", api_key="fake-payos-api-key-0001", checksum_key=PAYOS_CHECKSUM
    )
    key = PAYOS_CHECKSUM.encode()

    def bare() -> int:
        payload = json.loads(body)
        fields = payload["data"]
        text = "&".join(f"{k}={'' if fields[k] is None else fields[k]}" for k in sorted(fields))
        mac = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, payload["signature"]):
            raise ValueError("forged")
        return int(fields["amount"])

    return lambda: client.verify_webhook(body), bare


def momo() -> Pair:
    keys = momo_wire.Keys("MOMO", MOMO_ACCESS, MOMO_SECRET)
    order = momo_wire.ApiRequest(REF, f"{REF}-1", "", order_info="Le phi")
    data = momo_wire.ipn(
        keys, order, amount=50_000, trans_id=4088878653, outcome="success", now_ms=NOW_MS
    )
    body = json.dumps(data).encode()
    client = MomoGateway(partner_code="MOMO", access_key=MOMO_ACCESS, secret_key=MOMO_SECRET)
    key = MOMO_SECRET.encode()
    fields = momo_wire.IPN_FIELDS

    def bare() -> int:
        payload = json.loads(body)
        values = {**payload, "accessKey": MOMO_ACCESS}
        text = "&".join(f"{k}={values.get(k, '')}" for k in fields)
        mac = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, payload["signature"]):
            raise ValueError("forged")
        return int(payload["amount"])

    return lambda: client.verify_ipn(body), bare


def cpu_seconds(fn: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        fn()
    return time.process_time() - start


def median_ratio(
    ours: Callable[[], object], bare: Callable[[], object], rounds: int, n: int
) -> tuple[float, float, float]:
    """Median ratio ours/bare of `rounds` interleaved rounds, and the median µs per call."""
    cpu_seconds(bare, n)
    cpu_seconds(ours, n)
    samples = []
    for number in range(rounds):
        if number % 2:
            mine = cpu_seconds(ours, n)
            samples.append((mine, cpu_seconds(bare, n)))
        else:
            theirs = cpu_seconds(bare, n)
            samples.append((cpu_seconds(ours, n), theirs))
    return (
        statistics.median(m / b for m, b in samples),
        statistics.median(m for m, _ in samples) / n * 1e6,
        statistics.median(b for _, b in samples) / n * 1e6,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'callback':<10}{'ratio':>8}{'ours µs':>10}{'bare µs':>10}")
    ratios = []
    for name, make in (("VNPay", vnpay), ("payOS", payos), ("MoMo", momo)):
        ours, bare = make()
        bare()  # the baseline accepts what ours accepts
        ours()
        ratio, mine, theirs = median_ratio(ours, bare, args.rounds, args.calls)
        ratios.append(f"{name} {ratio:.2f}")
        print(f"{name:<10}{ratio:>7.2f}x{mine:>10.1f}{theirs:>10.1f}")
    print("median ratio ours / bare: " + ", ".join(ratios))


if __name__ == "__main__":
    main()
