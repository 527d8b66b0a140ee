"""Open311 GeoReport v2 models (fidelity: official public standard).

Field names are the standard's own (`service_code`, `lat`, `long`, `address_string`...).
Models are frozen dataclasses validating on construction; bad input raises
`ValidationError` naming the field before anything is sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from connectors.core.errors import ValidationError
from connectors.ihanoi.base import MAX_TEXT, check_text
from connectors.ihanoi.status import Open311Status

__all__ = [
    "DATATYPES",
    "AttributeDefinition",
    "NewServiceRequest",
    "RequestReceipt",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
]

DATATYPES = frozenset({"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"})
"""Attribute datatypes of GeoReport v2."""

_CODE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


def _fail(name: str, message: str) -> ValidationError:
    return ValidationError(f"{name}: {message}", field=name)


@dataclass(frozen=True)
class Service:
    """One entry of `GET /services`: a category citizens can report under."""

    service_code: str
    service_name: str
    description: str = ""
    metadata: bool = False
    type: str = "realtime"
    keywords: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True)
class AttributeDefinition:
    """One extra question a service asks (`attribute[code]=value` when posting)."""

    code: str
    datatype: str
    required: bool = False
    variable: bool = True
    description: str = ""
    datatype_description: str = ""
    order: int = 0
    values: tuple[tuple[str, str], ...] = ()
    """(key, name) pairs for list datatypes."""


@dataclass(frozen=True)
class ServiceDefinition:
    """`GET /services/{code}`: the attributes of a service."""

    service_code: str
    attributes: tuple[AttributeDefinition, ...] = ()

    def attribute(self, code: str) -> AttributeDefinition | None:
        for attribute in self.attributes:
            if attribute.code == code:
                return attribute
        return None


@dataclass(frozen=True)
class NewServiceRequest:
    """A request to post: a service code, one location, optional contact and attributes.

    Location: `lat` and `long` (WGS84), or `address_string`, or `address_id`.
    `attributes` maps an attribute code to a value, or to a list of values for a
    multivaluelist.
    """

    service_code: str
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = None
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    media_url: str | None = None
    attributes: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.service_code, str) or not _CODE.match(self.service_code):
            raise _fail("service_code", "must be 1-64 letters, digits, '.', '_' or '-'")
        for name, value, bound in (("lat", self.lat, 90.0), ("long", self.long, 180.0)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _fail(name, "must be a number")
            if not math.isfinite(value) or abs(value) > bound:
                raise _fail(name, f"must be within ±{bound:g}")
        if (self.lat is None) != (self.long is None):
            raise _fail("lat", "lat and long go together")
        check_text("address_string", self.address_string, limit=500, required=False)
        check_text("address_id", self.address_id, limit=100, required=False)
        if self.lat is None and not self.address_string and not self.address_id:
            raise _fail("location", "give lat and long, address_string or address_id")
        check_text("description", self.description, limit=MAX_TEXT, required=False)
        for name in ("email", "device_id", "account_id", "first_name", "last_name", "phone"):
            check_text(name, getattr(self, name), limit=200, required=False)
        if self.media_url is not None and not re.match(r"\Ahttps?://\S+\Z", self.media_url):
            raise _fail("media_url", "must be an http(s) URL")
        for code, raw in self.attributes.items():
            if not isinstance(code, str) or not _CODE.match(code):
                raise _fail(f"attribute[{code}]", "attribute codes are letters, digits, . _ -")
            values = [raw] if isinstance(raw, str) else list(raw)
            if not values or not all(isinstance(v, str) for v in values):
                raise _fail(f"attribute[{code}]", "values must be text")
        object.__setattr__(self, "attributes", dict(self.attributes))

    def check_against(self, definition: ServiceDefinition) -> None:
        """Refuse missing required attributes, unknown codes and values not in a list."""
        if definition.service_code != self.service_code:
            raise _fail("service_code", "does not match the service definition")
        for attribute in definition.attributes:
            if attribute.required and attribute.variable and attribute.code not in self.attributes:
                raise _fail(f"attribute[{attribute.code}]", "is required by the service")
        for code, value in self.attributes.items():
            known = definition.attribute(code)
            if known is None:
                raise _fail(f"attribute[{code}]", "is not an attribute of the service")
            values = [value] if isinstance(value, str) else list(value)
            if known.datatype == "singlevaluelist" and len(values) != 1:
                raise _fail(f"attribute[{code}]", "takes exactly one value")
            if known.values:
                keys = {key for key, _ in known.values}
                for v in values:
                    if v not in keys:
                        raise _fail(f"attribute[{code}]", f"{v!r} is not one of {sorted(keys)}")


@dataclass(frozen=True)
class RequestReceipt:
    """The answer to posting a request (or looking up a token): the request id, or a
    `token` to look up later when the service is batch-processed."""

    service_request_id: str | None = None
    token: str | None = None
    service_notice: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class ServiceRequest:
    """One request as `GET /requests` returns it."""

    service_request_id: str
    status: Open311Status
    service_code: str | None = None
    service_name: str | None = None
    description: str | None = None
    status_notes: str | None = None
    agency_responsible: str | None = None
    service_notice: str | None = None
    requested_datetime: datetime | None = None
    updated_datetime: datetime | None = None
    expected_datetime: datetime | None = None
    address: str | None = None
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None
