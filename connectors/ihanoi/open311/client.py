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
from typing import Any, NoReturn, TypeVar

from pydantic import SecretStr
from requests import Response, Session

from connectors.core.errors import (
    AuthError,
    ConnectorError,
    NotFound,
    ProviderUnavailable,
    ValidationError,
)
from connectors.core.http_errors import error_for_status, request_id_of
from connectors.core.redaction import Redactor
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.ihanoi.base import check_aware
from connectors.ihanoi.open311 import wire
from connectors.ihanoi.open311.models import (
    NewServiceRequest,
    RequestReceipt,
    Service,
    ServiceDefinition,
    ServiceRequest,
)
from connectors.ihanoi.open311.wire import Format, Open311Profile
from connectors.ihanoi.settings import Open311Settings
from connectors.ihanoi.status import Open311Status

__all__ = ["LIST_ANSWER_LIMIT", "MAX_SPAN", "Open311Client"]

MAX_SPAN = timedelta(days=90)
"""The widest start_date..end_date window the standard allows."""

LIST_ANSWER_LIMIT = 16 * 1024 * 1024
"""The largest list answer read (bytes): servers return up to about 1,000 requests of a
few KiB each; past it, `ResponseTooLarge` (narrow the filters)."""

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


class Open311Client:
    """A GeoReport v2 endpoint: `base_url` is everything before `/services.json`.

    `api_key` is required by servers for posting; `jurisdiction_id` only when the endpoint
    serves several jurisdictions. Thread-safe.

    A caller's `session` is used as it is: `Timeouts.total` then holds inside an attempt
    only if the session mounts a `connectors.core.deadline.DeadlineAdapter` (the one the
    client makes by default does).
    """

    provider = "open311"

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | SecretStr | None = None,
        jurisdiction_id: str | None = None,
        format: Format = "json",
        profile: Open311Profile | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        session: Session | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValidationError("base_url: must start with http:// or https://", field="base_url")
        self.base_url = base_url.rstrip("/")
        self.format = _check_format(format)
        self.jurisdiction_id = jurisdiction_id
        self.profile = profile or Open311Profile()
        self._api_key = (
            None
            if api_key is None
            else api_key
            if isinstance(api_key, SecretStr)
            else SecretStr(api_key)
        )
        secrets = [] if self._api_key is None else [self._api_key]
        self.transport = Transport(
            self.provider,
            timeouts=timeouts,
            retry=retry,
            redactor=Redactor(secret_fields=[self.profile.api_key_param], secret_values=secrets),
            session=session,
        )

    @classmethod
    def from_settings(
        cls, settings: Open311Settings, *, profile: Open311Profile | None = None
    ) -> Open311Client:
        """A client from `Open311Settings` (environment `CONNECTORS_OPEN311_...`)."""
        return cls(
            settings.base_url,
            api_key=settings.api_key,
            jurisdiction_id=settings.jurisdiction_id,
            format=settings.format,
            profile=profile,
            timeouts=settings.http.timeouts(),
            retry=settings.http.retry_policy(),
        )

    def __repr__(self) -> str:
        return f"Open311Client(base_url={self.base_url!r}, format={self.format!r}, api_key=***)"

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Open311Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        if self._api_key is None:
            raise ValidationError("api_key: posting a request needs an API key", field="api_key")
        fmt = _check_format(format or self.format)
        fields = wire.form_fields(
            request,
            self.profile,
            api_key=self._api_key.get_secret_value(),
            jurisdiction_id=self.jurisdiction_id,
        )
        operation = "post_request"
        response = self.transport.request(
            RequestSpec(
                "POST",
                f"{self.base_url}/requests.{fmt}",
                data=fields,
                headers={"Accept": _accept(fmt)},
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
        params: list[tuple[str, str]] = []
        if ids:
            params.append(("service_request_id", ",".join(_check_segment("ids", i) for i in ids)))
        if service_code is not None:
            params.append(("service_code", _check_segment("service_code", service_code)))
        for name, value in (("start_date", start), ("end_date", end)):
            if value is not None:
                check_aware(name, value)
                params.append((name, value.isoformat()))
        if start is not None and end is not None:
            if end < start:
                raise ValidationError("end_date: is before start_date", field="end_date")
            if end - start > MAX_SPAN:
                raise ValidationError("end_date: the window is over 90 days", field="end_date")
        if status is not None:
            if not isinstance(status, Open311Status):
                raise ValidationError("status: must be an Open311Status", field="status")
            params.append(("status", status.value))
        return self._get(
            "requests", "/requests", params, format, wire.decode_requests, LIST_ANSWER_LIMIT
        )

    def request(self, service_request_id: str, *, format: Format | None = None) -> ServiceRequest:
        """`GET /requests/{id}`: one request; `NotFound` if unknown."""
        value = _check_segment("service_request_id", service_request_id)
        found = self._get("request", f"/requests/{value}", [], format, wire.decode_requests)
        if not found:
            raise NotFound(
                f"request {value} not found", provider=self.provider, operation="request"
            )
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
                f"{self.base_url}{path}.{fmt}",
                params=params,
                headers={"Accept": _accept(fmt)},
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
            self._raise(response, operation, fmt)
        try:
            return decode(_body(response, fmt))
        except (*wire.DECODE_ERRORS, ValidationError):
            raise ProviderUnavailable(
                f"{operation}: the Open311 answer could not be read",
                **self._context(response, operation),
            ) from None

    def _context(self, response: Response, operation: str) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "operation": operation,
            "http_status": response.status_code,
            "request_id": request_id_of(response.headers),
            "body_excerpt": self.transport.redactor.excerpt(
                response.content, response.headers.get("Content-Type")
            ),
        }

    def _raise(self, response: Response, operation: str, fmt: Format) -> NoReturn:
        try:
            errors = wire.decode_errors(_body(response, fmt))
        except (*wire.DECODE_ERRORS, ValidationError):
            errors = []
        code = errors[0][0] if errors else None
        description = "; ".join(d for _, d in errors) or None
        text = f"Open311 refused {operation}: {description or f'HTTP {response.status_code}'}"
        fields: dict[str, Any] = {"vendor_code": code, "vendor_message": description}
        status = response.status_code
        error: ConnectorError
        if status == 400:
            error = ValidationError(text, **fields, **self._context(response, operation))
        elif status in (401, 403):
            error = AuthError(text, **fields, **self._context(response, operation))
        else:
            error = error_for_status(
                response,
                provider=self.provider,
                operation=operation,
                redactor=self.transport.redactor,
                message=text,
                vendor_code=code,
                vendor_message=description,
            )
        raise error


def _accept(fmt: Format) -> str:
    return "application/json" if fmt == "json" else "text/xml"


def _body(response: Response, fmt: Format) -> Any:
    if fmt == "json":
        return response.json()
    return wire.from_xml(response.content)
