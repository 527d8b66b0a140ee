"""The verifier against forged signatures, and signxml as an independent check of signing.

`verify_hdon` checks references, digests and the signature value itself (one parse, no
whole-document XPath per check); every document signed here must also verify with
signxml's `XMLVerifier`, an implementation written by others, and every forgery below must
be refused by ours.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from lxml import etree
from signxml.verifier import SignatureConfiguration, XMLVerifier

from connectors.core import SignatureError, parse_xml, safe_parser
from connectors.einvoice.gdt import (
    DSIG_NS,
    GdtProfile,
    SellerCredentials,
    build_hdon,
    document_from_model,
    serialize,
    sign_hdon,
    signed_hdon,
    verify_hdon,
)
from connectors.einvoice.gdt.dsig import c14n

from .samples import SIGNED_AT, sample_invoice, sample_receipt

DS = {"ds": DSIG_NS}
SIGNATURE = "DSCKS/NBan/ds:Signature"


class _Rerooted(XMLVerifier):
    """signxml, canonicalising each node re-rooted (libxml2's `xmlns=""` on subtrees)."""

    def _c14n(self, nodes: Any, algorithm: Any, inclusive_ns_prefixes: Any = None) -> Any:
        items = nodes if isinstance(nodes, list) else [nodes]
        rooted = [
            etree.fromstring(etree.tostring(node), safe_parser())
            if isinstance(node, etree._Element)
            else node
            for node in items
        ]
        return super()._c14n(rooted, algorithm, inclusive_ns_prefixes)


def _signed(credentials: SellerCredentials, profile: GdtProfile | None = None) -> bytes:
    profile = profile or GdtProfile()
    root = build_hdon(document_from_model(sample_invoice(), number=7), profile=profile)
    return serialize(sign_hdon(root, credentials, signing_time=SIGNED_AT, profile=profile))


def _resign(root: etree._Element, credentials: SellerCredentials) -> bytes:
    """`root` with its SignatureValue made again over its (changed) SignedInfo."""
    signed_info = root.find(f"{SIGNATURE}/ds:SignedInfo", DS)
    value = root.find(f"{SIGNATURE}/ds:SignatureValue", DS)
    assert signed_info is not None
    assert value is not None
    raw = credentials.private_key.sign(c14n(signed_info), padding.PKCS1v15(), hashes.SHA256())
    value.text = base64.b64encode(raw).decode()
    return bytes(etree.tostring(root))


@pytest.mark.parametrize(
    "profile",
    [
        GdtProfile(),
        GdtProfile(c14n_method="http://www.w3.org/2001/10/xml-exc-c14n#"),
        GdtProfile(
            signature_method="http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
            digest_method="http://www.w3.org/2001/04/xmlenc#sha512",
        ),
    ],
)
def test_signxml_verifies_what_we_sign(credentials: SellerCredentials, profile: GdtProfile) -> None:
    data = _signed(credentials, profile)
    config = SignatureConfiguration(
        expect_references=2, location="./DSCKS/NBan/", verification_time=SIGNED_AT
    )
    verified = _Rerooted().verify(
        data, x509_cert=credentials.certificate, expect_config=config, parser=safe_parser()
    )
    assert 2 == len(verified)
    assert SIGNED_AT == verify_hdon(data, trusted_certificate=credentials.certificate).signing_time


def test_a_transform_other_than_enveloped_and_c14n_is_refused(
    credentials: SellerCredentials,
) -> None:
    root = parse_xml(_signed(credentials))
    chain = root.find(f"{SIGNATURE}/ds:SignedInfo/ds:Reference/ds:Transforms", DS)
    assert chain is not None
    etree.SubElement(
        chain, f"{{{DSIG_NS}}}Transform", Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"
    )
    with pytest.raises(SignatureError, match="unsupported transform"):
        verify_hdon(_resign(root, credentials))


def test_a_third_reference_or_a_repeated_one_is_refused(credentials: SellerCredentials) -> None:
    root = parse_xml(_signed(credentials))
    signed_info = root.find(f"{SIGNATURE}/ds:SignedInfo", DS)
    assert signed_info is not None
    first = signed_info.find("ds:Reference", DS)
    assert first is not None
    signed_info.append(etree.fromstring(etree.tostring(first)))
    with pytest.raises(SignatureError, match="SignedInfo is malformed"):
        verify_hdon(_resign(root, credentials))
    root = parse_xml(_signed(credentials))
    references = root.findall(f"{SIGNATURE}/ds:SignedInfo/ds:Reference", DS)
    references[1].set("URI", references[0].get("URI") or "")
    with pytest.raises(SignatureError, match="must reference"):
        verify_hdon(_resign(root, credentials))


def test_a_second_signing_time_object_is_refused(credentials: SellerCredentials) -> None:
    root = parse_xml(_signed(credentials))
    decoy = etree.SubElement(root, "Decoy", ID="SigningTime")
    decoy.text = "2030-01-01T00:00:00"
    with pytest.raises(SignatureError, match="exactly once"):
        verify_hdon(root)


def test_a_sha1_digest_is_refused_unless_allowed(credentials: SellerCredentials) -> None:
    profile = GdtProfile(digest_method="http://www.w3.org/2000/09/xmldsig#sha1")
    data = _signed(credentials, profile)
    with pytest.raises(SignatureError, match="SHA-1"):
        verify_hdon(data)
    assert SIGNED_AT == verify_hdon(data, allow_sha1=True).signing_time


def test_a_certificate_not_valid_at_the_signing_time_is_refused(
    credentials: SellerCredentials,
) -> None:
    key = credentials.private_key
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "Old (TEST)")])
    start = datetime(2020, 1, 1, tzinfo=UTC)
    old = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    root = parse_xml(_signed(credentials))
    carried = root.find(f"{SIGNATURE}/ds:KeyInfo/ds:X509Data/ds:X509Certificate", DS)
    assert carried is not None
    carried.text = base64.b64encode(old.public_bytes(serialization.Encoding.DER)).decode()
    with pytest.raises(SignatureError, match="not valid at the signing time"):
        verify_hdon(root, trusted_certificate=old)


