"""GeoReport v2 on the wire: JSON and XML documents, form bodies and error lists.

Both formats go through one plain-object shape (what the JSON format carries): XML is
read with `connectors.core.parse_xml` (no DTDs, no entities, bounded size) into that shape
and written from it, so the client and the simulator decode and encode one way. In XML
every leaf is text; decoders coerce ("true" -> True, "52.1" -> 52.1).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from lxml import etree

from connectors.core.deprecation import moved
from connectors.core.safexml import parse_xml
from connectors.ihanoi.open311 import models
from connectors.ihanoi.status import Open311Status

__all__ = [
    "DECODE_ERRORS",
    "DEFAULT_PROFILE",
    "LIST_ITEMS",
    "Format",
    "WireProfile",
    "accept",
    "decode_definition",
    "decode_errors",
    "decode_receipts",
    "decode_requests",
    "decode_services",
    "encode_definition",
    "encode_errors",
    "encode_receipt",
    "encode_request",
    "encode_service",
    "form_fields",
    "from_xml",
    "parse_form",
    "read_body",
    "requests_query",
    "to_xml",
    "url",
]

Format = Literal["json", "xml"]

DECODE_ERRORS = (ValueError, KeyError, TypeError)

LIST_ITEMS: dict[str, str] = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
}
"""XML list containers and the tag of their items."""


@dataclass(frozen=True)
class WireProfile:
    """The few GeoReport v2 details that differ between servers.

    `attribute_param` is "attribute" as the standard writes it (`attribute[CODE]=v`);
    some servers read "attributes". `multi_suffix` marks a multivaluelist item.
    """

    attribute_param: str = "attribute"
    multi_suffix: str = "[]"
    api_key_param: str = "api_key"
    jurisdiction_param: str = "jurisdiction_id"


DEFAULT_PROFILE = WireProfile()
"""GeoReport v2 as the standard writes it."""

__getattr__ = moved(__name__, {"Open311Profile": "connectors.ihanoi.open311.wire:WireProfile"})


# -- requests: paths, queries, formats ------------------------------------------------------


def url(base_url: str, path: str, fmt: Format) -> str:
    """The URL of an endpoint: `path` (e.g. ``/services``) with the format's extension."""
    return f"{base_url}{path}.{fmt}"


def accept(fmt: Format) -> str:
    """The Accept header of a call answered in `fmt`."""
    return "application/json" if fmt == "json" else "text/xml"


def read_body(content: bytes, fmt: Format) -> Any:
    """An answer's body as a plain object (JSON, or XML read into the same shape)."""
    return json.loads(content) if fmt == "json" else from_xml(content)


def requests_query(
    *,
    ids: Sequence[str] = (),
    service_code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status: Open311Status | None = None,
) -> list[tuple[str, str]]:
    """The query of `GET /requests` (the caller checked the values)."""
    params: list[tuple[str, str]] = []
    if ids:
        params.append(("service_request_id", ",".join(ids)))
    if service_code is not None:
        params.append(("service_code", service_code))
    for name, value in (("start_date", start), ("end_date", end)):
        if value is not None:
            params.append((name, value.isoformat()))
    if status is not None:
        params.append(("status", status.value))
    return params


# -- XML <-> plain objects -----------------------------------------------------------------


def from_xml(data: bytes | str, *, what: str = "Open311 answer") -> Any:
    """A GeoReport v2 XML document as the JSON format's shape (lists for containers)."""
    root = parse_xml(data, what=what, max_bytes=5 * 1024 * 1024)
    return _element(root)


def _element(element: etree._Element) -> Any:
    tag = str(element.tag)
    children = list(element)
    if tag in LIST_ITEMS:
        return [_element(child) for child in children]
    if not children:
        text = element.text or ""
        return text.strip() or None
    return {str(child.tag): _element(child) for child in children}


def to_xml(root: str, obj: Any) -> bytes:
    """Write the plain object `obj` as a GeoReport v2 document with root tag `root`."""
    element = etree.Element(root)
    _fill(element, obj)
    return bytes(etree.tostring(element, xml_declaration=True, encoding="utf-8"))


