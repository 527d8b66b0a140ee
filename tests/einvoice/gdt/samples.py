"""Test material: a seller certificate generated at run time (never a key file in the repo)
and sample documents built with the domain model. All names and codes are obviously fake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from connectors.einvoice import Buyer, Invoice, Line, Receipt, Seller, TaxRate
from connectors.einvoice.gdt import SellerCredentials
from connectors.vn import VN_TZ

SIGNED_AT = datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ)
SELLER = Seller(
    name="UBND Phường Thử Nghiệm",
    tax_code="0100109106",
    address="Số 1 Phố Mẫu, Hà Nội",
)


def make_credentials(
    common_name: str = "UBND Phuong Thu Nghiem (TEST)",
    *,
    not_before: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    days: int = 3650,
) -> SellerCredentials:
    """A self-signed RSA-2048 certificate made now, for tests only."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    return SellerCredentials(key, cert)


def sample_receipt() -> Receipt:
    return Receipt(
        seller=SELLER,
        buyer=Buyer(name="Nguyễn Văn Thử", citizen_id="001099000001"),
        template="EBL01",
        symbol="25T",
        issued_at=SIGNED_AT,
        dossier_code="HS-TEST-0001",
        lines=[Line.fee("Lệ phí chứng thực bản sao", 2_000, quantity=3)],
    )


def sample_invoice() -> Invoice:
    return Invoice(
        seller=SELLER,
        buyer=Buyer(legal_name="Công ty TNHH Mẫu Thử", tax_code="0100109106-712"),
        template="1",
        symbol="C25TAA",
        issued_at=SIGNED_AT,
        lines=[
            Line(name="Dịch vụ sao lục", unit="bộ", quantity=2, unit_price=1_006, tax_rate="10%"),
            Line(
                name="Photo tài liệu",
                unit="trang",
                quantity="1.5",
                unit_price=1_000,
                tax_rate=TaxRate.EIGHT,
            ),
            Line(name="Phí thẩm định", unit="hồ sơ", quantity=1, unit_price=50_000, tax_rate="KCT"),
        ],
    )
