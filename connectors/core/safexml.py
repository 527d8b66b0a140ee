"""Safe XML parsing: no DTDs, no entities, no network, bounded size.

Every XML document this library reads (SOAP answers, e-invoice XML, bank callbacks) goes
through `parse_xml`. It refuses, with a `ValidationError` naming the document, anything
over `max_bytes`, anything carrying a DOCTYPE or an entity declaration (billion laughs,
external entities reading local files or reaching the network) and anything malformed.
Code that must hand a parser to another library (zeep, signxml) takes a fresh
`safe_parser()` each time: lxml parsers are not thread-safe.
"""

from __future__ import annotations

import re

from lxml import etree

from connectors.core.errors import ValidationError

__all__ = ["DEFAULT_MAX_BYTES", "parse_xml", "safe_parser"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024

_ENCODINGS = ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_FORBIDDEN = tuple(
    marker.encode(encoding) for marker in ("<!DOCTYPE", "<!ENTITY") for encoding in _ENCODINGS
)
# lxml refuses a str that declares its own encoding; the str is already decoded, so the
# declaration is dropped and the text re-encoded as UTF-8.
_ENCODING_DECL = re.compile(r"""\A(\ufeff?\s*<\?xml\b[^>]*?)\s+encoding\s*=\s*(["'])[^"']*\2""")


def safe_parser() -> etree.XMLParser:
    """A new hardened lxml parser: no entity resolution, no DTD loading, no network.

    Returns a fresh instance on every call; never share one across threads.
    """
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(
    data: str | bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    what: str = "XML document",
) -> etree._Element:
    """Parse `data` into its root element, refusing anything unsafe or malformed.

    `what` names the document in the error ("VNPT invoice response"). Raises
    `ValidationError` for a document over `max_bytes` (UTF-8 bytes for a str), a DOCTYPE
    or ENTITY declaration, entity references, or malformed XML. A str may carry an XML
    declaration with an encoding; the declared encoding is ignored (the text is decoded).
    """
    if isinstance(data, str):
        if len(data) > max_bytes:
            raise ValidationError(f"{what} is too large: over {max_bytes} bytes")
        raw = _ENCODING_DECL.sub(r"\1", data, count=1).encode("utf-8")
    elif isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
    else:
        raise ValidationError(f"{what} must be str or bytes, not {type(data).__name__}")
    if len(raw) > max_bytes:
        raise ValidationError(f"{what} is too large: {len(raw)} bytes > {max_bytes}")
    # Every marker holds the byte "!" in every encoding: most documents have none and
    # skip the upper-cased copy and its ten searches.
    if b"!" in raw and any(marker in raw.upper() for marker in _FORBIDDEN):
        raise ValidationError(f"{what} contains a DOCTYPE or ENTITY declaration (refused)")
    try:
        root = etree.fromstring(raw, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise ValidationError(f"{what} is not well-formed XML: {exc}") from None
    except ValueError as exc:
        raise ValidationError(f"{what} could not be parsed: {exc}") from None
    if root is None:
        raise ValidationError(f"{what} is empty")
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ValidationError(f"{what} contains a DOCTYPE declaration (refused)")
    for _ in root.iter(etree.Entity):
        raise ValidationError(f"{what} contains an entity reference (refused)")
    return root
