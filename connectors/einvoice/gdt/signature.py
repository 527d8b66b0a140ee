"""The seller's XMLDSig signature on an `HDon` (spec einvoice.md 1.7): sign and verify.

The signature is enveloped at `HDon/DSCKS/NBan/Signature` and has two references:

1. `#<DLHDon Id>` with the enveloped-signature and C14N transforms: the invoice data;
2. `#SigningTime`: an `Object` inside the signature holding
   `SignatureProperties/SignatureProperty[@Target="#seller"]/SigningTime`
   (`YYYY-MM-DDThh:mm:ss`, GMT+7, no offset), so the signing time is signed too.

`KeyInfo/X509Data` carries `X509SubjectName` and the `X509Certificate` (base64 DER).
Algorithms: RSA-SHA256, SHA-256 digests, C14N 1.0 (all in `GdtProfile`).

Signing builds that structure with lxml and `cryptography` (signxml's signer puts the
enveloped transform on every reference and cannot sign an Object inside the signature):
`SignedInfo` and the `Object` are made as roots of their own, canonicalised where they
are, then put in place. Verification is in `connectors.einvoice.gdt.verify`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

from connectors.core import ValidationError, safe_parser
from connectors.einvoice.gdt.canonical import attribute, element, text
from connectors.einvoice.gdt.dsig import DS, ENVELOPED, algorithms, c14n, digest
from connectors.einvoice.gdt.encoding import format_datetime
from connectors.einvoice.gdt.profile import DEFAULT_PROFILE, DSIG_NS, GdtProfile
from connectors.einvoice.gdt.verify import VerifiedSignature, verify_hdon
from connectors.vn import now_vn

__all__ = [
    "SellerCredentials",
    "VerifiedSignature",
    "seller_signature_xml",
    "sign_hdon",
    "verify_hdon",
]


@dataclass(frozen=True)
class SellerCredentials:
    """The seller's RSA private key and X.509 certificate (the one registered with the tax
    authority). Load from PEM or from a PKCS#12 (.p12/.pfx) file exported from the token."""

    private_key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def __post_init__(self) -> None:
        if not isinstance(self.private_key, rsa.RSAPrivateKey):
            raise ValidationError("the seller key must be an RSA key", field="private_key")
        cert_key = self.certificate.public_key()
        if not isinstance(cert_key, rsa.RSAPublicKey) or (
            cert_key.public_numbers() != self.private_key.public_key().public_numbers()
        ):
            raise ValidationError(
                "the certificate does not belong to the private key", field="certificate"
            )

    @classmethod
    def from_pem(
        cls, key_pem: bytes, cert_pem: bytes, *, password: bytes | None = None
    ) -> SellerCredentials:
        """From a PEM private key (optionally encrypted) and a PEM certificate."""
        key = serialization.load_pem_private_key(key_pem, password=password)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValidationError("the seller key must be an RSA key", field="private_key")
        return cls(key, x509.load_pem_x509_certificate(cert_pem))

    @classmethod
    def from_pkcs12(cls, data: bytes, *, password: bytes | None = None) -> SellerCredentials:
        """From a PKCS#12 bundle (.p12/.pfx) holding the key and its certificate."""
        key, cert, _chain = pkcs12.load_key_and_certificates(data, password)
        if not isinstance(key, rsa.RSAPrivateKey) or cert is None:
            raise ValidationError(
                "the PKCS#12 file needs an RSA key and its certificate", field="p12"
            )
        return cls(key, cert)


@lru_cache(maxsize=16)
def _key_info(cert: x509.Certificate) -> str:
    """The `KeyInfo` naming and carrying `cert` (written once per certificate)."""
    der = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")
    subject = element("X509SubjectName", text(cert.subject.rfc4514_string()))
    return element("KeyInfo", element("X509Data", subject + element("X509Certificate", der)))


_DATA, _TIME, _WHEN = "\0data\0", "\0time\0", "\0when\0"
"""Placeholders in `_forms` for the two digests and the signing time."""


