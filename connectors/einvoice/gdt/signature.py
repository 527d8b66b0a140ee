"""The seller's XMLDSig signature on an `HDon` (spec einvoice.md 1.7): sign and verify.

The signature is enveloped at `HDon/DSCKS/NBan/Signature` and has two references:

1. `#<DLHDon Id>` with the enveloped-signature and C14N transforms: the invoice data;
2. `#SigningTime`: an `Object` inside the signature holding
   `SignatureProperties/SignatureProperty[@Target="#seller"]/SigningTime`
   (`YYYY-MM-DDThh:mm:ss`, GMT+7, no offset), so the signing time is signed too.

`KeyInfo/X509Data` carries `X509SubjectName` and the `X509Certificate` (base64 DER).
Algorithms: RSA-SHA256, SHA-256 digests, C14N 1.0 (all in `GdtProfile`).

Signing builds that structure with lxml and `cryptography` (signxml's signer puts the
enveloped transform on every reference and cannot sign an Object inside the signature);
verification is signxml's `XMLVerifier`, an independent implementation, plus checks that
the references cover the right elements (no signature-wrapping) and that the certificate
was valid at the signing time.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree
from signxml.algorithms import DigestAlgorithm, SignatureMethod
from signxml.exceptions import SignXMLException
from signxml.verifier import SignatureConfiguration, XMLVerifier

from connectors.core import SignatureError, ValidationError, parse_xml, safe_parser
from connectors.einvoice.gdt.encoding import format_datetime, parse_datetime
from connectors.einvoice.gdt.profile import DEFAULT_PROFILE, DSIG_NS, GdtProfile
from connectors.vn import now_vn

__all__ = ["SellerCredentials", "VerifiedSignature", "sign_hdon", "verify_hdon"]

_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_NO_SHA1_METHODS = frozenset(m for m in SignatureMethod if "SHA1" not in m.name)
_NO_SHA1_DIGESTS = frozenset(d for d in DigestAlgorithm if "SHA1" not in d.name)
_DS = f"{{{DSIG_NS}}}"


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


@dataclass(frozen=True)
class VerifiedSignature:
    """A seller signature that verified: who signed, when, and whether the certificate was
    checked against a trusted certificate or CA (`trusted`) or only against itself."""

    certificate: x509.Certificate
    subject: str
    signing_time: datetime
    trusted: bool


_SIGNATURE_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1,
}
_DIGESTS = {
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
}
_C14N_EXCLUSIVE = {
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": False,
    "http://www.w3.org/2001/10/xml-exc-c14n#": True,
}


def _algorithms(profile: GdtProfile) -> tuple[type[hashes.HashAlgorithm], str, bool]:
    """The hash for the signature, the digest name and the C14N kind of `profile`."""
    try:
        return (
            _SIGNATURE_HASHES[profile.signature_method],
            _DIGESTS[profile.digest_method],
            _C14N_EXCLUSIVE[profile.c14n_method],
        )
    except KeyError as exc:
        raise ValidationError(f"unsupported algorithm {exc.args[0]!r}", field="profile") from None


def _c14n(node: etree._Element, *, exclusive: bool = False) -> bytes:
    """C14N 1.0 (inclusive or exclusive) of `node` re-rooted with its in-scope namespaces."""
    standalone = etree.fromstring(etree.tostring(node), safe_parser())
    return bytes(
        etree.tostring(standalone, method="c14n", exclusive=exclusive, with_comments=False)
    )


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, _DS + tag, attrs)
    if text is not None:
        node.text = text
    return node


def _reference(
    signed_info: etree._Element, uri: str, transforms: list[str], profile: GdtProfile
) -> etree._Element:
    reference = _sub(signed_info, "Reference", URI=uri)
    chain = _sub(reference, "Transforms")
    for algorithm in transforms:
        _sub(chain, "Transform", Algorithm=algorithm)
    _sub(reference, "DigestMethod", Algorithm=profile.digest_method)
    return _sub(reference, "DigestValue")


def _seller_slot(root: etree._Element) -> etree._Element:
    slots = root.find("DSCKS")
    if slots is None:
        slots = etree.SubElement(root, "DSCKS")
    seller = slots.find("NBan")
    if seller is None:
        seller = etree.Element("NBan")
        slots.insert(0, seller)
    if seller.find(_DS + "Signature") is not None:
        raise ValidationError("the document already carries a seller signature", field="DSCKS/NBan")
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
    if root.tag != "HDon":
        raise ValidationError("only an HDon document can be signed", field="HDon")
    data = root.find("DLHDon")
    if data is None or not data.get("Id"):
        raise ValidationError("DLHDon with an Id is required to sign", field="HDon/DLHDon")
    sign_hash, digest_name, exclusive = _algorithms(profile)
    when = signing_time if signing_time is not None else now_vn()
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValidationError("signing_time must be an aware datetime", field="signing_time")
    cert = credentials.certificate
    if not cert.not_valid_before_utc <= when.astimezone(UTC) <= cert.not_valid_after_utc:
        raise ValidationError(
            "the signing time is outside the certificate's validity", field="signing_time"
        )
    slot = _seller_slot(root)
    signature = etree.SubElement(
        slot,
        _DS + "Signature",
        {"Id": profile.signature_id},
        nsmap={None: DSIG_NS},  # type: ignore[dict-item]
    )
    signed_info = _sub(signature, "SignedInfo")
    _sub(signed_info, "CanonicalizationMethod", Algorithm=profile.c14n_method)
    _sub(signed_info, "SignatureMethod", Algorithm=profile.signature_method)
    data_digest = _reference(
        signed_info, f"#{data.get('Id')}", [_ENVELOPED, profile.c14n_method], profile
    )
    time_digest = _reference(
        signed_info, f"#{profile.signing_time_id}", [profile.c14n_method], profile
    )
    value = _sub(signature, "SignatureValue")
    key_info = _sub(signature, "KeyInfo")
    x509_data = _sub(key_info, "X509Data")
    _sub(x509_data, "X509SubjectName", cert.subject.rfc4514_string())
    der = cert.public_bytes(serialization.Encoding.DER)
    _sub(x509_data, "X509Certificate", base64.b64encode(der).decode("ascii"))
    obj = _sub(signature, "Object", Id=profile.signing_time_id)
    properties = _sub(obj, "SignatureProperties")
    prop = _sub(properties, "SignatureProperty", Target=f"#{profile.signature_id}")
    stamp = etree.SubElement(
        prop,
        f"{{{profile.signing_time_ns}}}SigningTime",
        nsmap={None: profile.signing_time_ns},  # type: ignore[dict-item]
    )
    stamp.text = format_datetime(when)

    data_digest.text = _digest(_c14n(data, exclusive=exclusive), digest_name)
    time_digest.text = _digest(_c14n(obj, exclusive=exclusive), digest_name)
    signed = credentials.private_key.sign(
        _c14n(signed_info, exclusive=exclusive), padding.PKCS1v15(), sign_hash()
    )
    value.text = base64.b64encode(signed).decode("ascii")
    return root


def _digest(data: bytes, name: str) -> str:
    return base64.b64encode(hashlib.new(name, data).digest()).decode("ascii")


def _signing_time(signature: etree._Element, profile: GdtProfile) -> tuple[str, datetime]:
    for obj in signature.iterfind(_DS + "Object"):
        found = obj.xpath(
            "./ds:SignatureProperties/ds:SignatureProperty/*[local-name()='SigningTime']/text()",
            namespaces={"ds": DSIG_NS},
        )
        text = str(found[0]) if isinstance(found, list) and found else None
        if text is not None and obj.get("Id"):
            return str(obj.get("Id")), parse_datetime(text, field="SigningTime")
    raise SignatureError("the seller signature has no signed SigningTime property")


def _check_references(
    root: etree._Element, signature: etree._Element, data_id: str, time_id: str
) -> None:
    uris = [ref.get("URI") for ref in signature.iterfind(f"{_DS}SignedInfo/{_DS}Reference")]
    if sorted(uris, key=str) != sorted([f"#{data_id}", f"#{time_id}"]):
        raise SignatureError(
            f"the seller signature must reference #{data_id} and #{time_id}, found {uris}"
        )
    for target in (data_id, time_id):
        carriers = root.xpath("//*[@Id=$v or @ID=$v or @id=$v]", v=target)
        if not isinstance(carriers, list) or len(carriers) != 1:
            raise SignatureError(f"Id {target!r} must occur exactly once in the document")


class _Verifier(XMLVerifier):
    """signxml's verifier, canonicalising each node re-rooted (as `_c14n` above).

    libxml2 canonicalises a non-root element whose default namespace is declared on an
    ancestor with spurious `xmlns=""` on its descendants; signatures written with a default
    ds namespace (as vendors write them) would then fail. Re-rooting the node avoids it.
    """

    def _c14n(self, nodes: Any, algorithm: Any, inclusive_ns_prefixes: Any = None) -> Any:
        items = nodes if isinstance(nodes, list) else [nodes]
        rooted = [
            etree.fromstring(etree.tostring(node), safe_parser())
            if isinstance(node, etree._Element)
            else node
            for node in items
        ]
        return super()._c14n(rooted, algorithm, inclusive_ns_prefixes)


def verify_hdon(
    data: bytes | str | etree._Element,
    *,
    trusted_certificate: x509.Certificate | None = None,
    ca_file: str | Path | None = None,
    allow_sha1: bool = False,
    profile: GdtProfile = DEFAULT_PROFILE,
) -> VerifiedSignature:
    """Verify the seller signature; raise `SignatureError` on any problem.

    With `trusted_certificate` (the certificate registered for the seller) or `ca_file`
    (a PEM file of CA certificates to build a chain to) the signer is authenticated; with neither,
    the document is only checked against the certificate it carries (`trusted=False`).
    The certificate must be valid at the document's SigningTime. RSA-SHA1 signatures
    (legacy documents) are refused unless `allow_sha1`.
    """

    root = data if isinstance(data, etree._Element) else parse_xml(data, what="signed HDon")
    signature = root.find(f"DSCKS/NBan/{_DS}Signature")
    if signature is None:
        raise SignatureError("no seller signature at HDon/DSCKS/NBan")
    data_node = root.find("DLHDon")
    if data_node is None or not data_node.get("Id"):
        raise SignatureError("DLHDon with an Id is missing")
    time_id, when = _signing_time(signature, profile)
    _check_references(root, signature, str(data_node.get("Id")), time_id)
    embedded = signature.findtext(f"{_DS}KeyInfo/{_DS}X509Data/{_DS}X509Certificate")
    if embedded is None:
        raise SignatureError("the seller signature carries no X509Certificate")
    try:
        carried = x509.load_der_x509_certificate(base64.b64decode("".join(embedded.split())))
    except ValueError:
        raise SignatureError("the embedded X509Certificate cannot be read") from None
    if trusted_certificate is not None and carried != trusted_certificate:
        raise SignatureError("the document was signed with a different certificate")
    config = SignatureConfiguration(
        expect_references=2,
        location="./DSCKS/NBan/",
        verification_time=when,
        signature_methods=frozenset(SignatureMethod) if allow_sha1 else _NO_SHA1_METHODS,
        digest_algorithms=frozenset(DigestAlgorithm) if allow_sha1 else _NO_SHA1_DIGESTS,
    )
    verifier = _Verifier()
    try:
        if ca_file is not None:
            verifier.verify(
                root, ca_pem_file=str(ca_file), expect_config=config, parser=safe_parser()
            )
        else:
            verifier.verify(
                root,
                x509_cert=trusted_certificate or carried,
                expect_config=config,
                parser=safe_parser(),
            )
    except (SignXMLException, ValueError) as exc:
        raise SignatureError(f"seller signature does not verify: {exc}") from None
    return VerifiedSignature(
        certificate=carried,
        subject=carried.subject.rfc4514_string(),
        signing_time=when,
        trusted=trusted_certificate is not None or ca_file is not None,
    )
