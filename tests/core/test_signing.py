"""Signers and verifiers: known HMAC vectors, RSA/ECDSA round trips, tampering refused."""

from __future__ import annotations

import base64
import datetime
from functools import cache

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from connectors.core.errors import ConfigError, SignatureError
from connectors.core.signing import (
    EcdsaSigner,
    EcdsaVerifier,
    HmacSigner,
    RsaSigner,
    RsaVerifier,
    Signer,
    Verifier,
    constant_time_equals,
)

VNPAY_SECRET = "TESTSECRETKEY0123456789ABCDEFGHI"
VNPAY_MESSAGE = (
    "REQ20250102103100|2.1.0|querydr|HNTEST01|HS2025000123|20250102101500|20250102103100"
    "|127.0.0.1|Truy van GD HS2025000123"
)
VNPAY_SIGNATURE = (
    "182199a4a91ac182b2f98cc8834655ea0ce733f4105f3e7b3a0942169ca2a183"
    "3d73ae02d29be36b3095e0ada1a15c9f2f4cfa56f6cbbf382bbe7ae350bb8986"
)
MOMO_SECRET = "K951B6PE1waDMi640xX08PD3vg6EkVlz"
MOMO_MESSAGE = (
    "accessKey=F8BBA842ECF85&amount=50000&extraData=&ipnUrl=https://dvc.example.vn/momo/ipn"
    "&orderId=HS2025000123&orderInfo=Nop le phi ho so HS2025000123&partnerCode=MOMO"
    "&redirectUrl=https://dvc.example.vn/momo/return&requestId=HS2025000123-1"
    "&requestType=captureWallet"
)
MOMO_SIGNATURE = "44d90e1a36f9fe66414f2ccaddc5fdda9fb018418a8a63ddac140baacf389df2"


@cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def rsa_pair() -> tuple[RsaSigner, RsaVerifier]:
    """Loading an RSA key checks it (slow): load once for the property tests."""
    return RsaSigner(private_pem(rsa_key())), RsaVerifier(public_pem(rsa_key()))


@cache
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def private_pem(
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, password: bytes = b""
) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )


def public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def certificate_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vendor.example.vn")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def flip(data: bytes, index: int) -> bytes:
    index %= len(data)
    return data[:index] + bytes([data[index] ^ 0x01]) + data[index + 1 :]


# -- HMAC ------------------------------------------------------------------------------


def test_hmac_sha512_known_vector() -> None:
    assert VNPAY_SIGNATURE == HmacSigner(VNPAY_SECRET, "sha512").sign(VNPAY_MESSAGE)


def test_hmac_sha256_known_vector() -> None:
    assert MOMO_SIGNATURE == HmacSigner(MOMO_SECRET).sign(MOMO_MESSAGE)


def test_hmac_accepts_bytes_and_secretstr_secrets_alike() -> None:
    signatures = {
        HmacSigner(secret).sign(MOMO_MESSAGE)
        for secret in (MOMO_SECRET, MOMO_SECRET.encode(), SecretStr(MOMO_SECRET))
    }

    assert {MOMO_SIGNATURE} == signatures


def test_hmac_signs_str_as_utf8() -> None:
    signer = HmacSigner(MOMO_SECRET)

    assert signer.sign("Nộp lệ phí".encode()) == signer.sign("Nộp lệ phí")
    assert bytes.fromhex(signer.sign("x")) == signer.sign_bytes("x")


@pytest.mark.parametrize(
    "signature", [MOMO_SIGNATURE, MOMO_SIGNATURE.upper(), f" {MOMO_SIGNATURE}\n"]
)
def test_hmac_verify_accepts_any_case(signature: str) -> None:
    HmacSigner(MOMO_SECRET).verify(MOMO_MESSAGE, signature)


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("", "missing"),
        ("   ", "missing"),
        (None, "missing"),
        ("zz" + MOMO_SIGNATURE[2:], "malformed"),
        (MOMO_SIGNATURE[:-1], "malformed"),
        ("é" * 64, "malformed"),
        (MOMO_SIGNATURE[:-2] + "00", "mismatch"),
        (MOMO_SIGNATURE[:32], "mismatch"),
        (VNPAY_SIGNATURE, "mismatch"),
    ],
)
def test_hmac_verify_refuses(signature: str | None, reason: str) -> None:
    with pytest.raises(SignatureError, match=reason) as caught:
        HmacSigner(MOMO_SECRET).verify(MOMO_MESSAGE, signature, provider="momo")

    assert "momo" == caught.value.provider


