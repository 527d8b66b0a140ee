"""VNPay wire format: spec section 5 vectors B, C, D, the encoders, amounts, code tables."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.banks.base import PaymentErrorCode, PaymentStatus
from connectors.banks.vnpay import wire
from connectors.core.errors import ValidationError
from tests.banks.gateways import VNPAY_SECRET

VECTOR_B_PARAMS = {
    "vnp_Amount": "5000000",
    "vnp_Command": "pay",
    "vnp_CreateDate": "20250102101500",
    "vnp_CurrCode": "VND",
    "vnp_ExpireDate": "20250102103000",
    "vnp_IpAddr": "127.0.0.1",
    "vnp_Locale": "vn",
    "vnp_OrderInfo": "Nop le phi ho so HS-2025-000123",
    "vnp_OrderType": "other",
    "vnp_ReturnUrl": "https://dvc.example.vn/vnpay/return",
    "vnp_TmnCode": "HNTEST01",
    "vnp_TxnRef": "HS2025000123",
    "vnp_Version": "2.1.0",
}
VECTOR_B_STRING = (
    "vnp_Amount=5000000&vnp_Command=pay&vnp_CreateDate=20250102101500&vnp_CurrCode=VND"
    "&vnp_ExpireDate=20250102103000&vnp_IpAddr=127.0.0.1&vnp_Locale=vn"
    "&vnp_OrderInfo=Nop+le+phi+ho+so+HS-2025-000123&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fdvc.example.vn%2Fvnpay%2Freturn&vnp_TmnCode=HNTEST01"
    "&vnp_TxnRef=HS2025000123&vnp_Version=2.1.0"
)
VECTOR_B_HASH = (
    "4f4af92f11df9bc7f654ddfbb462b62100af1d6836230c2b40c1002a7524e6165179c4e4c5bc2901d72a4df"
    "44f8aacd9d7fdb3503d9aa3ad1b98a02c2b891b0f"
)
VECTOR_C_DATA = (
    "REQ20250102103100|2.1.0|querydr|HNTEST01|HS2025000123|20250102101500|20250102103100"
    "|127.0.0.1|Truy van GD HS2025000123"
)
VECTOR_C_HASH = (
    "182199a4a91ac182b2f98cc8834655ea0ce733f4105f3e7b3a0942169ca2a1833d73ae02d29be36b3095e0a"
    "da1a15c9f2f4cfa56f6cbbf382bbe7ae350bb8986"
)
VECTOR_D_DATA = (
    "RF20250103090000|2.1.0|refund|HNTEST01|02|HS2025000123|5000000|14422574|20250102101500"
    "|canbo01|20250103090000|127.0.0.1|Hoan le phi HS2025000123"
)
VECTOR_D_HASH = (
    "9c565c56a9a34a75b9f7522186d0f38986325d0278b1b6c420626f50f2293f8416d78677ce5e148ce67bdf6"
    "0acee57b616ff5260cc21b0b24cc44e29b9486856"
)


def test_vector_b_signing_string_and_hash() -> None:
    assert VECTOR_B_STRING == wire.signing_string(VECTOR_B_PARAMS)
    assert VECTOR_B_STRING == wire.signing_string(VECTOR_B_PARAMS, "python")
    assert VECTOR_B_HASH == wire.sign(VNPAY_SECRET, VECTOR_B_STRING)


def test_signing_string_drops_hash_fields_empty_values_and_foreign_keys() -> None:
    params = {
        **VECTOR_B_PARAMS,
        "vnp_SecureHash": "x",
        "vnp_SecureHashType": "HmacSHA512",
        "vnp_BankCode": "",
        "utm_source": "mail",
    }
    assert VECTOR_B_STRING == wire.signing_string(params)


def test_vector_c_querydr_hash() -> None:
    fields = dict(
        zip(
            wire.QUERY_HASH_FIELDS,
            [
                "REQ20250102103100",
                "2.1.0",
                "querydr",
                "HNTEST01",
                "HS2025000123",
                "20250102101500",
                "20250102103100",
                "127.0.0.1",
                "Truy van GD HS2025000123",
            ],
            strict=True,
        )
    )
    assert VECTOR_C_DATA == wire.joined(fields, wire.QUERY_HASH_FIELDS)
    assert VECTOR_C_HASH == wire.sign(VNPAY_SECRET, VECTOR_C_DATA)


def test_vector_d_refund_hash() -> None:
    assert VECTOR_D_HASH == wire.sign(VNPAY_SECRET, VECTOR_D_DATA)


def test_joined_writes_missing_values_as_empty() -> None:
    assert "a||c" == wire.joined({"x": "a", "z": "c", "y": None}, ("x", "y", "z"))


def test_encoders_differ_only_where_the_spec_says() -> None:
    text = "a b*~'()!-_.:/"
    assert "a+b*%7E%27%28%29%21-_.%3A%2F" == wire.encode_value(text, "java")
    assert "a+b%2A~%27%28%29%21-_.%3A%2F" == wire.encode_value(text, "python")


def test_sign_is_hmac_sha512_lowercase_hex() -> None:
    expected = hmac.new(b"k3y-k3y", "dữ liệu".encode(), hashlib.sha512).hexdigest()
    assert expected == wire.sign("k3y-k3y", "dữ liệu")
    assert 128 == len(expected)


@given(st.integers(min_value=0, max_value=10**12))
def test_amount_scaling_round_trips(vnd: int) -> None:
    assert str(vnd * 100) == wire.to_wire_amount(vnd)
    assert vnd == wire.from_wire_amount(wire.to_wire_amount(vnd))


@pytest.mark.parametrize(
    "value",
    ["5000050", "1", "", "50.000", "-100", "1e5", " 100", "５００００００", "1" * 16, 5000000],
)
def test_amount_not_ascii_digits_scaled_by_100_is_refused(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        wire.from_wire_amount(value)
    assert "vnp_Amount" == caught.value.field


def test_amount_bounds() -> None:
    assert (0, 9_999_999_999_999) == (
        wire.from_wire_amount("0"),
        wire.from_wire_amount("9" * 13 + "00"),
    )


@pytest.mark.parametrize(
    ("response", "transaction", "status"),
    [
        ("00", "00", PaymentStatus.PAID),
        ("00", "01", PaymentStatus.PENDING),
        ("00", "02", PaymentStatus.FAILED),  # PHP demo's OR would call this paid
        ("24", "02", PaymentStatus.CANCELLED),
        ("11", "02", PaymentStatus.EXPIRED),
        ("07", "07", PaymentStatus.UNKNOWN),
        # 07 (money deducted, suspected fraud) in only one of the two codes is enough
        ("07", "00", PaymentStatus.UNKNOWN),
        ("00", "07", PaymentStatus.UNKNOWN),
        ("07", "01", PaymentStatus.UNKNOWN),
        ("07", "02", PaymentStatus.UNKNOWN),
        ("51", "07", PaymentStatus.UNKNOWN),
        ("24", "07", PaymentStatus.UNKNOWN),  # 07 wins over cancelled...
        ("11", "07", PaymentStatus.UNKNOWN),  # ...and expired: the money may have moved
        ("07", "", PaymentStatus.UNKNOWN),
        ("24", "01", PaymentStatus.CANCELLED),
        ("11", "00", PaymentStatus.EXPIRED),
        ("01", "01", PaymentStatus.FAILED),  # pending needs response code 00
        ("51", "02", PaymentStatus.FAILED),
        ("99", "02", PaymentStatus.FAILED),
        ("", "", PaymentStatus.FAILED),
    ],
)
def test_pay_codes_map_to_the_common_status(
    response: str, transaction: str, status: PaymentStatus
) -> None:
    assert status == wire.payment_status(response, transaction)


@pytest.mark.parametrize(
    ("transaction", "kind", "status"),
    [
        ("00", "01", PaymentStatus.PAID),
        ("01", "01", PaymentStatus.PENDING),
        ("04", "01", PaymentStatus.REVERSED),
        ("05", "02", PaymentStatus.REFUNDED),
        ("06", "03", PaymentStatus.PARTIALLY_REFUNDED),
        ("09", "02", PaymentStatus.PAID),
        ("42", "01", PaymentStatus.UNKNOWN),
    ],
)
def test_query_codes_map_to_the_common_status(
    transaction: str, kind: str, status: PaymentStatus
) -> None:
    assert status == wire.query_status(transaction, kind)


def test_api_codes_map_to_the_common_errors() -> None:
    assert {
        "02": PaymentErrorCode.AUTH,
        "03": PaymentErrorCode.BAD_REQUEST,
        "91": PaymentErrorCode.NOT_FOUND,
        "94": PaymentErrorCode.DUPLICATE,
        "95": PaymentErrorCode.REFUND_REFUSED,
        "97": PaymentErrorCode.BAD_SIGNATURE,
        "99": PaymentErrorCode.UNKNOWN,
        "42": PaymentErrorCode.UNKNOWN,
    } == {
        code: wire.api_error_code(code) for code in ("02", "03", "91", "94", "95", "97", "99", "42")
    }


def test_every_pay_response_code_of_the_spec_is_known() -> None:
    spec = ["00", "07", "09", "10", "11", "12", "13", "24", "51", "65", "75", "79", "99"]
    assert spec == sorted(wire.PAY_RESPONSE_CODES)


def test_only_the_wire_names_vnpay_fields() -> None:
    """The client, the simulator and everything else speak VNPay through this module."""
    import connectors

    root = Path(connectors.__file__).parent
    wire_file = root / "banks" / "vnpay" / "wire.py"
    naming = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != wire_file and "vnp_" in path.read_text(encoding="utf-8")
    )
    assert [] == naming
    assert "vnp_Amount" in wire_file.read_text(encoding="utf-8")


@given(st.text(max_size=30))
def test_encode_value_is_the_encoders_own_form(text: str) -> None:
    assert quote_plus(text, safe="*").replace("~", "%7E") == wire.encode_value(text, "java")
    assert quote_plus(text, safe="") == wire.encode_value(text, "python")


@given(st.dictionaries(st.sampled_from(["vnp_OrderInfo", "vnp_TxnRef", "vnp_X"]), st.text()))
def test_signing_strings_are_each_encoders_string_once(params: dict[str, str]) -> None:
    java, python = wire.signing_string(params, "java"), wire.signing_string(params, "python")
    assert ((java,) if java == python else (java, python)) == wire.signing_strings(params)
