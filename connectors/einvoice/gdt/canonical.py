"""The seller signature's own elements written directly in canonical form (C14N 1.0).

`SignedInfo` and the SigningTime `Object` have a fixed shape: every element in the ds
namespace declared once on the element itself, one attribute at most, no comments, no
whitespace. Their canonical form (inclusive and exclusive C14N give the same bytes here)
is therefore plain text: start tags with the namespace declaration first, end tags
always written, attribute values and text escaped as C14N escapes them. Writing it saves
building, copying and canonicalising two trees per signature; verification canonicalises
what it reads with lxml, so any slip here fails every signature (and the tests check each
with signxml too).
"""

from __future__ import annotations

from connectors.einvoice.gdt.profile import DSIG_NS

__all__ = ["attribute", "element", "text"]

_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", '"': "&quot;", "\t": "&#x9;", "\n": "&#xA;", "\r": "&#xD;"}
)
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#xD;"})


def attribute(value: str) -> str:
    """`value` escaped as C14N writes an attribute value."""
    return value.translate(_ATTRIBUTE)


def text(value: str) -> str:
    """`value` escaped as C14N writes character content."""
    return value.translate(_TEXT)


def element(tag: str, content: str = "", *, root: bool = False, **attrs: str) -> str:
    """`<tag ...>content</tag>` of the ds namespace; `root` declares the namespace on it.

    `content` is already canonical text; attributes are written in sorted order (all are
    unqualified here, which is C14N's order for them).
    """
    declaration = f' xmlns="{attribute(DSIG_NS)}"' if root else ""
    pairs = "".join(f' {name}="{attribute(value)}"' for name, value in sorted(attrs.items()))
    return f"<{tag}{declaration}{pairs}>{content}</{tag}>"
