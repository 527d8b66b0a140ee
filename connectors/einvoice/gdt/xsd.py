"""The shipped `HDon` XML Schema and validation against it (no network, thread-safe).

`validate_hdon(root)` raises `ValidationError` whose `field` is the path of the first
offending element (e.g. "/HDon/DLHDon/NDHDon/TToan/TgTThue") and whose message lists
every problem lxml found.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import cast

from lxml import etree

from connectors.core import ValidationError, parse_xml

__all__ = ["SCHEMA_FILE", "hdon_schema", "validate_hdon"]

SCHEMA_FILE = "hdon-2.1.0.xsd"
"""The schema's file name inside `connectors/einvoice/gdt/schema/`."""

_lock = threading.Lock()


@cache
def hdon_schema() -> etree.XMLSchema:
    """The compiled schema, read from the package (never fetched)."""
    text = (
        resources.files("connectors.einvoice.gdt")
        .joinpath("schema")
        .joinpath(SCHEMA_FILE)
        .read_bytes()
    )
    return etree.XMLSchema(parse_xml(text, what="HDon schema"))


def validate_hdon(root: etree._Element, *, what: str = "HDon document") -> None:
    """Check `root` against the schema; raise `ValidationError` naming the first bad element."""
    schema = hdon_schema()
    with _lock:
        valid = schema.validate(root)
        if valid:
            return
        errors: list[etree._LogEntry] = [*cast(Iterable[etree._LogEntry], schema.error_log)]
    first = errors[0]
    detail = "; ".join(f"{e.path}: {e.message}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    raise ValidationError(
        f"{what} does not match the HDon schema: {detail}{more}", field=first.path
    )
