"""Signed callbacks with any amount, built in the tests from each vendor's documented scheme
(VNPay's sorted query HMAC-SHA512, MoMo's raw signature, payOS's sorted data string), and a
client for each gateway pointed nowhere (callbacks need no network)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from connectors.banks.base import CallbackRequest
from connectors.banks.momo import MomoGateway
from connectors.banks.momo import wire as momo_wire
from connectors.banks.payos import PayosGateway
from connectors.banks.payos import wire as payos_wire
from connectors.banks.vnpay import VnpayGateway
from connectors.banks.vnpay import wire as vnpay_wire
from tests.banks.gateways import (
    MOMO_ACCESS,
    MOMO_SECRET,
    PAYOS_API_KEY,
    PAYOS_CHECKSUM,
    URLS,
    VNPAY_SECRET,
)

NOW_MS = 1_735_787_700_000  # 2025-01-02 10:15:00 GMT+7
NOW = NOW_MS / 1000
REF = "HS2025000123"
PAYOS_REF = "1735787700001"


def vnpay_callback(wire_amount: str) -> CallbackRequest:
    params = {
        "vnp_Amount": wire_amount,
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20250102101500",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "HNTEST01",
        "vnp_TransactionNo": "14422574",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": REF,
    }
    params["vnp_SecureHash"] = vnpay_wire.sign(VNPAY_SECRET, vnpay_wire.signing_string(params))
    return CallbackRequest("GET", params)


def momo_callback(amount: object, *, raw_amount: str | None = None) -> CallbackRequest:
    data: dict[str, Any] = {
        "partnerCode": "MOMO",
        "orderId": REF,
        "requestId": f"{REF}-1",
        "amount": amount,
        "orderInfo": "Le phi",
        "orderType": "momo_wallet",
        "transId": 4088878653,
        "resultCode": 0,
        "message": "Successful.",
        "payType": "qr",
        "responseTime": NOW_MS,
        "extraData": "",
    }
    raw = momo_wire.raw_signature(data, momo_wire.IPN_FIELDS, MOMO_ACCESS)
    if raw_amount is not None:  # a JSON literal Python would not write (a huge integer)
        raw = raw.replace("amount=0&", f"amount={raw_amount}&")
    data["signature"] = momo_wire.sign(MOMO_SECRET, raw)
    body = json.dumps(data, ensure_ascii=False)
    if raw_amount is not None:
        body = body.replace('"amount": 0,', f'"amount": {raw_amount},')
    return CallbackRequest("POST", {}, {"Content-Type": "application/json"}, body.encode())


def payos_callback(amount: object, order_code: object = int(PAYOS_REF)) -> CallbackRequest:
    data: dict[str, Any] = {
        "orderCode": order_code,
        "amount": amount,
        "description": "HS2025000123",
        "accountNumber": "0123456789",
        "reference": "FT25002000001",
        "transactionDateTime": "2025-01-02 10:15:00",
        "currency": "VND",
        "paymentLinkId": "a1b2c3",
        "code": "00",
        "desc": "success",
        "counterAccountBankId": "",
        "counterAccountBankName": "",
        "counterAccountName": None,
        "counterAccountNumber": None,
        "virtualAccountName": "",
        "virtualAccountNumber": "",
    }
    payload = {
        "code": "00",
        "desc": "success",
        "success": True,
        "data": data,
        "signature": payos_wire.sign(PAYOS_CHECKSUM, payos_wire.data_string(data)),
    }
    body = json.dumps(payload, ensure_ascii=False).encode()
    return CallbackRequest("POST", {}, {"Content-Type": "application/json"}, body)


GATEWAYS: dict[str, Callable[[], Any]] = {
    "vnpay": lambda: VnpayGateway(
        tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url=URLS["vnpay"]
    ),
    "momo": lambda: MomoGateway(
        partner_code="MOMO",
        access_key=MOMO_ACCESS,
        secret_key=MOMO_SECRET,
        base_url=URLS["momo"],
    ),
    "payos": lambda: PayosGateway(
        client_id="sim-client",
        api_key=PAYOS_API_KEY,
        checksum_key=PAYOS_CHECKSUM,
        base_url=URLS["payos"],
    ),
}
