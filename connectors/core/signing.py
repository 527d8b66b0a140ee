"""Signers and verifiers: HMAC (hex), RSA PKCS#1 v1.5 and ECDSA (DER), over raw bytes.

Strings are always encoded as UTF-8 before signing. Verification raises `SignatureError`
and compares in constant time; loading a bad key raises `ConfigError` naming the key
setting. No object here shows its secret in `repr`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pydantic import SecretStr

from connectors.core.errors import ConfigError, SignatureError

__all__ = [
    "EcdsaSigner",
    "EcdsaVerifier",
    "HmacSigner",
    "RsaSigner",
    "RsaVerifier",
    "Signer",
    "Verifier",
    "constant_time_equals",
]

HashName = Literal["sha256", "sha512"]
_HEX = re.compile(r"\A(?:[0-9a-fA-F]{2})+\Z")
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"sha256": hashes.SHA256, "sha512": hashes.SHA512}


@runtime_checkable
class Signer(Protocol):
    """Something that signs a message: `sign` in its natural form, `sign_bytes` raw."""

    def sign(self, message: str | bytes) -> str | bytes: ...

    def sign_bytes(self, message: str | bytes) -> bytes: ...


@runtime_checkable
class Verifier(Protocol):
    """Something that checks a signature given as text (hex for HMAC, base64 otherwise)."""

    def verify(
        self, message: str | bytes, signature: str, *, provider: str | None = None
    ) -> None: ...


def _bytes(data: str | bytes | SecretStr) -> bytes:
    if isinstance(data, SecretStr):
        data = data.get_secret_value()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _hash(name: str) -> hashes.HashAlgorithm:
    if name not in _HASHES:
        raise ConfigError(f"unsupported hash algorithm {name!r}", field="algorithm")
    return _HASHES[name]()


def constant_time_equals(a: str | bytes, b: str | bytes) -> bool:
    """Compare two strings or byte strings in constant time (strings as UTF-8)."""
    return hmac.compare_digest(_bytes(a), _bytes(b))


class HmacSigner:
    """HMAC-SHA256 or HMAC-SHA512 with a shared secret; signatures as lowercase hex."""

    __slots__ = ("_algorithm", "_secret")

    def __init__(self, secret: str | bytes | SecretStr, algorithm: HashName = "sha256") -> None:
        if algorithm not in _HASHES:
            raise ConfigError(f"unsupported HMAC algorithm {algorithm!r}", field="algorithm")
        key = _bytes(secret)
        if not key:
            raise ConfigError("the HMAC secret is empty", field="secret")
        self._secret = key
        self._algorithm = algorithm

    @property
    def algorithm(self) -> str:
        """The hash name: "sha256" or "sha512"."""
        return self._algorithm

    def __repr__(self) -> str:
        return f"HmacSigner(algorithm={self._algorithm!r}, secret=***)"

    def sign_bytes(self, message: str | bytes) -> bytes:
        """The raw HMAC digest of `message`."""
        return hmac.new(self._secret, _bytes(message), self._algorithm).digest()

    def sign(self, message: str | bytes) -> str:
        """The HMAC of `message` as lowercase hex."""
        return self.sign_bytes(message).hex()

    def verify(
        self, message: str | bytes, signature: str | None, *, provider: str | None = None
    ) -> None:
        """Check a hex `signature` (any case) for `message`; raise SignatureError if it is
        missing, not hex, or does not match."""
        if not signature or not signature.strip():
            raise SignatureError("missing signature", provider=provider)
        candidate = signature.strip()
        if not _HEX.match(candidate):
            raise SignatureError("malformed signature: not hexadecimal", provider=provider)
        expected = self.sign(message).encode("ascii")
        if not hmac.compare_digest(expected, candidate.lower().encode("ascii")):
            raise SignatureError("signature mismatch", provider=provider)


def _signature_bytes(signature: bytes | str | None, provider: str | None) -> bytes:
    if signature is None or not signature:
        raise SignatureError("missing signature", provider=provider)
    if isinstance(signature, bytes):
        return signature
    try:
        return base64.b64decode("".join(signature.split()), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("malformed signature: not base64", provider=provider) from None


def _describe(key: Any, hash: hashes.HashAlgorithm) -> str:
    """How a key shows in `repr`: its size (RSA) or curve (EC) and the hash, never the key."""
    shape = f"curve={key.curve.name!r}" if hasattr(key, "curve") else f"bits={key.key_size}"
    return f"{shape}, hash={hash.name!r}"


def _private_key(
    pem: bytes | str | SecretStr,
    password: bytes | str | SecretStr | None,
    key_type: type,
    kind: str,
) -> Any:
    try:
        key = serialization.load_pem_private_key(
            _bytes(pem), None if password is None else _bytes(password)
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        reason = type(exc).__name__
        raise ConfigError(f"cannot load the private key ({reason})", field="private_key") from None
    if not isinstance(key, key_type):
        raise ConfigError(f"the private key is not an {kind} key", field="private_key")
    return key


def _public_key(pem: bytes | str, key_type: type, kind: str) -> Any:
    data = _bytes(pem)
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            key: object = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        reason = type(exc).__name__
        raise ConfigError(f"cannot load the public key ({reason})", field="public_key") from None
    if not isinstance(key, key_type):
        raise ConfigError(f"the public key is not an {kind} key", field="public_key")
    return key


class _AsymmetricSigner:
    """What RSA and ECDSA signers share: loading the key, the signature as bytes and base64."""

    __slots__ = ("_hash", "_key")
    _key_type: ClassVar[type]
    _kind: ClassVar[str]

    def __init__(
        self,
        private_key_pem: bytes | str | SecretStr,
        password: bytes | str | SecretStr | None = None,
        hash: HashName = "sha256",
    ) -> None:
        self._key = _private_key(private_key_pem, password, self._key_type, self._kind)
        self._hash = _hash(hash)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_describe(self._key, self._hash)})"

    def sign(self, message: str | bytes) -> bytes:  # pragma: no cover - overridden
        raise NotImplementedError

    def sign_bytes(self, message: str | bytes) -> bytes:
        """Same as `sign`."""
        return self.sign(message)

    def sign_b64(self, message: str | bytes) -> str:
        """The signature of `message`, standard base64."""
        return base64.b64encode(self.sign(message)).decode("ascii")


class _AsymmetricVerifier:
    """What RSA and ECDSA verifiers share: loading the key, decoding the signature, mapping a
    mismatch."""

    __slots__ = ("_hash", "_key")
    _key_type: ClassVar[type]
    _kind: ClassVar[str]
    _algorithm: ClassVar[str]

    def __init__(self, public_key_pem_or_cert_pem: bytes | str, hash: HashName = "sha256") -> None:
        self._key = _public_key(public_key_pem_or_cert_pem, self._key_type, self._kind)
        self._hash = _hash(hash)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_describe(self._key, self._hash)})"

    def _check(self, signature: bytes, message: bytes) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def verify(
        self, message: str | bytes, signature: bytes | str | None, *, provider: str | None = None
    ) -> None:
        """Check `signature` (raw bytes, or base64 text) for `message`; raise SignatureError."""
        raw = _signature_bytes(signature, provider)
        try:
            self._check(raw, _bytes(message))
        except (InvalidSignature, ValueError):
            raise SignatureError(
                f"{self._algorithm} signature mismatch", provider=provider
            ) from None


class RsaSigner(_AsymmetricSigner):
    """RSA PKCS#1 v1.5 signatures with SHA-256 (default) or SHA-512, from a PEM private key."""

    __slots__ = ()
    _key: rsa.RSAPrivateKey
    _key_type = rsa.RSAPrivateKey
    _kind = "RSA"

    def sign(self, message: str | bytes) -> bytes:
        """The raw signature of `message`."""
        return self._key.sign(_bytes(message), padding.PKCS1v15(), self._hash)


