"""One call from content to signed bytes: build, check, sign, serialise."""

from __future__ import annotations

from datetime import datetime

from connectors.einvoice.gdt.build import build_hdon, serialize
from connectors.einvoice.gdt.document import HDonDocument
from connectors.einvoice.gdt.profile import DEFAULT_PROFILE, GdtProfile
from connectors.einvoice.gdt.signature import SellerCredentials, sign_hdon

__all__ = ["signed_hdon"]


def signed_hdon(
    document: HDonDocument,
    credentials: SellerCredentials,
    *,
    signing_time: datetime | None = None,
    profile: GdtProfile = DEFAULT_PROFILE,
) -> bytes:
    """`document` as schema-checked, seller-signed UTF-8 bytes (store them as they are)."""
    root = build_hdon(document, profile=profile)
    return serialize(sign_hdon(root, credentials, signing_time=signing_time, profile=profile))
