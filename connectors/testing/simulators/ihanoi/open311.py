"""The Open311 GeoReport v2 half of the iHanoi simulator (JSON and XML).

A mixin for `IhanoiFeedbackSimulator`: the same feedback store answers both the Open311 endpoints
and the modelled iHanoi contract, so a request posted through Open311 is a feedback in
iHanoi and an answer pushed through iHanoi shows as `closed` with its notes in Open311.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from connectors.core.errors import ValidationError
from connectors.ihanoi.base import Feedback, Location, Reporter
from connectors.ihanoi.open311 import wire as o311
from connectors.ihanoi.open311.models import (
    NewServiceRequest,
    RequestReceipt,
    Service,
    ServiceDefinition,
    ServiceRequest,
)
from connectors.ihanoi.open311.wire import WireProfile
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.ihanoi.store import FeedbackStoreHooks

__all__ = ["Open311Routes"]

_ROOTS = {
    "services": "services",
    "definition": "service_definition",
    "receipts": "service_requests",
    "requests": "service_requests",
    "errors": "errors",
}


class _Refused(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


class Open311Routes(FeedbackStoreHooks):
    """GeoReport v2 endpoints over the simulator's store (mixed into IhanoiFeedbackSimulator)."""

    # Provided by IhanoiFeedbackSimulator.
    api_key: str
    jurisdiction_id: str | None
    open311_profile: WireProfile
    services: tuple[Service, ...]
    definitions: dict[str, ServiceDefinition]
    add_route: Callable[..., None]

    def _token_target(self, token: str) -> str | None:
        raise NotImplementedError

    def _new_token(self, feedback_id: str) -> str:
        raise NotImplementedError

    def _media_url(self, feedback_id: str) -> str | None:
        raise NotImplementedError

    # -- registration --------------------------------------------------------------------

    def _add_open311_routes(self, prefix: str) -> None:
        routes: list[tuple[str, str, Callable[[SimRequest], SimResponse], str]] = [
            ("GET", "/services.{fmt}", self._o_services, "services"),
            ("GET", "/services/{code}.{fmt}", self._o_definition, "service_definition"),
            ("POST", "/requests.{fmt}", self._o_post, "post_request"),
            ("GET", "/tokens/{token}.{fmt}", self._o_token, "token"),
            ("GET", "/requests.{fmt}", self._o_requests, "requests"),
            ("GET", "/requests/{rid}.{fmt}", self._o_request, "request"),
        ]
        for method, path, handler, name in routes:
            self.add_route(method, prefix + path, _guarded(handler), name=name)

    # -- handlers --------------------------------------------------------------------------

    def _o_services(self, request: SimRequest) -> SimResponse:
        self._check_jurisdiction(request.args())
        return _answer(request, "services", [o311.encode_service(s) for s in self.services])

    def _o_definition(self, request: SimRequest) -> SimResponse:
        self._check_jurisdiction(request.args())
        definition = self.definitions.get(request.path_params["code"])
        if definition is None:
            raise _Refused(404, "service_code not found")
        return _answer(request, "definition", o311.encode_definition(definition))

    def _o_post(self, request: SimRequest) -> SimResponse:
        pairs = parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
        plain, attributes = o311.parse_form(pairs, self.open311_profile)
        if plain.get(self.open311_profile.api_key_param) != self.api_key:
            raise _Refused(403, "api_key is missing or invalid")
        self._check_jurisdiction(plain)
        service = next(
            (s for s in self.services if s.service_code == plain.get("service_code")), None
        )
        if service is None:
            raise _Refused(400, "service_code is missing or unknown")
        try:
            lat = float(plain["lat"]) if "lat" in plain else None
            lng = float(plain["long"]) if "long" in plain else None
            draft = NewServiceRequest(
                service_code=service.service_code,
                lat=lat,
                long=lng,
                address_string=plain.get("address_string"),
                address_id=plain.get("address_id"),
                description=plain.get("description"),
                email=plain.get("email"),
                first_name=plain.get("first_name"),
                last_name=plain.get("last_name"),
                phone=plain.get("phone"),
                media_url=plain.get("media_url"),
                attributes=attributes,
            )
            definition = self.definitions.get(service.service_code)
            if definition is not None:
                draft.check_against(definition)
            name = " ".join(p for p in (draft.last_name, draft.first_name) if p)
            reporter = (
                Reporter(full_name=name, phone=draft.phone, email=draft.email) if name else None
            )
            location = Location(lat=draft.lat, lng=draft.long, address=draft.address_string)
        except (ValueError, ValidationError) as exc:
            message = exc.message if isinstance(exc, ValidationError) else str(exc)
            raise _Refused(400, message) from None
        feedback = self._receive(
            source="open311",
            extra={"attributes": attributes, "media_url": draft.media_url},
            category_code=service.service_code,
            title=service.service_name,
            description=draft.description or service.service_name,
            location=location,
            reporter=reporter,
        )
        notice = "Đã tiếp nhận phản ánh (mô phỏng)"
        if service.type == "batch":
            receipt = RequestReceipt(token=self._new_token(feedback.feedback_id))
        else:
            receipt = RequestReceipt(service_request_id=feedback.feedback_id, service_notice=notice)
        return _answer(request, "receipts", [o311.encode_receipt(receipt)], status=201)

    def _o_token(self, request: SimRequest) -> SimResponse:
        token = request.path_params["token"]
        target = self._token_target(token)
        if target is None:
            raise _Refused(404, "token not found")
        receipt = RequestReceipt(service_request_id=target, token=token)
        return _answer(request, "receipts", [o311.encode_receipt(receipt)])

    def _o_requests(self, request: SimRequest) -> SimResponse:
        args = request.args()
        self._check_jurisdiction(args)
        items = self._all()
        if args.get("service_request_id"):
            wanted = [i.strip() for i in args["service_request_id"].split(",") if i.strip()]
            found = {f.feedback_id: f for f in items}
            chosen = [found[i] for i in wanted if i in found]
        else:
            end = _date(args.get("end_date"), "end_date") or self._now()
            start = _date(args.get("start_date"), "start_date") or end - timedelta(days=90)
            if end - start > timedelta(days=90) or end < start:
                raise _Refused(400, "start_date..end_date must be a window of at most 90 days")
            status = args.get("status")
            if status not in (None, "open", "closed"):
                raise _Refused(400, "status must be open or closed")
            chosen = [
                f
                for f in items
                if f.received_at is not None
                and start <= f.received_at <= end
                and (args.get("service_code") in (None, f.category_code))
                and (status is None or f.status.open311.value == status)
            ]
        return _answer(request, "requests", [o311.encode_request(self._view(f)) for f in chosen])

    def _o_request(self, request: SimRequest) -> SimResponse:
        self._check_jurisdiction(request.args())
        found = self._get(request.path_params["rid"])
        if found is None:
            raise _Refused(404, "service_request_id not found")
        return _answer(request, "requests", [o311.encode_request(self._view(found))])

    # -- helpers -----------------------------------------------------------------------------

    def _check_jurisdiction(self, fields: dict[str, str]) -> None:
        if self.jurisdiction_id is None:
            return
        given = fields.get(self.open311_profile.jurisdiction_param)
        if given != self.jurisdiction_id:
            raise _Refused(404, "jurisdiction_id is missing or unknown")

    def _view(self, feedback: Feedback) -> ServiceRequest:
        service = next((s for s in self.services if s.service_code == feedback.category_code), None)
        location = feedback.location
        return ServiceRequest(
            service_request_id=feedback.feedback_id,
            status=feedback.status.open311,
            service_code=feedback.category_code,
            service_name=service.service_name if service else feedback.title,
            description=feedback.description,
            status_notes=feedback.reply_text or feedback.status_note,
            agency_responsible=feedback.agency_code,
            requested_datetime=feedback.received_at,
            updated_datetime=feedback.updated_at,
            expected_datetime=feedback.due_at,
            address=location.address if location else None,
            lat=location.lat if location else None,
            long=location.lng if location else None,
            media_url=self._media_url(feedback.feedback_id),
        )


