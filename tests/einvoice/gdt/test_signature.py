"""The seller signature: its structure, verification, and every kind of tampering."""

from __future__ import annotations

import base64
from datetime import datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

from connectors.core import SignatureError, ValidationError, parse_xml
from connectors.einvoice.gdt import (
    DSIG_NS,
    GdtProfile,
    SellerCredentials,
    build_hdon,
    document_from_model,
    serialize,
    sign_hdon,
    verify_hdon,
)
from connectors.vn import VN_TZ

from .samples import SIGNED_AT, make_credentials, sample_invoice, sample_receipt

DS = {"ds": DSIG_NS}


def signed_receipt(credentials: SellerCredentials) -> bytes:
    root = build_hdon(document_from_model(sample_receipt(), number=42))
    return serialize(sign_hdon(root, credentials, signing_time=SIGNED_AT))


def test_signature_structure(credentials: SellerCredentials) -> None:
    root = parse_xml(signed_receipt(credentials))
    signature = root.find("DSCKS/NBan/ds:Signature", DS)
    assert signature is not None
    assert "seller" == signature.get("Id")
    refs = signature.findall("ds:SignedInfo/ds:Reference", DS)
    assert ["#SigningData", "#SigningTime"] == [r.get("URI") for r in refs]
    assert [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    ] == [t.get("Algorithm") for t in refs[0].findall("ds:Transforms/ds:Transform", DS)]
    method = signature.find("ds:SignedInfo/ds:SignatureMethod", DS)
    assert method is not None
    assert "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" == method.get("Algorithm")
    prop = signature.find("ds:Object/ds:SignatureProperties/ds:SignatureProperty", DS)
    assert prop is not None
    assert "#seller" == prop.get("Target")
    assert "2025-06-01T09:30:15" == prop[0].text
    assert "SigningTime" == etree.QName(prop[0]).localname
    der = base64.b64decode(
        signature.findtext("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=DS) or ""
    )
    assert credentials.certificate.public_bytes(serialization.Encoding.DER) == der
    assert "CN=UBND Phuong Thu Nghiem (TEST),C=VN" == signature.findtext(
        "ds:KeyInfo/ds:X509Data/ds:X509SubjectName", namespaces=DS
    )


def test_signed_document_verifies_against_the_registered_certificate(
    credentials: SellerCredentials,
) -> None:
    result = verify_hdon(signed_receipt(credentials), trusted_certificate=credentials.certificate)
    assert result.trusted
    assert SIGNED_AT == result.signing_time
    assert credentials.certificate == result.certificate


def test_without_a_trusted_certificate_only_integrity_is_checked(
    credentials: SellerCredentials,
) -> None:
    assert not verify_hdon(signed_receipt(credentials)).trusted


def test_changing_one_amount_after_signing_fails(credentials: SellerCredentials) -> None:
    data = signed_receipt(credentials)
    tampered = data.replace(b"<TgTTTBSo>6000</TgTTTBSo>", b"<TgTTTBSo>6001</TgTTTBSo>")
    assert tampered != data
    with pytest.raises(SignatureError, match="Digest mismatch"):
        verify_hdon(tampered)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<Ten>UBND Phường Thử Nghiệm</Ten>", "<Ten>UBND Phường Giả Mạo</Ten>"),
        ("2025-06-01T09:30:15", "2025-06-02T09:30:15"),
        ('URI="#SigningTime"', 'URI="#Other"'),
    ],
)
def test_any_tampering_fails(credentials: SellerCredentials, old: str, new: str) -> None:
    data = signed_receipt(credentials)
    tampered = data.replace(old.encode(), new.encode())
    assert tampered != data
    with pytest.raises(SignatureError):
        verify_hdon(tampered)


def test_tampered_signature_value_fails(credentials: SellerCredentials) -> None:
    root = parse_xml(signed_receipt(credentials))
    value = root.find("DSCKS/NBan/ds:Signature/ds:SignatureValue", DS)
    assert value is not None
    assert value.text
    raw = bytearray(base64.b64decode(value.text))
    raw[10] ^= 1
    value.text = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(SignatureError, match="verification failed"):
        verify_hdon(root)


def test_a_different_registered_certificate_fails(
    credentials: SellerCredentials, other_credentials: SellerCredentials
) -> None:
    with pytest.raises(SignatureError, match="different certificate"):
        verify_hdon(signed_receipt(credentials), trusted_certificate=other_credentials.certificate)


def test_swapping_in_another_key_and_certificate_fails(
    credentials: SellerCredentials, other_credentials: SellerCredentials
) -> None:
    ours = parse_xml(signed_receipt(credentials))
    theirs = parse_xml(signed_receipt(other_credentials))
    path = "DSCKS/NBan/ds:Signature/ds:KeyInfo"
    mine, other = ours.find(path, DS), theirs.find(path, DS)
    assert mine is not None
    assert other is not None
    mine.getparent().replace(mine, other)  # type: ignore[union-attr]
    with pytest.raises(SignatureError):
        verify_hdon(ours)


