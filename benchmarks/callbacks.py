"""Callback verification: VNPay, payOS and MoMo against a bare check of the same scheme.

    python -m benchmarks.callbacks [--quick]

Ours is the gateway client's `verify_callback` / `verify_webhook` / `verify_ipn` on a
valid signed callback (parse, canonical string, HMAC, constant-time compare, the checks
and the typed notification). The baseline does the least a correct integrator must: parse
the body, build the canonical string once, HMAC it, compare in constant time and read the
amount as an integer. Same process, interleaved rounds; no network.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

from benchmarks.harness import Outcome, Row, fmt_seconds, paired, repeat, run_script
from connectors.banks.momo import MomoGateway
from connectors.banks.momo import wire as momo_wire
from connectors.banks.payos import PayosGateway
from connectors.banks.payos import wire as payos_wire
from connectors.banks.vnpay import VnpayGateway
from connectors.banks.vnpay import wire as vnpay_wire

VNPAY_SECRET = "TESTSECRETKEY0123456789ABCDEFGHI"  # noqa: S105 - the spec's public test vector
MOMO_ACCESS, MOMO_SECRET = "F8BBA842ECF85", "K951B6PE1waDMi640xX08PD3vg6EkVlz"
PAYOS_CHECKSUM = "fake-payos-checksum-key-0001"
REF = "HS2025000123"


def _vnpay() -> tuple[Callable[[], object], Callable[[], object]]:
    params = {
        "vnp_Amount": "5000000",
        "vnp_BankCode": "NCB",
        "vnp_OrderInfo": "Le phi ho so HS2025000123",
        "vnp_PayDate": "20250102101500",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "HNTEST01",
        "vnp_TransactionNo": "14422574",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": REF,
    }
    params["vnp_SecureHash"] = vnpay_wire.sign(VNPAY_SECRET, vnpay_wire.signing_string(params))
    client = VnpayGateway(
        tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url="https://vnpay.test"
    )
    key = VNPAY_SECRET.encode()

    def bare() -> int:
        keys = sorted(k for k in params if k.startswith("vnp_") and k != "vnp_SecureHash")
        data = "&".join(f"{k}={quote_plus(params[k])}" for k in keys)
        mac = hmac.new(key, data.encode(), hashlib.sha512).hexdigest()
        if not hmac.compare_digest(mac, params["vnp_SecureHash"].lower()):
            raise ValueError("forged")
        return int(params["vnp_Amount"]) // 100

    return lambda: client.verify_callback(params), bare


def _payos() -> tuple[Callable[[], object], Callable[[], object]]:
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
    body = json.dumps({"code": "00", "desc": "success", "data": data, "signature": signature})
    raw = body.encode()
    client = PayosGateway(
        client_id="bench",
        api_key="fake-payos-api-key-0001",
        checksum_key=PAYOS_CHECKSUM,
        base_url="https://payos.test",
    )
    key = PAYOS_CHECKSUM.encode()

    def bare() -> int:
        payload = json.loads(raw)
        fields = payload["data"]
        text = "&".join(f"{k}={'' if fields[k] is None else fields[k]}" for k in sorted(fields))
        mac = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, payload["signature"]):
            raise ValueError("forged")
        return int(fields["amount"])

    return lambda: client.verify_webhook(raw), bare


def _momo() -> tuple[Callable[[], object], Callable[[], object]]:
    data: dict[str, Any] = {
        "partnerCode": "MOMO",
        "orderId": REF,
        "requestId": f"{REF}-1",
        "amount": 50_000,
        "orderInfo": "Le phi",
        "orderType": "momo_wallet",
        "transId": 4088878653,
        "resultCode": 0,
        "message": "Successful.",
        "payType": "qr",
        "responseTime": 1_735_787_700_000,
        "extraData": "",
    }
    raw_text = momo_wire.raw_signature(data, momo_wire.IPN_FIELDS, MOMO_ACCESS)
    data["signature"] = momo_wire.sign(MOMO_SECRET, raw_text)
    raw = json.dumps(data).encode()
    client = MomoGateway(
        partner_code="MOMO",
        access_key=MOMO_ACCESS,
        secret_key=MOMO_SECRET,
        base_url="https://momo.test",
    )
    key = MOMO_SECRET.encode()
    fields = momo_wire.IPN_FIELDS

    def bare() -> int:
        payload = json.loads(raw)
        values = {**payload, "accessKey": MOMO_ACCESS}
        text = "&".join(f"{k}={values.get(k, '')}" for k in fields)
        mac = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, payload["signature"]):
            raise ValueError("forged")
        return int(payload["amount"])

    return lambda: client.verify_ipn(raw), bare


def measure(quick: bool = False) -> Outcome:
    """One row per gateway, target 1.5x."""
    rounds, n = (7, 500) if quick else (15, 2000)
    rows = []
    for name, make in (("VNPay", _vnpay), ("payOS", _payos), ("MoMo", _momo)):
        ours, bare = make()
        bare()  # the baseline must accept what ours accepts
        ours()
        pair = paired(repeat(ours, n), repeat(bare, n), rounds=rounds)
        detail = (
            f"ours {fmt_seconds(pair.ours / n)}, bare {fmt_seconds(pair.base / n)} per callback"
        )
        key = f"callbacks.{name.lower()}"
        label = f"{name} callback verification"
        rows.append(Row(key, label, pair.ratio, "<= 1.5x", detail, 1.5))
    return Outcome(rows)


if __name__ == "__main__":
    run_script(measure, __doc__)
