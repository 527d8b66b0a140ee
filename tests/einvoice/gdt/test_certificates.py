"""Certificates: a chain to a CA the commune trusts, and the simulators' throw-away keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from connectors.core import SignatureError
from connectors.einvoice.gdt import (
    SellerCredentials,
    document_from_model,
    generate_test_credentials,
    signed_hdon,
    verify_hdon,
)

from .samples import SIGNED_AT, sample_receipt

START = datetime(2025, 1, 1, tzinfo=UTC)


def _usage(*, sign: bool, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def _ca(name: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(START)
        .not_valid_after(START + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_usage(sign=False, ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _seller(ca_key: rsa.RSAPrivateKey, ca: x509.Certificate) -> SellerCredentials:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Seller (TEST)")]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(START)
        .not_valid_after(START + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(sign=True, ca=False), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return SellerCredentials(key, cert)


def test_a_certificate_issued_by_a_trusted_ca_verifies(tmp_path: Path) -> None:
    ca_key, ca = _ca("Test CA (TEST)")
    _other_key, other_ca = _ca("Other CA (TEST)")
    data = signed_hdon(
        document_from_model(sample_receipt()), _seller(ca_key, ca), signing_time=SIGNED_AT
    )
    trusted = tmp_path / "ca.pem"
    trusted.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    result = verify_hdon(data, ca_file=trusted)
    assert result.trusted
    assert "CN=Seller (TEST)" == result.subject
    untrusted = tmp_path / "other.pem"
    untrusted.write_bytes(other_ca.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(SignatureError):
        verify_hdon(data, ca_file=untrusted)


def test_generated_test_credentials_sign_documents_that_verify() -> None:
    credentials = generate_test_credentials("Simulator (TEST)")
    usage = credentials.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert "TEST" in credentials.certificate.subject.rfc4514_string()
    data = signed_hdon(document_from_model(sample_receipt()), credentials)
    assert verify_hdon(data, trusted_certificate=credentials.certificate).trusted
    assert generate_test_credentials().certificate != credentials.certificate
