"""BKAV's payload codec: fixed vectors built step by step, round trips, refusals."""

from __future__ import annotations

import base64
import struct
import zlib

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import ConfigError, ValidationError
from connectors.einvoice.bkav.codec import (
    BkavKey,
    decode_bytes,
    decode_json,
    encode_bytes,
    encode_json,
)

# NIST SP 800-38A, F.2.5 CBC-AES256.Encrypt: key, IV, first plaintext and ciphertext block.
NIST_KEY = bytes.fromhex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
NIST_IV = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
NIST_P1 = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a")
NIST_C1 = bytes.fromhex("f58c4c04d6e5f1ba779eabfb5f7bfbd6")
KEY = BkavKey(NIST_KEY, NIST_IV)


def _stored_gzip(data: bytes) -> bytes:
    """A gzip member written by hand: RFC 1952 header, one stored deflate block, trailer."""
    header = bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF])  # magic, deflate, no flags, mtime 0
    block = bytes([0x01]) + struct.pack("<HH", len(data), len(data) ^ 0xFFFF) + data
    trailer = struct.pack("<II", zlib.crc32(data), len(data))
    return header + block + trailer


def _aes_cbc_pkcs7(data: bytes) -> bytes:
    """AES-256-CBC with PKCS#7 padding added by hand (n bytes of value n)."""
    pad = 16 - len(data) % 16
    encryptor = Cipher(algorithms.AES(NIST_KEY), modes.CBC(NIST_IV)).encryptor()
    return encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()


def test_the_hand_made_encryption_is_nist_aes_256_cbc() -> None:
    # The helper the vectors below are built with reproduces NIST's first block, so the
    # vectors do not depend on the code under test.
    assert NIST_C1 == _aes_cbc_pkcs7(NIST_P1)[:16]


def test_a_hand_built_vector_decodes() -> None:
    plain = '{"CmdType":801,"CommandObject":"HĐ-0001"}'.encode()
    vector = base64.b64encode(_aes_cbc_pkcs7(_stored_gzip(plain))).decode()
    assert plain == decode_bytes(vector, KEY)
    assert {"CmdType": 801, "CommandObject": "HĐ-0001"} == decode_json(vector, KEY)


def test_encoding_is_gzip_then_aes_then_base64() -> None:
    plain = b'{"CmdType":800,"CommandObject":"k-1"}'
    encrypted = base64.b64decode(encode_bytes(plain, KEY))
    decryptor = Cipher(algorithms.AES(NIST_KEY), modes.CBC(NIST_IV)).decryptor()
    padded = decryptor.update(encrypted) + decryptor.finalize()
    pad = padded[-1]
    assert 1 <= pad <= 16
    assert bytes([pad]) * pad == padded[-pad:]
    compressed = padded[:-pad]
    assert b"\x1f\x8b\x08" == compressed[:3]
    assert plain == zlib.decompress(compressed, wbits=16 + zlib.MAX_WBITS)


def test_the_same_command_always_encodes_the_same() -> None:
    command = {"CmdType": 800, "CommandObject": "k-1"}
    assert encode_json(command, KEY) == encode_json(command, KEY)


@given(st.binary(max_size=4096))
def test_bytes_round_trip(data: bytes) -> None:
    assert data == decode_bytes(encode_bytes(data, KEY), KEY)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON)
def test_json_round_trip(value: object) -> None:
    assert value == decode_json(encode_json(value, KEY), KEY)


def test_vietnamese_is_sent_as_utf8_not_escaped() -> None:
    encoded = encode_json({"ItemName": "Lệ phí"}, KEY)
    assert "Lệ phí".encode() in decode_bytes(encoded, KEY)


@pytest.mark.parametrize(
    "bad",
    [
        "not base64!",
        base64.b64encode(b"short").decode(),
        base64.b64encode(_aes_cbc_pkcs7(b"not gzip at all")).decode(),
        base64.b64encode(_aes_cbc_pkcs7(_stored_gzip(b"{oops"))).decode(),
        base64.b64encode(_aes_cbc_pkcs7(_stored_gzip(b"{}")[:-4])).decode(),
    ],
)
def test_garbage_is_a_validation_error_naming_the_field(bad: str) -> None:
    with pytest.raises(ValidationError) as raised:
        decode_json(bad, KEY, field="ExecCommandResult")
    assert "ExecCommandResult" == raised.value.field


def test_a_wrong_key_does_not_decode() -> None:
    other = BkavKey(bytes(32), bytes(16))
    with pytest.raises(ValidationError):
        decode_json(encode_json({"a": 1}, KEY), other)


def test_token_parsing() -> None:
    assert KEY == BkavKey.parse(KEY.token())
    assert "***" in repr(KEY)
    assert NIST_KEY.hex() not in repr(KEY)
    for bad in ["no-colon", "!!:!!", base64.b64encode(bytes(16)).decode() + ":" + "AAAA"]:
        with pytest.raises(ConfigError) as raised:
            BkavKey.parse(bad)
        assert "partner_token" == raised.value.field
