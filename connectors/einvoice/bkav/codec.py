"""BKAV's payload codec: base64( AES-256-CBC( gzip( UTF-8 JSON ) ) ), both ways.

BKAV gives each partner a token ``base64(key):base64(iv)`` — a 32-byte AES key and a
16-byte IV (spec einvoice.md 2.5, from partners' PHP and Node clients [V]). Every
`CommandData` sent and every `ExecCommandResult` received is encoded this way; padding is
PKCS#7 (what OpenSSL's AES-256-CBC uses by default). The IV is fixed per partner, so the
same command always encrypts to the same text: this is BKAV's design, not ours.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from connectors.core import ConfigError, ValidationError

__all__ = ["BkavKey", "decode_bytes", "decode_json", "encode_bytes", "encode_json"]

_MAX_PLAIN = 20 * 1024 * 1024


@dataclass(frozen=True)
class BkavKey:
    """The partner's AES-256 key and IV."""

    key: bytes
    iv: bytes

    def __post_init__(self) -> None:
        if len(self.key) != 32:
            raise ConfigError("the BKAV key must be 32 bytes (AES-256)", field="partner_token")
        if len(self.iv) != 16:
            raise ConfigError("the BKAV IV must be 16 bytes", field="partner_token")

    def __repr__(self) -> str:
        return "BkavKey(key=***, iv=***)"

    @classmethod
    def parse(cls, token: str) -> BkavKey:
        """Read BKAV's ``base64Key:base64IV`` token; `ConfigError` if malformed."""
        key_text, sep, iv_text = token.strip().partition(":")
        if not sep:
            raise ConfigError("the BKAV token must be 'base64Key:base64IV'", field="partner_token")
        try:
            key = base64.b64decode(key_text, validate=True)
            iv = base64.b64decode(iv_text, validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError("the BKAV token is not base64", field="partner_token") from None
        return cls(key, iv)

    def token(self) -> str:
        """The ``base64Key:base64IV`` form."""
        return f"{base64.b64encode(self.key).decode()}:{base64.b64encode(self.iv).decode()}"


def _cipher(key: BkavKey) -> Cipher[modes.CBC]:
    return Cipher(algorithms.AES(key.key), modes.CBC(key.iv))


def encode_bytes(data: bytes, key: BkavKey) -> str:
    """gzip (level 9, mtime 0), AES-256-CBC with PKCS#7 padding, base64."""
    compressed = gzip.compress(data, compresslevel=9, mtime=0)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(compressed) + padder.finalize()
    encryptor = _cipher(key).encryptor()
    encrypted = encryptor.update(padded) + encryptor.finalize()
    return base64.b64encode(encrypted).decode("ascii")


def decode_bytes(text: str, key: BkavKey, *, field: str = "payload") -> bytes:
    """The inverse of `encode_bytes`; `ValidationError` naming `field` if anything is off."""
    try:
        encrypted = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(f"{field} is not base64", field=field) from None
    if not encrypted or len(encrypted) % 16:
        raise ValidationError(f"{field} is not a whole number of AES blocks", field=field)
    decryptor = _cipher(key).decryptor()
    padded = decryptor.update(encrypted) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        compressed = unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise ValidationError(f"{field} does not decrypt with this key", field=field) from None
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        plain = inflater.decompress(compressed, _MAX_PLAIN)
    except zlib.error:
        raise ValidationError(f"{field} is not gzip data after decryption", field=field) from None
    if inflater.unconsumed_tail:
        raise ValidationError(f"{field} inflates to more than {_MAX_PLAIN} bytes", field=field)
    if not inflater.eof:
        raise ValidationError(f"{field} holds a truncated gzip stream", field=field)
    return plain


def encode_json(obj: Any, key: BkavKey) -> str:
    """`obj` as compact UTF-8 JSON (Vietnamese kept as is), then `encode_bytes`."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return encode_bytes(text.encode("utf-8"), key)


def decode_json(text: str, key: BkavKey, *, field: str = "payload") -> Any:
    """`decode_bytes`, then JSON; `ValidationError` naming `field` if it is not JSON."""
    plain = decode_bytes(text, key, field=field)
    try:
        return json.loads(plain.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError(f"{field} is not UTF-8 JSON", field=field) from None
