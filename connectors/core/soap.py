"""SOAP clients built with zeep from WSDL files shipped inside the package.

Nothing is fetched at run time: `load` refuses any URL that is not a file under the
package's WSDL folder. Every call goes through our `Transport` (timeouts, retries by
idempotency, redaction), so zeep's own HTTP code and its envelope logging never run.

    soap = SoapClient(wsdl_path("connectors.sms.viettel", "bulkapi.wsdl"), transport,
                      endpoint="https://example.vn/bulkapi")
    result = soap.call("wsCpMt", idempotency=Idempotency.KEYED_WRITE, idempotency_key=rid, ...)
"""

from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
import zeep
import zeep.exceptions
import zeep.transports
from zeep.exceptions import Error as ZeepError

from connectors.core.errors import ConfigError, ProviderError, ValidationError
from connectors.core.http_errors import error_for_status_code
from connectors.core.retry import Idempotency
from connectors.core.transport import RequestSpec, Transport

__all__ = ["SoapClient", "wsdl_path"]

# zeep logs whole envelopes (credentials included) at DEBUG; we never let it.
for _name in ("zeep.transports", "zeep.wsdl.bindings.soap"):
    logging.getLogger(_name).setLevel(logging.WARNING)


def wsdl_path(package: str, filename: str) -> Path:
    """The path of a WSDL shipped in `package` (installed unzipped, as wheels are)."""
    path = Path(str(resources.files(package).joinpath(filename)))
    if not path.is_file():
        raise ConfigError(f"WSDL {filename!r} is not shipped in {package}", field="wsdl")
    return path


@dataclass(frozen=True)
class _Call:
    operation: str
    idempotency: Idempotency
    idempotency_key: str | None
    max_response_bytes: int | None = None


_current: contextvars.ContextVar[_Call] = contextvars.ContextVar("connectors_soap_call")


class _ZeepTransport(zeep.transports.Transport):
    """Hands zeep's POSTs to our Transport; loads documents only from `root`."""

    def __init__(self, transport: Transport, root: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._transport = transport
        self._root = root.resolve()

    def load(self, url: str) -> bytes:
        parsed = urlparse(url)
        if parsed.scheme not in ("", "file"):
            raise ConfigError(
                f"refusing to fetch {url!r}: WSDL and schemas must be shipped in the package",
                field="wsdl",
            )
        path = Path(parsed.path if parsed.scheme == "file" else url).resolve()
        if not path.is_relative_to(self._root):
            raise ConfigError(f"refusing to read {path}: outside {self._root}", field="wsdl")
        return path.read_bytes()

    def get(self, address: str, params: Any, headers: Any) -> requests.Response:
        raise ConfigError(f"refusing HTTP GET of {address!r} during SOAP", field="wsdl")

    def post(
        self, address: str, message: bytes | str, headers: dict[str, str]
    ) -> requests.Response:
        call = _current.get()
        return self._transport.request(
            RequestSpec("POST", address, headers=headers, content=message),
            operation=call.operation,
            idempotency=call.idempotency,
            idempotency_key=call.idempotency_key,
            max_response_bytes=call.max_response_bytes,
        )


class SoapClient:
    """A zeep client over a shipped WSDL, sending through `transport`.

    `endpoint` overrides the service address in the WSDL (sandbox, production, simulator).
    SOAP faults become `ProviderError` with the fault code and string as vendor code and
    message.
    """

    def __init__(
        self,
        wsdl: Path,
        transport: Transport,
        *,
        endpoint: str | None = None,
        binding: str | None = None,
    ) -> None:
        self.transport = transport
        settings = zeep.Settings(
            strict=True,
            xml_huge_tree=False,
            forbid_dtd=True,
            forbid_entities=True,
            forbid_external=True,
        )
        try:
            self._zeep = zeep.Client(  # type: ignore[no-untyped-call]
                str(wsdl), transport=_ZeepTransport(transport, wsdl.parent), settings=settings
            )
        except zeep.exceptions.ExternalReferenceForbidden as exc:
            raise ConfigError(
                f"refusing to fetch {exc.url!r}: WSDL and schemas must be shipped in the package",
                field="wsdl",
            ) from None
        if endpoint is not None:
            if binding is None:
                service = next(iter(self._zeep.wsdl.services.values()))
                port = next(iter(service.ports.values()))
                binding = port.binding.name.text
            self._service = self._zeep.create_service(binding, endpoint)  # type: ignore[no-untyped-call]
        else:
            self._service = self._zeep.service

    @property
    def zeep(self) -> zeep.Client:
        """The underlying zeep client (for type factories)."""
        return self._zeep

    def call(
        self,
        operation: str,
        *,
        idempotency: Idempotency,
        idempotency_key: str | None = None,
        max_response_bytes: int | None = None,
        **params: Any,
    ) -> Any:
        """Call `operation` with `params`; returns zeep's parsed result.

        `max_response_bytes` overrides the transport's answer size limit for this call
        (operations that return documents, e.g. a base64 PDF, need more).
        """
        call = _Call(operation, idempotency, idempotency_key, max_response_bytes)
        token = _current.set(call)
        try:
            return getattr(self._service, operation)(**params)
        except ZeepError as exc:
            error = self._translate(operation, exc)
        finally:
            _current.reset(token)
        # Raised outside the except block so the raw zeep exception (which may quote the
        # envelope, credentials included) is not attached as __context__.
        raise error

    def _translate(self, operation: str, exc: ZeepError) -> Exception:
        provider = self.transport.provider
        redact = self.transport.redactor.text
        if isinstance(exc, zeep.exceptions.Fault):
            return ProviderError(
                f"SOAP fault from {provider}: {redact(str(exc.message))}",
                provider=provider,
                operation=operation,
                vendor_code=str(exc.code) if exc.code else None,
                vendor_message=redact(str(exc.message)),
            )
        if isinstance(exc, zeep.exceptions.ValidationError):
            path = str(getattr(exc, "path", "") or "") or None
            return ValidationError(f"{operation}: {redact(str(exc.message))}", field=path)
        if isinstance(exc, zeep.exceptions.TransportError) and (exc.status_code or 0) >= 400:
            # An HTTP error status with a body that is not a SOAP fault: keep the status.
            body = exc.content.decode("utf-8", "replace") if exc.content else str(exc.message)
            return error_for_status_code(
                exc.status_code,
                body,
                provider=provider,
                operation=operation,
                redactor=self.transport.redactor,
            )
        return ProviderError(
            f"{provider} answered {operation} with an unreadable body",
            provider=provider,
            operation=operation,
            code="malformed_response",
            body_excerpt=redact(str(exc))[:500],
        )
