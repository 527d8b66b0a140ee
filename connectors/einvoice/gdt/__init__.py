"""The tax authority's e-invoice XML (`HDon`, PBan 2.1.0 under QĐ 1271/TT32): build it,
check it against the shipped schema, sign and verify it (XMLDSig), parse it back and compare
a vendor's copy with what was sent.

    document = document_from_model(receipt, number=42)
    root = build_hdon(document)                       # schema-checked
    sign_hdon(root, SellerCredentials.from_pkcs12(p12, password=b"..."))
    data = serialize(root)                            # bytes to store or send
    verify_hdon(data, trusted_certificate=cert)       # SignatureError if tampered

Every guessed wire detail is in `GdtProfile` (see the docs page "Tax-authority XML").
"""

from connectors.einvoice.gdt.build import build_hdon, serialize
from connectors.einvoice.gdt.compare import (
    CheckedDocument,
    Difference,
    DocumentMismatch,
    check_returned,
    differences,
)
from connectors.einvoice.gdt.convert import document_from_model, model_from_document
from connectors.einvoice.gdt.document import (
    Fee,
    HDonDocument,
    Line,
    Party,
    RateTotal,
    RelatedInvoice,
    Totals,
)
from connectors.einvoice.gdt.parse import ParsedHDon, parse_hdon
from connectors.einvoice.gdt.profile import DEFAULT_PROFILE, DSIG_NS, GdtProfile
from connectors.einvoice.gdt.signature import (
    SellerCredentials,
    VerifiedSignature,
    sign_hdon,
    verify_hdon,
)
from connectors.einvoice.gdt.signed import signed_hdon
from connectors.einvoice.gdt.testkeys import generate_test_credentials
from connectors.einvoice.gdt.xsd import SCHEMA_FILE, hdon_schema, validate_hdon

__all__ = [
    "DEFAULT_PROFILE",
    "DSIG_NS",
    "SCHEMA_FILE",
    "CheckedDocument",
    "Difference",
    "DocumentMismatch",
    "Fee",
    "GdtProfile",
    "HDonDocument",
    "Line",
    "ParsedHDon",
    "Party",
    "RateTotal",
    "RelatedInvoice",
    "SellerCredentials",
    "Totals",
    "VerifiedSignature",
    "build_hdon",
    "check_returned",
    "differences",
    "document_from_model",
    "generate_test_credentials",
    "hdon_schema",
    "model_from_document",
    "parse_hdon",
    "serialize",
    "sign_hdon",
    "signed_hdon",
    "validate_hdon",
    "verify_hdon",
]
