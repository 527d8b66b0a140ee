"""XMLDSig pieces shared by signing and verifying the seller signature: the algorithms this
library knows, canonicalisation and digests.

Canonicalisation is C14N 1.0 (inclusive or exclusive) of a node *as if it were the root of
its own document* with its in-scope namespaces (libxml2's inclusive C14N of a non-root
element whose default namespace is declared on an ancestor writes spurious `xmlns=""` on
its descendants; `c14n` avoids it without copying the node).
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.hazmat.primitives import hashes
from lxml import etree

from connectors.core import ValidationError
from connectors.einvoice.gdt.profile import DSIG_NS, GdtProfile

__all__ = [
    "C14N_METHODS",
    "DIGESTS",
    "DS",
    "ENVELOPED",
    "SHA1_URIS",
    "SIGNATURE_HASHES",
    "algorithms",
    "c14n",
    "digest",
]

DS = f"{{{DSIG_NS}}}"
"""The XMLDSig namespace in lxml's Clark notation, for tags."""

ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"

SIGNATURE_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": hashes.SHA256,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384": hashes.SHA384,
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512": hashes.SHA512,
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1": hashes.SHA1,
}
"""RSA PKCS#1 v1.5 signature methods and their hashes."""

DIGESTS = {
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
}
"""Reference digest methods and their `hashlib` names."""

SHA1_URIS = frozenset(
    {"http://www.w3.org/2000/09/xmldsig#rsa-sha1", "http://www.w3.org/2000/09/xmldsig#sha1"}
)
"""Legacy algorithms refused unless a caller allows SHA-1."""

C14N_METHODS = {
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": (False, False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": (False, True),
    "http://www.w3.org/2001/10/xml-exc-c14n#": (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
}
"""Canonicalisation methods: (exclusive, with comments)."""


def algorithms(profile: GdtProfile) -> tuple[type[hashes.HashAlgorithm], str, bool]:
    """The hash for the signature, the digest name and whether C14N is exclusive."""
    try:
        return (
            SIGNATURE_HASHES[profile.signature_method],
            DIGESTS[profile.digest_method],
            C14N_METHODS[profile.c14n_method][0],
        )
    except KeyError as exc:
        raise ValidationError(f"unsupported algorithm {exc.args[0]!r}", field="profile") from None


def c14n(node: etree._Element, *, exclusive: bool = False, with_comments: bool = False) -> bytes:
    """C14N 1.0 of `node` as the root of its own document, with its in-scope namespaces.

    A node under namespace declarations is canonicalised in place with exclusive C14N
    whose InclusiveNamespaces list names every prefix in scope in its subtree: those
    prefixes follow the inclusive rules, so the bytes are inclusive C14N's, without the
    copy (and without libxml2's spurious `xmlns=""`, which its exclusive mode does not add).
    """
    prefixes: list[str] | None = None
    if not exclusive and node.getparent() is not None and node.nsmap:
        found = {prefix for element in node.iter() for prefix in element.nsmap}
        prefixes = sorted(prefix or "#default" for prefix in found)
    return bytes(
        etree.tostring(
            node,
            method="c14n",
            exclusive=exclusive or prefixes is not None,
            with_comments=with_comments,
            inclusive_ns_prefixes=prefixes,
        )
    )


def digest(data: bytes, name: str) -> str:
    """The base64 `name` digest of `data`."""
    return base64.b64encode(hashlib.new(name, data).digest()).decode("ascii")