def test_hmac_verify_refuses_an_altered_message() -> None:
    with pytest.raises(SignatureError, match="mismatch"):
        HmacSigner(MOMO_SECRET).verify(MOMO_MESSAGE.replace("50000", "5000"), MOMO_SIGNATURE)


def test_hmac_repr_hides_the_secret() -> None:
    text = repr(HmacSigner(MOMO_SECRET))

    assert MOMO_SECRET not in text
    assert "HmacSigner(algorithm='sha256', secret=***)" == text


def test_hmac_refuses_an_empty_secret_and_an_unknown_algorithm() -> None:
    with pytest.raises(ConfigError) as empty:
        HmacSigner("")
    with pytest.raises(ConfigError) as unknown:
        HmacSigner(MOMO_SECRET, "md5")  # type: ignore[arg-type]

    assert ("secret", "algorithm") == (empty.value.field, unknown.value.field)


@given(st.binary(min_size=1, max_size=256), st.integers(min_value=0))
def test_hmac_round_trip_and_single_bit_tamper(message: bytes, index: int) -> None:
    signer = HmacSigner(VNPAY_SECRET, "sha512")
    signature = signer.sign(message)

    signer.verify(message, signature)
    with pytest.raises(SignatureError):
        signer.verify(flip(message, index), signature)


def test_constant_time_equals() -> None:
    assert constant_time_equals("abc", b"abc")
    assert constant_time_equals("phí", "phí".encode())
    assert not constant_time_equals("abc", "abd")
    assert not constant_time_equals("abc", "abcd")


# -- RSA -------------------------------------------------------------------------------


@pytest.mark.parametrize("hash_name", ["sha256", "sha512"])
def test_rsa_round_trip(hash_name: str) -> None:
    signer = RsaSigner(private_pem(rsa_key()), hash=hash_name)  # type: ignore[arg-type]
    verifier = RsaVerifier(public_pem(rsa_key()), hash=hash_name)  # type: ignore[arg-type]

    verifier.verify(MOMO_MESSAGE, signer.sign(MOMO_MESSAGE))
    verifier.verify(MOMO_MESSAGE, signer.sign_b64(MOMO_MESSAGE))


def test_rsa_pkcs1v15_signatures_are_deterministic() -> None:
    signer = RsaSigner(private_pem(rsa_key()).decode())

    assert signer.sign(b"m") == signer.sign(b"m") == signer.sign_bytes("m")
    assert base64.b64decode(signer.sign_b64("m")) == signer.sign("m")


def test_rsa_verifies_with_a_certificate() -> None:
    signature = RsaSigner(SecretStr(private_pem(rsa_key()).decode())).sign(MOMO_MESSAGE)

    RsaVerifier(certificate_pem(rsa_key()).decode()).verify(MOMO_MESSAGE, signature)


def test_rsa_loads_an_encrypted_key_with_its_password() -> None:
    pem = private_pem(rsa_key(), password=b"pw-123")

    signature = RsaSigner(pem, password=b"pw-123").sign(b"m")
    RsaVerifier(public_pem(rsa_key())).verify(b"m", signature)
    with pytest.raises(ConfigError) as caught:
        RsaSigner(pem, password=b"wrong")
    assert "private_key" == caught.value.field
    assert "pw-123" not in str(caught.value)


def test_rsa_refuses_a_tampered_message_or_signature() -> None:
    signature = RsaSigner(private_pem(rsa_key())).sign(MOMO_MESSAGE)
    verifier = RsaVerifier(public_pem(rsa_key()))

    with pytest.raises(SignatureError, match="mismatch"):
        verifier.verify(MOMO_MESSAGE + " ", signature, provider="vendor")
    with pytest.raises(SignatureError, match="mismatch"):
        verifier.verify(MOMO_MESSAGE, flip(signature, 7))
    with pytest.raises(SignatureError, match="not base64"):
        verifier.verify(MOMO_MESSAGE, "not base64 !!")
    with pytest.raises(SignatureError, match="missing"):
        verifier.verify(MOMO_MESSAGE, "")


@given(st.binary(min_size=1, max_size=128), st.integers(min_value=0))
def test_rsa_round_trip_and_single_bit_tamper(message: bytes, index: int) -> None:
    signer, verifier = rsa_pair()
    signature = signer.sign(message)

    verifier.verify(message, signature)
    with pytest.raises(SignatureError):
        verifier.verify(flip(message, index), signature)


