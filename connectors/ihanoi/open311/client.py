"""An Open311 GeoReport v2 client (fidelity: official public standard).

Speaks both formats (`format="json"` or `"xml"`, per client or per call). Errors: the
server's error list (`[{"code", "description"}]` or `<errors>`) becomes
`ValidationError` for 400 (carrying the server's description as `vendor_message`),
`AuthError` for 401/403, `NotFound` for 404, and the usual mapping otherwise.

`post_request` has no idempotency key in the standard: it is retried only when the
request certainly never left; once it may have reached the server, any failure (a
timeout, a reset, a 5xx, a cut-short, unreadable or oversize answer) raises
`OutcomeUnknown` after that one request, carrying the caller's `idempotency_key`, and the
caller looks the request up (`requests(...)`) before posting again.

Every answer is read up to a size limit: the transport's (4 MiB by default) for one
request or definition, `LIST_ANSWER_LIMIT` for the lists (`services`, `requests`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict
from requests import Response

from connectors.core.config import ProviderSettings
from connectors.core.deprecation import moved
from connectors.core.errors import (
    AuthError,
    NotFound,
    ProviderUnavailable,
    ValidationError,
)
from connectors.core.retry import Idempotency
from connectors.core.transport import RequestSpec
from connectors.ihanoi.base import check_aware
from connectors.ihanoi.client import LIST_ANSWER_LIMIT, FeedbackClient
from connectors.ihanoi.open311 import wire
from connectors.ihanoi.open311.models import (
    NewServiceRequest,
    RequestReceipt,
    Service,
    ServiceDefinition,
    ServiceRequest,
)
from connectors.ihanoi.open311.wire import DEFAULT_PROFILE, Format, WireProfile
from connectors.ihanoi.status import Open311Status

__all__ = ["LIST_ANSWER_LIMIT", "MAX_SPAN", "Open311Feedback", "Open311FeedbackSettings"]

__getattr__ = moved(__name__, {"Open311Client": "connectors.ihanoi.open311:Open311Feedback"})

MAX_SPAN = timedelta(days=90)
"""The widest start_date..end_date window the standard allows."""

T = TypeVar("T")


def _check_format(value: object) -> Format:
    if value == "json":
        return "json"
    if value == "xml":
        return "xml"
    raise ValidationError("format: must be 'json' or 'xml'", field="format")


def _check_segment(name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or "/" in value or len(value) > 128:
        raise ValidationError(f"{name}: must be a non-blank id without '/'", field=name)
    return value


class Open311FeedbackSettings(ProviderSettings):
    """An Open311 GeoReport v2 endpoint (base URL up to, not including, `/services`):
    `CONNECTORS_OPEN311_BASE_URL`, `..._API_KEY`, `..._JURISDICTION_ID`, `..._FORMAT`."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_OPEN311_")

    api_key: SecretStr | None = None
    jurisdiction_id: str | None = None
    format: Literal["json", "xml"] = "json"


