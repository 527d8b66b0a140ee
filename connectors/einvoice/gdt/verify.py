"""Verify the seller's XMLDSig signature on an `HDon` (spec einvoice.md 1.7).

One parse of the document, then direct checks, each refusing with `SignatureError`:

1. the signature sits at `HDon/DSCKS/NBan/Signature`, with a `SignedInfo` of exactly a
   `CanonicalizationMethod`, a `SignatureMethod` and two `Reference`s;
2. the references are exactly `#<DLHDon Id>` and `#<Object Id>` of the signature's own
   `Object` holding `SigningTime`, and each of these Ids occurs once in the whole document
   (one walk over the tree: no signature wrapping);
3. each reference's transforms are only the enveloped-signature transform and one C14N
   1.0 method; its digest, computed over the element it names, equals `DigestValue`;
4. the certificate (the pinned one, the one carried, or a chain to a CA in `ca_file`) was
   valid at the signed SigningTime, and its RSA key verifies `SignatureValue` over the
   canonical `SignedInfo`.

SHA-1 (legacy documents) is refused unless allowed. The tests check every signature made
here with signxml too, an independent implementation.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from lxml import etree

from connectors.core import SignatureError, parse_xml
from connectors.einvoice.gdt.dsig import (
    C14N_METHODS,
    DIGESTS,
    DS,
    ENVELOPED,
    SHA1_URIS,
    SIGNATURE_HASHES,
    c14n,
)
from connectors.einvoice.gdt.encoding import parse_datetime
from connectors.einvoice.gdt.profile import DEFAULT_PROFILE, GdtProfile

__all__ = ["VerifiedSignature", "verify_hdon"]

_ID_VALUES = etree.XPath("//@Id | //@ID | //@id")
"""Every Id/ID/id value in a document (compiled once; lxml locks it per evaluation)."""
_DEFAULT_C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"


@dataclass(frozen=True)
class VerifiedSignature:
    """A seller signature that verified: who signed, when, and whether the certificate was
    checked against a trusted certificate or CA (`trusted`) or only against itself."""

    certificate: x509.Certificate
    subject: str
    signing_time: datetime
    trusted: bool


def _signing_time(signature: etree._Element) -> tuple[etree._Element, datetime]:
    """The signature's `Object` holding the SigningTime property, and that time."""
    for obj in signature.iterfind(DS + "Object"):
        if not obj.get("Id"):
            continue
        for prop in obj.iterfind(f"{DS}SignatureProperties/{DS}SignatureProperty"):
            for child in prop:
                local = child.tag.rpartition("}")[2] if isinstance(child.tag, str) else ""
                if local == "SigningTime" and child.text is not None:
                    return obj, parse_datetime(child.text, field="SigningTime")
    raise SignatureError("the seller signature has no signed SigningTime property")


def _ids_once(root: etree._Element, wanted: tuple[str, ...]) -> None:
    """Each of `wanted` is the value of exactly one Id/ID/id attribute in the document."""
    values = _ID_VALUES(root)  # one walk over the whole document
    counts = Counter(str(value) for value in values) if isinstance(values, list) else Counter()
    for target in wanted:
        if counts[target] != 1:
            raise SignatureError(f"Id {target!r} must occur exactly once in the document")


def _allowed(uri: str | None, table: Mapping[str, object], allow_sha1: bool) -> str:
    """`uri` if it names an algorithm of `table` that may be used."""
    if uri is None or uri not in table:
        raise SignatureError(f"seller signature uses an unsupported algorithm {uri!r}")
    if uri in SHA1_URIS and not allow_sha1:
        raise SignatureError(f"seller signature uses SHA-1 ({uri}), refused unless allowed")
    return uri


def _check_reference(reference: etree._Element, target: etree._Element, allow_sha1: bool) -> None:
    """The digest of `target`, through the reference's transforms, matches DigestValue."""
    c14n_uri = _DEFAULT_C14N
    chosen = 0
    for transform in reference.iterfind(f"{DS}Transforms/{DS}Transform"):
        algorithm = transform.get("Algorithm")
        if algorithm in C14N_METHODS:
            c14n_uri, chosen = str(algorithm), chosen + 1
        elif algorithm != ENVELOPED:  # the signature is never inside what it references
            raise SignatureError(f"seller signature uses an unsupported transform {algorithm!r}")
    if chosen > 1:
        raise SignatureError("a reference of the seller signature canonicalises twice")
    method = reference.find(DS + "DigestMethod")
    name = DIGESTS[
        _allowed(None if method is None else method.get("Algorithm"), DIGESTS, allow_sha1)
    ]
    exclusive, comments = C14N_METHODS[c14n_uri]
    canonical = c14n(target, exclusive=exclusive, with_comments=comments)
    expected = _base64(reference.findtext(DS + "DigestValue"), "DigestValue")
    if not hmac.compare_digest(hashlib.new(name, canonical).digest(), expected):
        raise SignatureError(f"Digest mismatch for reference {reference.get('URI')!r}")