class RsaVerifier(_AsymmetricVerifier):
    """Checks RSA PKCS#1 v1.5 signatures with a PEM public key or certificate."""

    __slots__ = ()
    _key: rsa.RSAPublicKey
    _key_type = rsa.RSAPublicKey
    _kind = _algorithm = "RSA"

    def _check(self, signature: bytes, message: bytes) -> None:
        self._key.verify(signature, message, padding.PKCS1v15(), self._hash)


class EcdsaSigner(_AsymmetricSigner):
    """ECDSA signatures (DER-encoded) with SHA-256 (default) or SHA-512, from a PEM key."""

    __slots__ = ()
    _key: ec.EllipticCurvePrivateKey
    _key_type = ec.EllipticCurvePrivateKey
    _kind = "EC"

    def sign(self, message: str | bytes) -> bytes:
        """The DER signature of `message` (randomised: differs on every call)."""
        return self._key.sign(_bytes(message), ec.ECDSA(self._hash))


class EcdsaVerifier(_AsymmetricVerifier):
    """Checks DER-encoded ECDSA signatures (raw bytes or base64) with a PEM public key or
    certificate."""

    __slots__ = ()
    _key: ec.EllipticCurvePublicKey
    _key_type = ec.EllipticCurvePublicKey
    _kind = "EC"
    _algorithm = "ECDSA"

    def _check(self, signature: bytes, message: bytes) -> None:
        self._key.verify(signature, message, ec.ECDSA(self._hash))
