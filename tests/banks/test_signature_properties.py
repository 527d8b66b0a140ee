"""Signatures under open-ended input: whatever the text, what is signed verifies at the
other end, and changing any signed field breaks it."""

from __future__ import annotations

import json
import string

import requests
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from connectors.banks.base import PaymentRequest
from connectors.banks.momo import wire as momo_wire
from connectors.banks.payos import wire as payos_wire
from connectors.banks.vnpay import VnpayGateway
from connectors.core.errors import SignatureError, ValidationError
from connectors.testing import mount
from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator
from tests.banks.gateways import (
    MOMO_ACCESS,
    MOMO_SECRET,
    PAYOS_CHECKSUM,
    VNPAY_SECRET,
    make_client,
)

URL = "https://vnpay.sim.test"
URL_CHARS = string.ascii_letters + string.digits + "-._~*'()!$&+,;=:@%/?" + "đăê"


@settings(max_examples=60)
@given(
    description=st.text(min_size=1, max_size=120),
    path=st.text(alphabet=URL_CHARS, max_size=40),
    amount=st.integers(min_value=1, max_value=99_999_999),
)
def test_vnpay_accepts_every_pay_url_we_sign(description: str, path: str, amount: int) -> None:
    try:
        request = PaymentRequest(
            dossier_code="HS1",
            amount=amount,
            description=description,
            return_url=f"https://dvc.example.vn/{path}",
        )
    except ValidationError:
        reject()  # nothing ASCII-safe left: refused before anything is sent
    sim = VnpayGatewaySimulator(hash_secret=VNPAY_SECRET)
    vnpay = VnpayGateway(tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url=URL)
    with mount(sim, URL):
        page = requests.get(vnpay.payment_url(request), allow_redirects=False, timeout=5)
    assert 200 == page.status_code, page.headers.get("Location")
    assert (amount, request.description) == (sim.orders["HS1"].amount, sim.orders["HS1"].order_info)


IPN_TEXT = st.text(max_size=60)


@given(order_info=IPN_TEXT, message=IPN_TEXT, extra=IPN_TEXT, amount=st.integers(0, 10**9))
def test_momo_ipn_with_any_text_verifies_and_any_change_breaks_it(
    order_info: str, message: str, extra: str, amount: int
) -> None:
    body: dict[str, object] = {
        "partnerCode": "MOMO",
        "orderId": "HS2025000123",
        "requestId": "R1",
        "amount": amount,
        "orderInfo": order_info,
        "orderType": "momo_wallet",
        "transId": 4088878653,
        "resultCode": 0,
        "message": message,
        "payType": "qr",
        "responseTime": 1735787700000,
        "extraData": extra,
    }
    raw = momo_wire.raw_signature(body, momo_wire.IPN_FIELDS, MOMO_ACCESS)
    body["signature"] = momo_wire.sign(MOMO_SECRET, raw)
    momo = make_client("momo", "https://momo.sim.test")
    note = momo.verify_ipn(json.dumps(body, ensure_ascii=False).encode("utf-8"))
    assert (amount, order_info) == (note.amount, note.raw["orderInfo"])
    for field in ("amount", "orderInfo", "message", "extraData", "transId", "resultCode"):
        changed = {**body, field: f"{body[field]}x"}
        try:
            momo.verify_ipn(json.dumps(changed).encode())
        except SignatureError:
            continue
        raise AssertionError(f"changing {field} went unnoticed")


@given(
    st.dictionaries(
        st.sampled_from(["description", "reference", "desc", "counterAccountName", "x"]),
        st.one_of(st.none(), st.text(max_size=30), st.integers()),
    ),
    st.integers(min_value=0, max_value=10**9),
)
def test_payos_webhook_with_any_data_verifies_and_any_change_breaks_it(
    extra: dict[str, object], amount: int
) -> None:
    data = {"orderCode": 123, "amount": amount, "code": "00", **extra}
    payload = {
        "code": "00",
        "desc": "success",
        "success": True,
        "data": data,
        "signature": payos_wire.sign(PAYOS_CHECKSUM, payos_wire.data_string(data)),
    }
    payos = make_client("payos", "https://payos.sim.test")
    assert amount == payos.verify_webhook(json.dumps(payload).encode()).amount
    for key, value in data.items():
        changed = {**payload, "data": {**data, key: f"{value}!"}}
        try:
            payos.verify_webhook(json.dumps(changed).encode())
        except SignatureError:
            continue
        raise AssertionError(f"changing {key} went unnoticed")