@pytest.mark.parametrize(
    "pem", [b"", b"garbage", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"]
)
def test_a_malformed_private_key_is_a_config_error(pem: bytes) -> None:
    for signer_class in (RsaSigner, EcdsaSigner):
        with pytest.raises(ConfigError) as caught:
            signer_class(pem)
        assert "private_key" == caught.value.field


@pytest.mark.parametrize(
    "pem", [b"", b"garbage", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]
)
def test_a_malformed_public_key_is_a_config_error(pem: bytes) -> None:
    for verifier_class in (RsaVerifier, EcdsaVerifier):
        with pytest.raises(ConfigError) as caught:
            verifier_class(pem)
        assert "public_key" == caught.value.field


def test_a_key_of_the_wrong_type_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not an RSA key"):
        RsaSigner(private_pem(ec_key()))
    with pytest.raises(ConfigError, match="not an RSA key"):
        RsaVerifier(public_pem(ec_key()))
    with pytest.raises(ConfigError, match="not an EC key"):
        EcdsaSigner(private_pem(rsa_key()))
    with pytest.raises(ConfigError, match="not an EC key"):
        EcdsaVerifier(public_pem(rsa_key()))


# -- ECDSA -----------------------------------------------------------------------------


def test_ecdsa_round_trip() -> None:
    signer = EcdsaSigner(private_pem(ec_key()))
    verifier = EcdsaVerifier(public_pem(ec_key()))

    verifier.verify(VNPAY_MESSAGE, signer.sign(VNPAY_MESSAGE))
    verifier.verify(VNPAY_MESSAGE, signer.sign_b64(VNPAY_MESSAGE))
    verifier.verify(VNPAY_MESSAGE, signer.sign_bytes(VNPAY_MESSAGE))
    EcdsaVerifier(certificate_pem(ec_key())).verify("m", signer.sign("m"))


def test_ecdsa_signatures_are_der() -> None:
    signature = EcdsaSigner(private_pem(ec_key())).sign(b"m")

    assert 0x30 == signature[0]  # a DER SEQUENCE of (r, s)


def test_ecdsa_refuses_a_tampered_message_or_signature() -> None:
    signature = EcdsaSigner(private_pem(ec_key()), hash="sha512").sign(b"message")
    verifier = EcdsaVerifier(public_pem(ec_key()), hash="sha512")

    verifier.verify(b"message", signature)
    with pytest.raises(SignatureError, match="mismatch") as caught:
        verifier.verify(b"messagf", signature, provider="tax")
    assert "tax" == caught.value.provider
    with pytest.raises(SignatureError, match="mismatch"):
        verifier.verify(b"message", flip(signature, len(signature) - 1))
    with pytest.raises(SignatureError, match="mismatch"):
        verifier.verify(b"message", b"\x30\x02garbage")


@given(st.binary(min_size=1, max_size=128), st.integers(min_value=0))
def test_ecdsa_round_trip_and_single_bit_tamper(message: bytes, index: int) -> None:
    signature = EcdsaSigner(private_pem(ec_key())).sign(message)
    verifier = EcdsaVerifier(public_pem(ec_key()))

    verifier.verify(message, signature)
    with pytest.raises(SignatureError):
        verifier.verify(flip(message, index), signature)


# -- protocols and repr ----------------------------------------------------------------


def test_every_signer_and_verifier_meets_its_protocol() -> None:
    signers = [
        HmacSigner(MOMO_SECRET),
        RsaSigner(private_pem(rsa_key())),
        EcdsaSigner(private_pem(ec_key())),
    ]
    verifiers = [
        HmacSigner(MOMO_SECRET),
        RsaVerifier(public_pem(rsa_key())),
        EcdsaVerifier(public_pem(ec_key())),
    ]

    assert all(isinstance(signer, Signer) for signer in signers)
    assert all(isinstance(verifier, Verifier) for verifier in verifiers)


def test_asymmetric_reprs_show_no_key_material() -> None:
    texts = [
        repr(RsaSigner(private_pem(rsa_key()))),
        repr(EcdsaSigner(private_pem(ec_key()))),
    ]

    assert [
        "RsaSigner(bits=2048, hash='sha256')",
        "EcdsaSigner(curve='secp256r1', hash='sha256')",
    ] == texts