def test_reindenting_a_signed_document_breaks_it(credentials: SellerCredentials) -> None:
    root = parse_xml(signed_receipt(credentials))
    etree.indent(root)
    with pytest.raises(SignatureError):
        verify_hdon(etree.tostring(root))


def test_a_second_element_with_the_signed_id_is_refused(credentials: SellerCredentials) -> None:
    root = parse_xml(signed_receipt(credentials))
    decoy = etree.SubElement(root, "Decoy", Id="SigningData")
    decoy.text = "x"
    with pytest.raises(SignatureError, match="exactly once"):
        verify_hdon(root)


def test_missing_signature_is_a_signature_error(credentials: SellerCredentials) -> None:
    unsigned = serialize(build_hdon(document_from_model(sample_receipt())))
    with pytest.raises(SignatureError, match="no seller signature"):
        verify_hdon(unsigned)


def test_signature_survives_a_parse_and_reserialise(credentials: SellerCredentials) -> None:
    root = parse_xml(signed_receipt(credentials))
    again = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    assert verify_hdon(again, trusted_certificate=credentials.certificate).trusted


def test_signing_twice_or_outside_the_validity_is_refused(
    credentials: SellerCredentials,
) -> None:
    root = parse_xml(signed_receipt(credentials))
    with pytest.raises(ValidationError) as raised:
        sign_hdon(root, credentials, signing_time=SIGNED_AT)
    assert "DSCKS/NBan" == raised.value.field
    fresh = build_hdon(document_from_model(sample_invoice()))
    with pytest.raises(ValidationError) as raised:
        sign_hdon(fresh, credentials, signing_time=datetime(2024, 12, 31, tzinfo=VN_TZ))
    assert "signing_time" == raised.value.field


def test_credentials_load_from_pem_and_pkcs12(credentials: SellerCredentials) -> None:
    key_pem = credentials.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"test-pass"),
    )
    cert_pem = credentials.certificate.public_bytes(serialization.Encoding.PEM)
    loaded = SellerCredentials.from_pem(key_pem, cert_pem, password=b"test-pass")
    assert credentials.certificate == loaded.certificate
    p12 = pkcs12.serialize_key_and_certificates(
        b"test",
        credentials.private_key,
        credentials.certificate,
        None,
        serialization.BestAvailableEncryption(b"test-pass"),
    )
    from_p12 = SellerCredentials.from_pkcs12(p12, password=b"test-pass")
    assert credentials.certificate == from_p12.certificate


def test_a_certificate_of_another_key_is_refused(
    credentials: SellerCredentials, other_credentials: SellerCredentials
) -> None:
    with pytest.raises(ValidationError) as raised:
        SellerCredentials(credentials.private_key, other_credentials.certificate)
    assert "certificate" == raised.value.field


def test_expired_certificate_still_verifies_for_documents_signed_while_valid() -> None:
    old = make_credentials(not_before=datetime(2025, 1, 1, tzinfo=VN_TZ), days=200)
    root = build_hdon(document_from_model(sample_receipt()))
    data = serialize(sign_hdon(root, old, signing_time=SIGNED_AT))
    assert SIGNED_AT == verify_hdon(data, trusted_certificate=old.certificate).signing_time


def test_exclusive_c14n_and_sha512_profiles_verify(credentials: SellerCredentials) -> None:
    profile = GdtProfile(
        c14n_method="http://www.w3.org/2001/10/xml-exc-c14n#",
        signature_method="http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
        digest_method="http://www.w3.org/2001/04/xmlenc#sha512",
    )
    root = build_hdon(document_from_model(sample_receipt()), profile=profile)
    data = serialize(sign_hdon(root, credentials, signing_time=SIGNED_AT, profile=profile))
    assert b"xml-exc-c14n#" in data
    assert verify_hdon(data, trusted_certificate=credentials.certificate).trusted


def test_legacy_sha1_is_refused_unless_allowed(credentials: SellerCredentials) -> None:
    profile = GdtProfile(
        signature_method="http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        digest_method="http://www.w3.org/2000/09/xmldsig#sha1",
    )
    root = build_hdon(document_from_model(sample_receipt()))
    data = serialize(sign_hdon(root, credentials, signing_time=SIGNED_AT, profile=profile))
    with pytest.raises(SignatureError):
        verify_hdon(data)
    assert SIGNED_AT == verify_hdon(data, allow_sha1=True).signing_time


def test_unknown_algorithms_and_naive_times_are_refused(credentials: SellerCredentials) -> None:
    root = build_hdon(document_from_model(sample_receipt()))
    with pytest.raises(ValidationError) as raised:
        sign_hdon(root, credentials, profile=GdtProfile(digest_method="urn:md5"))
    assert "profile" == raised.value.field
    with pytest.raises(ValidationError) as raised:
        sign_hdon(root, credentials, signing_time=datetime(2025, 6, 1, 9, 30))
    assert "signing_time" == raised.value.field
    assert root.find("DSCKS") is None  # nothing was added by the refused attempts
