"""The gateways' HMAC signatures as lowercase hex, and their constant-time comparison.

What `connectors.core.signing.HmacSigner` does for the gateways' wire formats, without
importing that module (it loads cryptography's X.509 and RSA machinery) and without
building a signer per message: a callback check stays a few microseconds above the
HMAC itself.
"""

from __future__ import annotations

import hmac

from pydantic import SecretStr

from connectors.core.errors import ConfigError

__all__ = ["hmac_hex", "same"]


def hmac_hex(secret: str | bytes | SecretStr, text: str, algorithm: str) -> str:
    """HMAC of `text` (UTF-8) with `secret` (UTF-8 when text), as lowercase hex.

    `ConfigError` when the secret is empty (as `HmacSigner`)."""
    key = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
    if not key:
        raise ConfigError("the HMAC secret is empty", field="secret")
    if isinstance(key, str):
        key = key.encode()
    return hmac.new(key, text.encode(), algorithm).hexdigest()


def same(a: str, b: str) -> bool:
    """`a == b` in constant time, compared as UTF-8."""
    return hmac.compare_digest(a.encode(), b.encode())