class Open311Feedback(FeedbackClient[Open311FeedbackSettings, WireProfile]):
    """A GeoReport v2 endpoint: `base_url` is everything before `/services.json`.

    Construction: `Open311Feedback(base_url=..., api_key=..., jurisdiction_id=...,
    format=...)`, `from_settings(settings)` or `from_env()` (`CONNECTORS_OPEN311_*`);
    options as `FeedbackClient`'s (`profile`: `wire.WireProfile`). `api_key` is required by
    servers for posting; `jurisdiction_id` only when the endpoint serves several
    jurisdictions. Thread-safe.
    """

    name = "open311"
    title = "Open311"
    settings_class = Open311FeedbackSettings
    default_profile = DEFAULT_PROFILE

    def __init__(
        self, settings: Open311FeedbackSettings | str | None = None, /, *more: Any, **options: Any
    ) -> None:
        super().__init__(settings, *more, **options)
        self.transport.protect(fields=[self.profile.api_key_param])

    @property
    def format(self) -> Format:
        """The format every call uses unless it names another."""
        return self.settings.format

    @property
    def jurisdiction_id(self) -> str | None:
        """The jurisdiction sent with every call, if any."""
        return self.settings.jurisdiction_id

    # -- discovery -----------------------------------------------------------------------

    def services(self, *, format: Format | None = None) -> list[Service]:
        """`GET /services`: the categories the endpoint accepts."""
        return self._get(
            "services", "/services", [], format, wire.decode_services, LIST_ANSWER_LIMIT
        )

    def service_definition(
        self, service_code: str, *, format: Format | None = None
    ) -> ServiceDefinition:
        """`GET /services/{service_code}`: the attributes a service asks for."""
        code = _check_segment("service_code", service_code)
        return self._get(
            "service_definition", f"/services/{code}", [], format, wire.decode_definition
        )

    # -- requests --------------------------------------------------------------------------

    def post_request(
        self,
        request: NewServiceRequest,
        *,
        definition: ServiceDefinition | None = None,
        format: Format | None = None,
        idempotency_key: str | None = None,
    ) -> RequestReceipt:
        """`POST /requests` (form-encoded). With `definition`, attributes are checked first.

        Returns the receipt: a `service_request_id`, or a `token` for batch services
        (resolve it with `token`). Raises `OutcomeUnknown` if the request may have been
        received but no readable answer came (sent once, never resent): look it up before
        posting again. `idempotency_key` is your reference for this post; Open311 has no
        key on the wire, so it is not sent, only carried by `OutcomeUnknown`.
        """
        if not isinstance(request, NewServiceRequest):
            raise ValidationError("request: must be a NewServiceRequest", field="request")
        if definition is not None:
            request.check_against(definition)
        api_key = self.settings.api_key
        if api_key is None:
            raise ValidationError("api_key: posting a request needs an API key", field="api_key")
        fmt = _check_format(format or self.format)
        fields = wire.form_fields(
            request,
            self.profile,
            api_key=api_key.get_secret_value(),
            jurisdiction_id=self.jurisdiction_id,
        )
        operation = "post_request"
        response = self.transport.request(
            RequestSpec(
                "POST",
                wire.url(self.base_url, "/requests", fmt),
                data=fields,
                headers={"Accept": wire.accept(fmt)},
            ),
            operation=operation,
            idempotency=Idempotency.UNKEYED_WRITE,
            idempotency_key=idempotency_key,
        )
        receipts = self._decode(response, operation, fmt, wire.decode_receipts)
        if not receipts:
            raise ProviderUnavailable(
                "post_request: the answer held no receipt", **self._context(response, operation)
            )
        return receipts[0]

    def token(self, token: str, *, format: Format | None = None) -> RequestReceipt:
        """`GET /tokens/{token}`: the request id a batch token became (None if not yet)."""
        value = _check_segment("token", token)
        receipts = self._get("token", f"/tokens/{value}", [], format, wire.decode_receipts)
        if not receipts:
            return RequestReceipt(token=value)
        return receipts[0]

    def requests(
        self,
        *,
        ids: Sequence[str] = (),
        service_code: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        status: Open311Status | None = None,
        format: Format | None = None,
    ) -> list[ServiceRequest]:
        """`GET /requests` with filters. `ids` overrides the others (the standard's rule).

        `start`/`end` must be aware and at most 90 days apart.
        """
        for each in ids:
            _check_segment("ids", each)
        if service_code is not None:
            _check_segment("service_code", service_code)
        for name, value in (("start_date", start), ("end_date", end)):
            if value is not None:
                check_aware(name, value)
        if start is not None and end is not None:
            if end < start:
                raise ValidationError("end_date: is before start_date", field="end_date")
            if end - start > MAX_SPAN:
                raise ValidationError("end_date: the window is over 90 days", field="end_date")
        if status is not None and not isinstance(status, Open311Status):
            raise ValidationError("status: must be an Open311Status", field="status")
        params = wire.requests_query(
            ids=ids, service_code=service_code, start=start, end=end, status=status
        )
        return self._get(
            "requests", "/requests", params, format, wire.decode_requests, LIST_ANSWER_LIMIT
        )

    def request(self, service_request_id: str, *, format: Format | None = None) -> ServiceRequest:
        """`GET /requests/{id}`: one request; `NotFound` if unknown."""
        value = _check_segment("service_request_id", service_request_id)
        found = self._get("request", f"/requests/{value}", [], format, wire.decode_requests)
        if not found:
            raise NotFound(f"request {value} not found", provider=self.name, operation="request")
        return found[0]

    # -- plumbing ------------------------------------------------------------------------

    def _get(
        self,
        operation: str,
        path: str,
        params: list[tuple[str, str]],
        format: Format | None,
        decode: Callable[[Any], T],
        max_response_bytes: int | None = None,
    ) -> T:
        fmt = _check_format(format or self.format)
        if self.jurisdiction_id is not None:
            params = [(self.profile.jurisdiction_param, self.jurisdiction_id), *params]
        response = self.transport.request(
            RequestSpec(
                "GET",
                wire.url(self.base_url, path, fmt),
                params=params,
                headers={"Accept": wire.accept(fmt)},
            ),
            operation=operation,
            idempotency=Idempotency.READ,
            max_response_bytes=max_response_bytes,
        )
        return self._decode(response, operation, fmt, decode)

    def _decode(
        self, response: Response, operation: str, fmt: Format, decode: Callable[[Any], T]
    ) -> T:
        if not 200 <= response.status_code < 300:
            raise self._refusal(response, operation, fmt)
        return self._decoded(response, operation, lambda r: decode(wire.read_body(r.content, fmt)))

    def _refusal(self, response: Response, operation: str, fmt: Format | None = None) -> Exception:
        """The server's error list (in `fmt`): 400 -> `ValidationError` (its description as
        `vendor_message`), 401/403 -> `AuthError`, the rest by status."""
        try:
            errors = wire.decode_errors(wire.read_body(response.content, fmt or self.format))
        except wire.DECODE_ERRORS:
            errors = []
        code = errors[0][0] if errors else None
        description = "; ".join(d for _, d in errors) or None
        text = f"Open311 refused {operation}: {description or f'HTTP {response.status_code}'}"
        fields: dict[str, Any] = {"vendor_code": code, "vendor_message": description}
        status = response.status_code
        if status == 400:
            return ValidationError(text, **fields, **self._context(response, operation))
        if status in (401, 403):
            return AuthError(text, **fields, **self._context(response, operation))
        return self._status_error(response, operation, text, **fields)
