"""MobiFone SMS Brandname through the session-based smsg HTTP interface (spec section 2a).

Fidelity: derived from integrators' public code (no official public spec); error texts are
guessed (see `connectors.sms.mobifone.wire`).

The client logs in once (`login.jsp` -> `sid`), keeps the session for `session_ttl`
seconds and sends with it. When the gateway says the session is gone (HTTP 401
`SessionExpired`/`SidNotPassed`, or `NotLoggedIn`), the message was *not* accepted, so the
client logs in again and sends once more; the logins and sends of one message share its
`Timeouts.total`. smsg has no request id: a send is a write the gateway cannot
de-duplicate, so it is retried only when it certainly never left, anything else after it
left (timeout, reset, truncated or oversize answer, 5xx) raises `OutcomeUnknown`, and
repeats of an accepted idempotency key are answered from the client's journal.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

import requests
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings
from connectors.core.errors import (
    AuthError,
    OutcomeUnknown,
    ProviderError,
    ReadTimeout,
    TransportError,
)
from connectors.core.http_errors import error_for_status
from connectors.core.ratelimit import TokenBucket
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.sms.compose import Composed
from connectors.sms.errors import SmsErrorCode, sms_error
from connectors.sms.journal import SentJournal
from connectors.sms.mobifone.wire import WIRE, WireProfile, parse_login, parse_send
from connectors.sms.sender import Accepted, SmsClient, client_transport
from connectors.sms.templates import BrandnameSetting, TemplateRegistry

__all__ = ["MobifoneSettings", "MobifoneSms"]

PROVIDER = "mobifone"


class MobifoneSettings(ProviderSettings):
    """`CONNECTORS_MOBIFONE_BASE_URL`, `..._USERNAME`, `..._PASSWORD`, `..._BRANDNAME`."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_MOBIFONE_")

    username: str
    password: SecretStr
    brandname: BrandnameSetting | None = None


