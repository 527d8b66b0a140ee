"""Throw-away signing credentials for simulators, demos and tests.

`generate_test_credentials()` makes a fresh RSA-2048 key and a self-signed certificate in
memory each time it is called; nothing is written to disk and nothing is committed. The
subject says TEST so such a document can never pass for a real one. A commune's real
certificate comes from a licensed CA (see the docs page "Tax-authority XML").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from connectors.einvoice.gdt.signature import SellerCredentials

__all__ = ["generate_test_credentials"]


def generate_test_credentials(
    common_name: str = "connectors simulator (TEST)",
    *,
    valid_from: datetime = datetime(2020, 1, 1, tzinfo=UTC),
    days: int = 365 * 20,
) -> SellerCredentials:
    """A new RSA-2048 key and a self-signed certificate valid from `valid_from` for `days`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "TEST ONLY - not a real seller"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_from + timedelta(days=days))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return SellerCredentials(key, cert)
