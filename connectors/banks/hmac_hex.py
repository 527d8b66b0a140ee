"""The gateways' HMAC signatures as lowercase hex, and their constant-time comparison.

What `connectors.core.signing.HmacSigner` does for the gateways' wire formats, without
importing that module (it loads cryptography's X.509 and RSA machinery) and without
building a signer per message: a callback check stays a few microseconds above the
HMAC itself.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, overload

from connectors.core.errors import ConfigError

if TYPE_CHECKING:  # pydantic's types module is not loaded for an annotation
    from pydantic import SecretStr

__all__ = ["hmac_hex", "revealed", "same"]


@overload
def revealed(value: str | SecretStr) -> str: ...
@overload
def revealed(value: bytes) -> bytes: ...
def revealed(value: str | bytes | SecretStr) -> str | bytes:
    """The text of a `SecretStr` (anything with `get_secret_value`), or `value` itself."""
    reveal = getattr(value, "get_secret_value", None)
    return value if reveal is None else reveal()  # type: ignore[return-value]


def hmac_hex(secret: str | bytes | SecretStr, text: str, algorithm: str) -> str:
    """HMAC of `text` (UTF-8) with `secret` (UTF-8 when text), as lowercase hex.

    `ConfigError` when the secret is empty (as `HmacSigner`)."""
    key = revealed(secret)
    if not key:
        raise ConfigError("the HMAC secret is empty", field="secret")
    if isinstance(key, str):
        key = key.encode()
    return hmac.new(key, text.encode(), algorithm).hexdigest()


def same(a: str, b: str) -> bool:
    """`a == b` in constant time, compared as UTF-8."""
    return hmac.compare_digest(a.encode(), b.encode())