def _base64(text: str | None, what: str) -> bytes:
    """The bytes of a base64 `what` (DigestValue, SignatureValue); never empty."""
    try:
        value = base64.b64decode("".join((text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        value = b""
    if not value:
        raise SignatureError(f"the seller signature cannot be checked: {what} is not base64")
    return value


def _certificates(signature: etree._Element) -> list[x509.Certificate]:
    texts = signature.findall(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate")
    if not texts:
        raise SignatureError("the seller signature carries no X509Certificate")
    try:
        return [_certificate("".join((text.text or "").split())) for text in texts]
    except ValueError:
        raise SignatureError("the embedded X509Certificate cannot be read") from None


@lru_cache(maxsize=64)
def _certificate(text: str) -> x509.Certificate:
    """The certificate of a base64 DER text (a seller's comes back on every document)."""
    return x509.load_der_x509_certificate(base64.b64decode(text))


@lru_cache(maxsize=64)
def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


@lru_cache(maxsize=64)
def _public_key(cert: x509.Certificate) -> CertificatePublicKeyTypes:
    return cert.public_key()


def _chain_to(
    ca_file: str | Path, carried: list[x509.Certificate], when: datetime
) -> x509.Certificate:
    """The signing certificate, once a chain from `carried` to a CA in `ca_file` is found."""
    from signxml.exceptions import SignXMLException
    from signxml.util import X509CertChainVerifier

    chain = X509CertChainVerifier(  # type: ignore[no-untyped-call]
        ca_pem_file=str(ca_file), verification_time=when.astimezone(UTC)
    )
    try:
        return chain.verify(carried)  # type: ignore[no-any-return,no-untyped-call]
    except (SignXMLException, ValueError) as exc:
        raise SignatureError(f"seller certificate is not trusted: {exc}") from None


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
    (a PEM file of CA certificates to build a chain to) the signer is authenticated; with
    neither, the document is only checked against the certificate it carries
    (`trusted=False`). The certificate must be valid at the document's SigningTime.
    RSA-SHA1 signatures (legacy documents) are refused unless `allow_sha1`. `profile` is
    accepted for symmetry with signing: verification reads the algorithms and Ids the
    document names.
    """
    root = data if isinstance(data, etree._Element) else parse_xml(data, what="signed HDon")
    signature = root.find(f"DSCKS/NBan/{DS}Signature")
    if signature is None:
        raise SignatureError("no seller signature at HDon/DSCKS/NBan")
    data_node = root.find("DLHDon")
    if data_node is None or not data_node.get("Id"):
        raise SignatureError("DLHDon with an Id is missing")
    time_node, when = _signing_time(signature)
    data_id, time_id = str(data_node.get("Id")), str(time_node.get("Id"))
    signed_info = signature.find(DS + "SignedInfo")
    if signed_info is None:
        raise SignatureError("the seller signature has no SignedInfo")
    parts = [child for child in signed_info if isinstance(child.tag, str)]
    tags = [str(child.tag).removeprefix(DS) for child in parts]
    if tags != ["CanonicalizationMethod", "SignatureMethod", "Reference", "Reference"]:
        raise SignatureError(f"the seller signature's SignedInfo is malformed: {tags}")
    references = {str(ref.get("URI")): ref for ref in parts[2:]}
    if sorted(references) != sorted([f"#{data_id}", f"#{time_id}"]):
        uris = [ref.get("URI") for ref in parts[2:]]
        raise SignatureError(
            f"the seller signature must reference #{data_id} and #{time_id}, found {uris}"
        )
    _ids_once(root, (data_id, time_id))
    _check_reference(references[f"#{data_id}"], data_node, allow_sha1)
    _check_reference(references[f"#{time_id}"], time_node, allow_sha1)
    carried = _certificates(signature)
    if trusted_certificate is not None and carried[0] != trusted_certificate:
        raise SignatureError("the document was signed with a different certificate")
    signer = _chain_to(ca_file, carried, when) if ca_file is not None else carried[0]
    if not signer.not_valid_before_utc <= when.astimezone(UTC) <= signer.not_valid_after_utc:
        raise SignatureError("the seller certificate was not valid at the signing time")
    _check_value(signature, signed_info, parts, signer, allow_sha1)
    return VerifiedSignature(
        certificate=carried[0],
        subject=_subject(carried[0]),
        signing_time=when,
        trusted=trusted_certificate is not None or ca_file is not None,
    )


def _check_value(
    signature: etree._Element,
    signed: etree._Element,
    parts: list[etree._Element],
    signer: x509.Certificate,
    allow_sha1: bool,
) -> None:
    """`SignatureValue` is the signer's RSA signature over the canonical SignedInfo."""
    c14n_uri = parts[0].get("Algorithm")
    if c14n_uri not in C14N_METHODS:
        raise SignatureError(f"seller signature uses an unsupported algorithm {c14n_uri!r}")
    method = SIGNATURE_HASHES[_allowed(parts[1].get("Algorithm"), SIGNATURE_HASHES, allow_sha1)]
    key = _public_key(signer)
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("the seller certificate does not carry an RSA key")
    value = _base64(signature.findtext(DS + "SignatureValue"), "SignatureValue")
    exclusive, comments = C14N_METHODS[str(c14n_uri)]
    signed_info = c14n(signed, exclusive=exclusive, with_comments=comments)
    try:
        key.verify(value, signed_info, padding.PKCS1v15(), method())
    except InvalidSignature:
        message = "seller signature does not verify: Signature verification failed"
        raise SignatureError(message) from None
