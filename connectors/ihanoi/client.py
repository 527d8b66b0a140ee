"""The base of every feedback provider's client: settings declared once, answers read once.

A provider's client (`connectors.ihanoi.contract.IhanoiFeedback`, the modelled iHanoi
contract; `connectors.ihanoi.open311.Open311Feedback`, GeoReport v2) subclasses
`FeedbackClient` (on `connectors.core.client.ProviderClient`: keywords + `from_settings` +
`from_env`, `.name`) and reads every answer through it: a 2xx answer is decoded by the
provider's `wire.py` (an answer it cannot decode is `ProviderUnavailable`, or, for a write
that may have happened, `OutcomeUnknown` with its key), any other status is the provider's
refusal (`_refusal`). Every error carries the HTTP status, the request id and a redacted
excerpt of the body.

Options every client takes: `profile` (the provider's `wire.WireProfile`), `transport` (a
caller's, made to mask the client's secrets too), or `timeouts`/`retry`/`session` for a
transport of its own. The old positional form (`IHanoiClient(base_url, token)`) still
works for one release, with a `DeprecationWarning`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar, Generic, NoReturn, TypeVar

import requests

from connectors.core.client import ProviderClient
from connectors.core.config import ProviderSettings
from connectors.core.deprecation import moved, warn_deprecated
from connectors.core.errors import OutcomeUnknown, ProviderError, ProviderUnavailable
from connectors.core.http_errors import error_for_status, request_id_of
from connectors.core.retry import RetryPolicy
from connectors.core.transport import Timeouts, Transport

__all__ = ["DECODE_ERRORS", "LIST_ANSWER_LIMIT", "FeedbackClient"]

__getattr__ = moved(__name__, {"IHanoiClient": "connectors.ihanoi.contract:IhanoiFeedback"})

LIST_ANSWER_LIMIT = 16 * 1024 * 1024
"""The largest list answer read (bytes): a page of feedback, Open311's service or request
lists (about 1,000 items of a few KiB); past it, `ResponseTooLarge` (ask for less)."""

DECODE_ERRORS: tuple[type[Exception], ...] = (ValueError, KeyError, TypeError)
"""What a `wire.py` decoder raises on an answer it cannot read."""

S = TypeVar("S", bound=ProviderSettings)
P = TypeVar("P")
T = TypeVar("T")


class FeedbackClient(ProviderClient[S], Generic[S, P], ABC):
    """Base of the feedback clients (see the module docstring). Thread-safe.

    A caller's `session` is used as it is: `Timeouts.total` then holds inside an attempt
    only if the session mounts a `connectors.core.deadline.DeadlineAdapter` (the one the
    client makes by default does).
    """

    title: ClassVar[str] = "the feedback provider"
    """How errors name the provider ("iHanoi", "Open311")."""
    default_profile: ClassVar[Any] = None
    """The provider's `wire.DEFAULT_PROFILE`."""
    positional_fields: ClassVar[tuple[str, ...]] = ("base_url",)
    """The settings fields the old positional form gave, in order."""

    def __init__(
        self,
        settings: S | str | None = None,
        /,
        *positional: Any,
        profile: P | None = None,
        transport: Transport | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        **fields: Any,
    ) -> None:
        if isinstance(settings, str):  # the old form: FeedbackClient(base_url, ...)
            fields = {**self._positional(settings, positional), **fields}
            settings = None
        elif positional:
            raise TypeError(f"{type(self).__name__} takes one settings object positionally")
        if transport is None and any(o is not None for o in (timeouts, retry, session)):
            transport = Transport(self.name, timeouts=timeouts, retry=retry, session=session)
        super().__init__(settings, transport=transport, **fields)
        self.profile: P = self.default_profile if profile is None else profile

    def _positional(self, first: str, rest: tuple[Any, ...]) -> dict[str, Any]:
        names = self.positional_fields
        if len(rest) >= len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} positional values")
        cls = type(self).__name__
        warn_deprecated(
            f"{cls}({', '.join(names)}) (values by position)",
            f"{cls}({', '.join(f'{n}=...' for n in names)})",
            stacklevel=4,
        )
        return dict(zip(names, (first, *rest), strict=False))

    @property
    def base_url(self) -> str:
        """The endpoint (the settings' `base_url`)."""
        return str(self.settings.base_url)

    # -- reading answers -----------------------------------------------------------------

    @abstractmethod
    def _refusal(self, response: requests.Response, operation: str) -> Exception:
        """The error of a non-2xx answer (the provider's error format)."""

    def _decoded(
        self,
        response: requests.Response,
        operation: str,
        decode: Callable[[requests.Response], T],
        *,
        key: str | None = None,
    ) -> T:
        """`decode(response)` of a 2xx answer, else the provider's refusal. An answer
        `decode` cannot read is `ProviderUnavailable`, or `OutcomeUnknown` carrying `key`
        for a keyed write (it may have happened: repeat it with the same key)."""
        if not 200 <= response.status_code < 300:
            self._fail(response, operation)
        try:
            return decode(response)
        except DECODE_ERRORS:
            if key is None:
                raise ProviderUnavailable(
                    f"{operation}: the {self.title} answer could not be read",
                    **self._context(response, operation),
                ) from None
            raise OutcomeUnknown(
                f"{operation}: the {self.title} answer could not be read, so it may or may "
                "not have been applied; repeat it with the same key to reconcile",
                idempotency_key=key,
                **self._context(response, operation),
            ) from None

    def _fail(self, response: requests.Response, operation: str) -> NoReturn:
        raise self._refusal(response, operation)

    def _status_error(
        self, response: requests.Response, operation: str, text: str, **vendor: Any
    ) -> ProviderError:
        """The error an HTTP error status stands for (`error_for_status`), saying `text`
        and keeping the provider's `vendor_code` and `vendor_message`."""
        context = {"provider": self.name, "operation": operation, **vendor}
        return error_for_status(response, redactor=self.transport.redactor, message=text, **context)

    def _context(self, response: requests.Response, operation: str) -> dict[str, Any]:
        """What every error about `response` carries."""
        return {
            "provider": self.name,
            "operation": operation,
            "http_status": response.status_code,
            "request_id": request_id_of(response.headers),
            "body_excerpt": self.transport.redactor.excerpt(
                response.content, response.headers.get("Content-Type")
            ),
        }
