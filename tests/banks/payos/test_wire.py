"""payOS wire format: the sorted-data webhook signature (spec 4.3)."""

from __future__ import annotations

import hashlib
import hmac
import json

from hypothesis import given
from hypothesis import strategies as st

from connectors.banks.payos import wire

WEBHOOK_DATA = {
    "orderCode": 123,
    "amount": 3000,
    "description": "VQRIO123",
    "accountNumber": "12345678",
    "reference": "TF230204212323",
    "transactionDateTime": "2023-02-04 18:25:00",
    "currency": "VND",
    "paymentLinkId": "124c33293c43417ab7879e14c8d9eb18",
    "code": "00",
    "desc": "Thành công",
    "counterAccountBankId": "",
    "counterAccountBankName": "",
    "counterAccountName": None,
    "counterAccountNumber": None,
    "virtualAccountName": "",
    "virtualAccountNumber": "",
}
WEBHOOK_STRING = (
    "accountNumber=12345678&amount=3000&code=00&counterAccountBankId=&counterAccountBankName="
    "&counterAccountName=&counterAccountNumber=&currency=VND&desc=Thành công"
    "&description=VQRIO123&orderCode=123&paymentLinkId=124c33293c43417ab7879e14c8d9eb18"
    "&reference=TF230204212323&transactionDateTime=2023-02-04 18:25:00"
    "&virtualAccountName=&virtualAccountNumber="
)


def test_webhook_data_string_sorted_raw_with_empty_values_kept() -> None:
    assert WEBHOOK_STRING == wire.data_string(WEBHOOK_DATA)


def test_webhook_signature_is_hmac_sha256_of_the_utf8_string() -> None:
    expected = hmac.new(b"fake-checksum", WEBHOOK_STRING.encode("utf-8"), hashlib.sha256)
    assert expected.hexdigest() == wire.sign("fake-checksum", wire.data_string(WEBHOOK_DATA))


def test_create_signature_covers_five_fields_in_order() -> None:
    body = {
        "orderCode": 123,
        "amount": 2000,
        "description": "HS1 le phi",
        "cancelUrl": "https://a.vn/c",
        "returnUrl": "https://a.vn/r",
        "buyerName": "ignored",
    }
    assert (
        "amount=2000&cancelUrl=https://a.vn/c&description=HS1 le phi&orderCode=123"
        "&returnUrl=https://a.vn/r"
    ) == wire.data_string(body, wire.CREATE_FIELDS)


def test_field_text_of_non_strings() -> None:
    assert ["", "true", "false", "5", '[{"a":1}]', '{"b":"ệ"}'] == [
        wire.field_text(v) for v in (None, True, False, 5, [{"a": 1}], {"b": "ệ"})
    ]


@given(
    st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", min_size=1, max_size=12),
        st.one_of(st.none(), st.integers(), st.text(max_size=20)),
        max_size=12,
    )
)
def test_data_string_is_independent_of_key_order(data: dict[str, object]) -> None:
    reordered = dict(reversed(list(data.items())))
    assert wire.data_string(data) == wire.data_string(reordered)
    assert len(data) == (wire.data_string(data).count("=") if data else 0) - sum(
        str(v).count("=") for v in data.values() if v is not None
    )


def test_json_round_trip_keeps_the_signature_valid() -> None:
    data = json.loads(json.dumps(WEBHOOK_DATA, ensure_ascii=True))
    assert WEBHOOK_STRING == wire.data_string(data)
