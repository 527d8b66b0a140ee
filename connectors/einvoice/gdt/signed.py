"""One call from content to signed bytes: build, check, sign, serialise."""

from __future__ import annotations

from datetime import datetime

from connectors.einvoice.gdt.build import build_hdon, serialize
from connectors.einvoice.gdt.document import HDonDocument
from connectors.einvoice.gdt.profile import DEFAULT_PROFILE, GdtProfile
from connectors.einvoice.gdt.signature import SellerCredentials, seller_signature_xml

__all__ = ["signed_hdon"]


def signed_hdon(
    document: HDonDocument,
    credentials: SellerCredentials,
    *,
    signing_time: datetime | None = None,
    profile: GdtProfile = DEFAULT_PROFILE,
) -> bytes:
    """`document` as schema-checked, seller-signed UTF-8 bytes (store them as they are).

    The same document as `serialize(sign_hdon(build_hdon(document), ...))` (its canonical
    form is identical); the signature's text is spliced into the serialised tree.
    """
    root = build_hdon(document, profile=profile)
    signature = seller_signature_xml(
        root, credentials, signing_time=signing_time, profile=profile
    ).encode()
    unsigned = serialize(root)  # a built document has no DSCKS yet: it ends with </HDon>
    return unsigned[: -len(_END)] + b"<DSCKS><NBan>" + signature + b"</NBan></DSCKS>" + _END


_END = b"</HDon>"
