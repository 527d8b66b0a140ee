"""Every guessed detail of the tax-authority XML in one place: `GdtProfile`.

The element names, the tree and the encoding rules come from QĐ 1271/QĐ-CT and TT32/2025
(spec einvoice.md 1.2, 1.3, 1.7). What no public source fixes is collected here, with the
evidence level, so a commune IT team can align it with the XML its vendor actually emits:

- `data_id` — the `Id` of `DLHDon`; observed "SigningData" (BKSOFT code) [P].
- `signature_id`, `signing_time_id` — `Signature@Id` "seller" and `Object@Id`
  "SigningTime" as in MISA's signing utility [V for MISA, G as a rule].
- the algorithms: RSA-SHA256, SHA-256 digests, C14N 1.0 [G: no mandate found].
- `receipt_title` and the use of `HDon` for fee receipts with `EBL01`/`EBL02` as template
  and `25T` as symbol [G: no public e-receipt schema].
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_PROFILE", "DSIG_NS", "GdtProfile"]

DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"


@dataclass(frozen=True)
class GdtProfile:
    """The configurable (partly guessed) wire details of `HDon` documents and signatures."""

    version: str = "2.1.0"
    """`PBan` written on built documents; parsing accepts 2.0.x and 2.1.x."""

    data_id: str = "SigningData"
    """The `Id` attribute of `DLHDon`, referenced by the seller signature [P]."""

    signature_id: str = "seller"
    """`Signature@Id` of the seller signature (MISA utility) [P]."""

    signing_time_id: str = "SigningTime"
    """`Object@Id` holding the SigningTime property, referenced by the signature [P]."""

    invoice_title: str = "HÓA ĐƠN GIÁ TRỊ GIA TĂNG"
    """`THDon` for template 1 when the document gives none [G]."""

    sales_invoice_title: str = "HÓA ĐƠN BÁN HÀNG"
    """`THDon` for template 2 when the document gives none [G]."""

    receipt_title: str = "BIÊN LAI THU PHÍ, LỆ PHÍ"
    """`THDon` of fee/charge receipts [G: TT32 form no. 6 wording]."""

    signing_time_ns: str = "http://example.org/#signatureProperties"
    """Namespace of the `SigningTime` element. XMLDSig requires a SignatureProperty's
    content to be in another namespace than ds; vendors' documents show this placeholder
    URI [G]. Verification accepts `SigningTime` in any namespace."""

    signature_method: str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    """RSA-SHA256 [G]; also supported: rsa-sha512, and rsa-sha1 for legacy documents."""

    digest_method: str = "http://www.w3.org/2001/04/xmlenc#sha256"
    """SHA-256 [G]; also supported: xmlenc#sha512, xmldsig#sha1 (legacy)."""

    c14n_method: str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    """Canonicalization for SignedInfo and references: C14N 1.0 inclusive [G]; exclusive
    C14N (``http://www.w3.org/2001/10/xml-exc-c14n#``, BKSOFT's choice) also works."""


DEFAULT_PROFILE = GdtProfile()