def _fill(element: etree._Element, obj: Any) -> None:
    tag = str(element.tag)
    if isinstance(obj, list):
        item_tag = LIST_ITEMS.get(tag, "item")
        for item in obj:
            _fill(etree.SubElement(element, item_tag), item)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _fill(etree.SubElement(element, key), value)
    elif obj is None:
        return
    elif isinstance(obj, bool):
        element.text = "true" if obj else "false"
    else:
        element.text = str(obj)


# -- coercion ------------------------------------------------------------------------------


def _str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0", ""):
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _float(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not a coordinate")
    return float(value)


def _dt(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(f"datetime without a time zone: {value!r}")
    return parsed


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, dict):  # one XML child where a list is expected
        return [value]
    if not isinstance(value, list):
        raise TypeError("expected a list")
    return value


# -- services ----------------------------------------------------------------------------


_SERVICE = ("service_code", "service_name", "description", "metadata", "type", "keywords", "group")


def encode_service(service: models.Service) -> dict[str, Any]:
    body: dict[str, Any] = {name: getattr(service, name) for name in _SERVICE}
    body["keywords"] = ", ".join(service.keywords)
    return body


def decode_services(obj: Any) -> list[models.Service]:
    result = []
    for item in _list(obj):
        keywords = _str(item.get("keywords")) or ""
        result.append(
            models.Service(
                service_code=str(item["service_code"]),
                service_name=_str(item.get("service_name")) or "",
                description=_str(item.get("description")) or "",
                metadata=_bool(item.get("metadata")),
                type=_str(item.get("type")) or "realtime",
                keywords=tuple(k.strip() for k in keywords.split(",") if k.strip()),
                group=_str(item.get("group")) or "",
            )
        )
    return result


def encode_definition(definition: models.ServiceDefinition) -> dict[str, Any]:
    return {
        "service_code": definition.service_code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                "values": [{"key": k, "name": n} for k, n in a.values],
            }
            for a in definition.attributes
        ],
    }


def decode_definition(obj: Any) -> models.ServiceDefinition:
    if not isinstance(obj, dict):
        raise TypeError("a service definition must be an object")
    attributes = []
    for item in _list(obj.get("attributes")):
        order = item.get("order")
        attributes.append(
            models.AttributeDefinition(
                code=str(item["code"]),
                datatype=str(item["datatype"]),
                required=_bool(item.get("required")),
                variable=_bool(item.get("variable", True)),
                description=_str(item.get("description")) or "",
                datatype_description=_str(item.get("datatype_description")) or "",
                order=int(order) if order not in (None, "") else 0,
                values=tuple(
                    (str(v["key"]), _str(v.get("name")) or "") for v in _list(item.get("values"))
                ),
            )
        )
    return models.ServiceDefinition(str(obj["service_code"]), tuple(attributes))


# -- posting a request ----------------------------------------------------------------------


def form_fields(
    request: models.NewServiceRequest,
    profile: WireProfile,
    *,
    api_key: str | None = None,
    jurisdiction_id: str | None = None,
) -> list[tuple[str, str]]:
    """The form body of `POST /requests`, in order: standard fields, then attributes."""
    fields: list[tuple[str, str]] = []
    if jurisdiction_id is not None:
        fields.append((profile.jurisdiction_param, jurisdiction_id))
    fields.append(("service_code", request.service_code))
    if request.lat is not None and request.long is not None:
        fields += [("lat", repr(float(request.lat))), ("long", repr(float(request.long)))]
    for name in (
        "address_string",
        "address_id",
        "email",
        "device_id",
        "account_id",
        "first_name",
        "last_name",
        "phone",
        "description",
        "media_url",
    ):
        value = getattr(request, name)
        if value is not None:
            fields.append((name, value))
    for code, value in request.attributes.items():
        key = f"{profile.attribute_param}[{code}]"
        if isinstance(value, str):
            fields.append((key, value))
        else:
            fields += [(key + profile.multi_suffix, v) for v in value]
    if api_key is not None:
        fields.append((profile.api_key_param, api_key))
    return fields