def _date(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Refused(400, f"{name} is not an ISO 8601 datetime") from None
    if parsed.tzinfo is None:
        raise _Refused(400, f"{name} must carry a time zone")
    return parsed


def _fmt(request: SimRequest) -> str:
    fmt = request.path_params.get("fmt", "")
    if fmt not in ("json", "xml"):
        raise _Refused(404, "format must be json or xml")
    return fmt


def _answer(request: SimRequest, kind: str, obj: Any, *, status: int = 200) -> SimResponse:
    if _fmt(request) == "json":
        return SimResponse.json(obj, status)
    return SimResponse(
        status, o311.to_xml(_ROOTS[kind], obj), {"Content-Type": "text/xml; charset=utf-8"}
    )


def _guarded(
    handler: Callable[[SimRequest], SimResponse],
) -> Callable[[SimRequest], SimResponse]:
    def run(request: SimRequest) -> SimResponse:
        try:
            return handler(request)
        except _Refused as refused:
            errors = o311.encode_errors([(refused.status, refused.description)])
            fmt = request.path_params.get("fmt")
            if fmt == "xml":
                return SimResponse(
                    refused.status,
                    o311.to_xml("errors", errors),
                    {"Content-Type": "text/xml; charset=utf-8"},
                )
            return SimResponse.json(errors, refused.status)

    return run
