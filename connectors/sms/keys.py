"""Idempotency keys turned into the request ids providers accept.

The same key always gives the same request id, so every retry of a logical message carries
it and the provider can de-duplicate. A key that already fits is used as it is.
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["numeric_request_id", "token_request_id"]

_TOKEN = re.compile(r"\A[A-Za-z0-9_.:-]+\Z")


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8")).digest()


def numeric_request_id(key: str, digits: int) -> str:
    """A request id of `digits` digits (no leading zero): `key` if it already is one,
    else a number derived from the key's SHA-256."""
    if key.isascii() and key.isdigit() and len(key) <= digits and not key.startswith("0"):
        return key
    number = int.from_bytes(_digest(key)[:16], "big")
    return str(number % (9 * 10 ** (digits - 1)) + 10 ** (digits - 1))


def token_request_id(key: str, max_length: int) -> str:
    """A request id of at most `max_length` safe characters (letters, digits, `_.:-`):
    `key` if it already is one, else the hex of its SHA-256, cut to `max_length`."""
    if len(key) <= max_length and _TOKEN.match(key):
        return key
    return _digest(key).hex()[:max_length]