@lru_cache(maxsize=32)
def _forms(profile: GdtProfile, data_id: str) -> tuple[str, str, str]:
    """The canonical `Object`, the content of `SignedInfo` and the `Object` as embedded,
    for `profile` and the data's Id, with `_DATA`, `_TIME` and `_WHEN` to fill in."""
    ns = profile.signing_time_ns
    stamp_ns = "" if ns == DSIG_NS else f' xmlns="{attribute(ns)}"'
    stamp = f"<SigningTime{stamp_ns}>{_WHEN}</SigningTime>"
    target = f"#{profile.signature_id}"
    properties = element("SignatureProperties", element("SignatureProperty", stamp, Target=target))
    time_id = profile.signing_time_id
    signed_info = (
        element("CanonicalizationMethod", Algorithm=profile.c14n_method)
        + element("SignatureMethod", Algorithm=profile.signature_method)
        + _reference(f"#{data_id}", [ENVELOPED, profile.c14n_method], profile, _DATA)
        + _reference(f"#{time_id}", [profile.c14n_method], profile, _TIME)
    )
    return (
        element("Object", properties, root=True, Id=time_id),
        signed_info,
        element("Object", properties, Id=time_id),
    )


def _reference(uri: str, transforms: list[str], profile: GdtProfile, digest_value: str) -> str:
    """A canonical `Reference` to `uri` with its transforms and digest."""
    chain = "".join(element("Transform", Algorithm=algorithm) for algorithm in transforms)
    return element(
        "Reference",
        element("Transforms", chain)
        + element("DigestMethod", Algorithm=profile.digest_method)
        + element("DigestValue", digest_value),
        URI=uri,
    )


def _seller_slot(root: etree._Element) -> etree._Element:
    slots = root.find("DSCKS")
    if slots is None:
        slots = etree.SubElement(root, "DSCKS")
    seller = slots.find("NBan")
    if seller is None:
        seller = etree.Element("NBan")
        slots.insert(0, seller)
    return seller


def sign_hdon(
    root: etree._Element,
    credentials: SellerCredentials,
    *,
    signing_time: datetime | None = None,
    profile: GdtProfile = DEFAULT_PROFILE,
) -> etree._Element:
    """Add the seller signature to `root` (in place) and return it.

    `signing_time` defaults to now; it must be aware and inside the certificate's validity.
    Serialise the result with `serialize` and never re-indent it afterwards.
    """
    signature = seller_signature_xml(root, credentials, signing_time=signing_time, profile=profile)
    _seller_slot(root).append(etree.fromstring(signature, safe_parser()))
    return root


def seller_signature_xml(
    root: etree._Element,
    credentials: SellerCredentials,
    *,
    signing_time: datetime | None = None,
    profile: GdtProfile = DEFAULT_PROFILE,
) -> str:
    """The seller's `Signature` element over `root` as XML text, not yet put in place.

    The checks of `sign_hdon` (an `HDon` with `DLHDon@Id`, an aware signing time inside
    the certificate's validity, no seller signature yet) are made here.
    """
    if root.tag != "HDon":
        raise ValidationError("only an HDon document can be signed", field="HDon")
    data = root.find("DLHDon")
    if data is None or not data.get("Id"):
        raise ValidationError("DLHDon with an Id is required to sign", field="HDon/DLHDon")
    sign_hash, digest_name, exclusive = algorithms(profile)
    when = signing_time if signing_time is not None else now_vn()
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationError("signing_time must be an aware datetime", field="signing_time")
    cert = credentials.certificate
    if not cert.not_valid_before_utc <= when.astimezone(UTC) <= cert.not_valid_after_utc:
        raise ValidationError(
            "the signing time is outside the certificate's validity", field="signing_time"
        )
    signed_already = root.find(f"DSCKS/NBan/{DS}Signature")
    if signed_already is not None:
        raise ValidationError("the document already carries a seller signature", field="DSCKS/NBan")
    # The Object and SignedInfo are written in canonical form (see `canonical`), digested
    # and signed as they are; the caller parses the whole signature once or splices it.
    time_c14n, info, obj = _forms(profile, str(data.get("Id")))
    when_text = text(format_datetime(when))
    time_digest = digest(time_c14n.replace(_WHEN, when_text).encode(), digest_name)
    data_digest = digest(c14n(data, exclusive=exclusive), digest_name)
    info = info.replace(_DATA, data_digest).replace(_TIME, time_digest)
    signed = credentials.private_key.sign(
        element("SignedInfo", info, root=True).encode(), padding.PKCS1v15(), sign_hash()
    )
    return element(
        "Signature",
        element("SignedInfo", info)
        + element("SignatureValue", base64.b64encode(signed).decode("ascii"))
        + _key_info(cert)
        + obj.replace(_WHEN, when_text),
        root=True,
        Id=profile.signature_id,
    )