def test_a_signature_value_of_another_key_is_refused(
    credentials: SellerCredentials, other_credentials: SellerCredentials
) -> None:
    root = parse_xml(_signed(credentials))
    with pytest.raises(SignatureError, match="verification failed"):
        verify_hdon(_resign(root, other_credentials), trusted_certificate=credentials.certificate)


def test_a_receipt_with_a_comment_in_its_data_still_verifies(
    credentials: SellerCredentials,
) -> None:
    root = build_hdon(document_from_model(sample_receipt(), number=3))
    data = root.find("DLHDon")
    assert data is not None
    data.insert(0, etree.Comment(" issued at the one-stop desk "))
    signed = serialize(sign_hdon(root, credentials, signing_time=SIGNED_AT))
    assert verify_hdon(signed, trusted_certificate=credentials.certificate).trusted
    changed = signed.replace(b"one-stop desk", b"back office")
    assert verify_hdon(changed).signing_time == SIGNED_AT  # comments are not signed (C14N)


@pytest.mark.parametrize(
    "declarations",
    [
        b"",
        b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:q="urn:q"',
    ],
)
def test_canonical_forms_are_those_of_a_rerooted_copy(
    credentials: SellerCredentials, declarations: bytes
) -> None:
    data = _signed(credentials).replace(b"<HDon>", b"<HDon" + declarations + b">")
    root = parse_xml(data)
    signature = root.find(SIGNATURE, DS)
    assert signature is not None
    nodes = [root.find("DLHDon"), *signature.findall("ds:SignedInfo", DS)]
    nodes += signature.findall("ds:Object", DS)
    extra = etree.SubElement(nodes[1], "Extra", nsmap={"u": "urn:unused"})  # type: ignore[arg-type]
    extra.text = "x"
    for node in nodes:
        assert node is not None
        copy = etree.fromstring(etree.tostring(node), safe_parser())
        for exclusive in (False, True):
            expected = etree.tostring(copy, method="c14n", exclusive=exclusive)
            assert expected == c14n(node, exclusive=exclusive)


def test_signed_hdon_is_the_document_sign_hdon_makes(credentials: SellerCredentials) -> None:
    document = document_from_model(sample_invoice(), number=7)
    spliced = signed_hdon(document, credentials, signing_time=SIGNED_AT)
    built = serialize(sign_hdon(build_hdon(document), credentials, signing_time=SIGNED_AT))
    assert etree.tostring(parse_xml(built), method="c14n") == etree.tostring(
        parse_xml(spliced), method="c14n"
    )
    assert spliced.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<HDon><DLHDon")
    assert verify_hdon(spliced, trusted_certificate=credentials.certificate).trusted
