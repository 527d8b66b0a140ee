"""The gateways' HMAC signatures (lowercase hex), with `connectors.core.signing` loaded on
the first signature: a gateway's wire module then imports no X.509 or RSA machinery."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import SecretStr

    from connectors.core.signing import HashName

__all__ = ["hmac_hex", "same"]


def hmac_hex(secret: str | bytes | SecretStr, text: str, algorithm: HashName) -> str:
    """HMAC of `text` (UTF-8) with `secret`, as lowercase hex (`HmacSigner.sign`)."""
    from connectors.core.signing import HmacSigner

    return HmacSigner(secret, algorithm).sign(text)


def same(a: str | bytes, b: str | bytes) -> bool:
    """`a == b` in constant time (`constant_time_equals`)."""
    from connectors.core.signing import constant_time_equals

    return constant_time_equals(a, b)