class MobifoneSms(SmsClient):
    """The MobiFone smsg adapter; implements `connectors.sms.SmsSender`. Thread-safe."""

    provider = PROVIDER

    def __init__(
        self,
        *,
        base_url: str,
        username: str,
        password: SecretStr | str,
        templates: TemplateRegistry,
        brandname: str | None = None,
        profile: WireProfile = WIRE,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: TokenBucket | float | None = None,
        journal: SentJournal | None = None,
        transport: Transport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            templates=templates,
            brandname=brandname,
            limits=profile.limits,
            rate_limit=rate_limit,
            default_rate=profile.default_rate,
            journal=journal,
        )
        secret = password if isinstance(password, SecretStr) else SecretStr(password)
        self.base_url = base_url.rstrip("/")
        self.username = username
        self._password = secret
        self.profile = profile
        self.transport = client_transport(
            PROVIDER, transport, timeouts=timeouts, retry=retry, fields=["sid"], values=[secret]
        )
        self._clock = clock
        self._session_lock = threading.Lock()
        self._sid: str | None = None
        self._sid_at = 0.0

    @classmethod
    def from_settings(
        cls, settings: MobifoneSettings, templates: TemplateRegistry, **options: object
    ) -> MobifoneSms:
        """Build from `MobifoneSettings` (environment or config file)."""
        return cls(
            base_url=settings.base_url,
            username=settings.username,
            password=settings.password,
            brandname=settings.brandname,
            templates=templates,
            timeouts=settings.http.timeouts(),
            retry=settings.http.retry_policy(),
            **options,  # type: ignore[arg-type]
        )

    def close(self) -> None:
        self.transport.close()

    # -- session -------------------------------------------------------------------------

    def _session(self, deadline: _Deadline) -> str:
        with self._session_lock:
            age = self._clock() - self._sid_at
            if self._sid is not None and age < self.profile.session_ttl:
                return self._sid
            self._sid = self._login(deadline)
            self._sid_at = self._clock()
            return self._sid

    def _drop_session(self, sid: str) -> None:
        with self._session_lock:
            if self._sid == sid:
                self._sid = None

    def _login(self, deadline: _Deadline) -> str:
        fields = {
            "userName": self.username,
            "password": self._password.get_secret_value(),
            "bindMode": self.profile.bind_mode,
        }
        try:
            response = self.transport.request(
                self._spec(self.profile.login_path, fields),
                operation="login",
                idempotency=Idempotency.READ,
                timeouts=deadline.left("login"),
            )
        except TransportError as exc:
            # The login failed, so the message certainly never left: say so (`sent=False`),
            # which lets a router fail over to another provider.
            failure = type(exc)(
                f"MobiFone login failed, nothing was sent: {exc.message}",
                sent=False,
                retryable=exc.retryable,
                provider=PROVIDER,
                operation="login",
            )
            raise failure from None
        if response.status_code >= 400:
            raise self._http_error(response, "login")
        try:
            reply = parse_login(response.content)
        except (ValueError, KeyError):
            raise self._malformed(response, "login") from None
        if reply.status != self.profile.ok_status or not reply.sid:
            text = reply.message or "login refused"
            code = self.profile.code_for(text)
            raise sms_error(
                code if code is not SmsErrorCode.UNKNOWN else SmsErrorCode.AUTH,
                f"MobiFone refused the login: {text}",
                provider=PROVIDER,
                operation="login",
                vendor_code=reply.status,
                vendor_message=text,
            )
        return reply.sid

    # -- send ----------------------------------------------------------------------------

    def _submit(self, composed: Composed, key: str) -> Accepted:
        deadline = _Deadline(self.transport.timeouts)  # login and send share one deadline
        for attempt in (1, 2):
            sid = self._session(deadline)
            response = self._send_once(composed, sid, key, deadline)
            body = response.content.decode("utf-8", errors="replace")
            if self._session_gone(response, body):
                self._drop_session(sid)
                if attempt == 1:
                    continue  # not accepted: log in again and send once more
                raise AuthError(
                    "MobiFone refused a fresh session",
                    provider=PROVIDER,
                    operation="send",
                    http_status=response.status_code,
                    vendor_message=body[:100],
                )
            return self._accepted(response, key)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_once(
        self, composed: Composed, sid: str, key: str, deadline: _Deadline
    ) -> requests.Response:
        fields = {
            "sid": sid,
            "sender": composed.brandname,
            "recipient": composed.recipient.international,
            "content": composed.text,
        }
        path = self.profile.send_path
        if composed.encoding == "UCS-2":
            path = self.profile.send_unicode_path
            fields["enCoding"] = self.profile.unicode_encoding
        return self.transport.request(
            self._spec(path, fields),
            operation="send",
            idempotency=Idempotency.UNKEYED_WRITE,
            idempotency_key=key,  # not sent: only carried by OutcomeUnknown
            timeouts=deadline.left("send"),
        )

    def _session_gone(self, response: requests.Response, body: str) -> bool:
        if response.status_code == 401 and self.profile.is_session_error(body):
            return True
        return response.status_code == 200 and "NotLoggedIn" in body

    def _accepted(self, response: requests.Response, key: str) -> Accepted:
        if response.status_code >= 500:
            raise OutcomeUnknown(
                f"MobiFone answered HTTP {response.status_code} to a send it cannot "
                "de-duplicate; reconcile before sending again",
                idempotency_key=key,
                provider=PROVIDER,
                operation="send",
                http_status=response.status_code,
            )
        if response.status_code >= 400:
            raise self._http_error(response, "send")
        try:
            reply = parse_send(response.content)
        except (ValueError, KeyError):
            raise OutcomeUnknown(
                "MobiFone answered the send with an unreadable body; reconcile before "
                "sending again",
                idempotency_key=key,
                provider=PROVIDER,
                operation="send",
                http_status=response.status_code,
                body_excerpt=self.transport.redactor.excerpt(response.content),
            ) from None
        if reply.status == self.profile.ok_status:
            return Accepted(vendor_code=reply.status, vendor_message=reply.message)
        code = self.profile.code_for(reply.message)
        raise sms_error(
            code,
            f"MobiFone refused the message: {reply.message}",
            provider=PROVIDER,
            operation="send",
            vendor_code=reply.status,
            vendor_message=reply.message,
        )

    # -- helpers -------------------------------------------------------------------------

    def _spec(self, path: str, fields: dict[str, str]) -> RequestSpec:
        url = self.base_url + path
        if self.profile.method.upper() == "GET":
            return RequestSpec("GET", url, params=fields)
        return RequestSpec("POST", url, data=fields)

    def _http_error(self, response: requests.Response, operation: str) -> ProviderError:
        return error_for_status(
            response, provider=PROVIDER, operation=operation, redactor=self.transport.redactor
        )

    def _malformed(self, response: requests.Response, operation: str) -> ProviderError:
        return ProviderError(
            f"MobiFone answered {operation} with an unreadable body",
            code="malformed_response",
            provider=PROVIDER,
            operation=operation,
            http_status=response.status_code,
            body_excerpt=self.transport.redactor.excerpt(
                response.content, response.headers.get("Content-Type")
            ),
        )


class _Deadline:
    """One send's total deadline, shared by its login, send and re-login requests.

    Each request gets what is left of `Timeouts.total`, so a slow login followed by a
    trickling send cannot hold a call past the deadline.
    """

    def __init__(self, timeouts: Timeouts) -> None:
        self.timeouts = timeouts
        self._started = time.monotonic()

    def left(self, operation: str) -> Timeouts:
        """The timeouts for the next request; `ReadTimeout` (nothing sent) if none is left."""
        remaining = self.timeouts.total - (time.monotonic() - self._started)
        if remaining <= 0:
            raise ReadTimeout(
                f"MobiFone {operation}: the {self.timeouts.total:g}s deadline passed before "
                "it was sent; nothing was sent",
                sent=False,
                provider=PROVIDER,
                operation=operation,
            )
        return dataclasses.replace(self.timeouts, total=remaining)