def parse_form(
    pairs: Sequence[tuple[str, str]], profile: WireProfile
) -> tuple[dict[str, str], dict[str, str | list[str]]]:
    """Split a posted form into standard fields and attributes (the simulator's side)."""
    plain: dict[str, str] = {}
    attributes: dict[str, str | list[str]] = {}
    prefix = profile.attribute_param + "["
    for key, value in pairs:
        if key.startswith(prefix):
            rest = key[len(prefix) :]
            if rest.endswith("]" + profile.multi_suffix):
                code = rest[: -1 - len(profile.multi_suffix)]
                existing = attributes.setdefault(code, [])
                if isinstance(existing, list):
                    existing.append(value)
            elif rest.endswith("]"):
                attributes[rest[:-1]] = value
        else:
            plain[key] = value
    return plain, attributes


def encode_receipt(receipt: models.RequestReceipt) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if receipt.service_request_id is not None:
        body["service_request_id"] = receipt.service_request_id
    if receipt.token is not None:
        body["token"] = receipt.token
    body["service_notice"] = receipt.service_notice
    body["account_id"] = receipt.account_id
    return body


def decode_receipts(obj: Any) -> list[models.RequestReceipt]:
    result = []
    for item in _list(obj):
        receipt = models.RequestReceipt(
            service_request_id=_str(item.get("service_request_id")),
            token=_str(item.get("token")),
            service_notice=_str(item.get("service_notice")),
            account_id=_str(item.get("account_id")),
        )
        result.append(receipt)
    return result


# -- requests --------------------------------------------------------------------------------


def encode_request(request: models.ServiceRequest) -> dict[str, Any]:
    def dt(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "service_request_id": request.service_request_id,
        "status": request.status.value,
        "status_notes": request.status_notes,
        "service_name": request.service_name,
        "service_code": request.service_code,
        "description": request.description,
        "agency_responsible": request.agency_responsible,
        "service_notice": request.service_notice,
        "requested_datetime": dt(request.requested_datetime),
        "updated_datetime": dt(request.updated_datetime),
        "expected_datetime": dt(request.expected_datetime),
        "address": request.address,
        "address_id": request.address_id,
        "zipcode": request.zipcode,
        "lat": request.lat,
        "long": request.long,
        "media_url": request.media_url,
    }


def decode_requests(obj: Any) -> list[models.ServiceRequest]:
    result = []
    for item in _list(obj):
        result.append(
            models.ServiceRequest(
                service_request_id=str(item["service_request_id"]),
                status=Open311Status(str(item["status"]).strip().lower()),
                status_notes=_str(item.get("status_notes")),
                service_name=_str(item.get("service_name")),
                service_code=_str(item.get("service_code")),
                description=_str(item.get("description")),
                agency_responsible=_str(item.get("agency_responsible")),
                service_notice=_str(item.get("service_notice")),
                requested_datetime=_dt(item.get("requested_datetime")),
                updated_datetime=_dt(item.get("updated_datetime")),
                expected_datetime=_dt(item.get("expected_datetime")),
                address=_str(item.get("address")),
                address_id=_str(item.get("address_id")),
                zipcode=_str(item.get("zipcode")),
                lat=_float(item.get("lat")),
                long=_float(item.get("long")),
                media_url=_str(item.get("media_url")),
            )
        )
    return result


# -- errors ----------------------------------------------------------------------------------


def encode_errors(errors: Sequence[tuple[int | str, str]]) -> list[dict[str, Any]]:
    """An error list: [{"code": ..., "description": ...}]."""
    return [{"code": code, "description": description} for code, description in errors]


def decode_errors(obj: Any) -> list[tuple[str, str]]:
    """(code, description) pairs from an error list; empty if `obj` is not one."""
    if isinstance(obj, dict) and "error" in obj:  # <errors> with one child read as a dict
        obj = [obj["error"]]
    if not isinstance(obj, list):
        return []
    result = []
    for item in obj:
        if isinstance(item, Mapping) and "description" in item:
            result.append((str(item.get("code") or ""), str(item.get("description") or "")))
    return result
