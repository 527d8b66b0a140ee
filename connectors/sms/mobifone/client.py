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
from typing import Any

import requests
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.deprecation import moved
from connectors.core.errors import AuthError, OutcomeUnknown, ReadTimeout, TransportError
from connectors.core.retry import Idempotency
from connectors.core.transport import Timeouts
from connectors.sms.compose import Composed
from connectors.sms.errors import SmsErrorCode
from connectors.sms.mobifone import wire
from connectors.sms.sender import Accepted, SmsClient, SmsSettings

__all__ = ["MobifoneSms", "MobifoneSmsSettings"]

__getattr__ = moved(__name__, {"MobifoneSettings": "connectors.sms.mobifone:MobifoneSmsSettings"})


class MobifoneSmsSettings(SmsSettings):
    """`CONNECTORS_MOBIFONE_BASE_URL`, `..._USERNAME`, `..._PASSWORD`, `..._BRANDNAME`."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_MOBIFONE_")

    username: str
    password: SecretStr


class MobifoneSms(SmsClient[MobifoneSmsSettings, wire.WireProfile]):
    """The MobiFone smsg adapter; implements `connectors.sms.SmsSender`. Thread-safe.

    Construction: `MobifoneSms(base_url=..., username=..., password=..., templates=...)`,
    `MobifoneSms.from_settings(settings, templates)` or `MobifoneSms.from_env(templates=...)`;
    options as `SmsClient`'s, plus `clock` (seconds, monotonic: ages the session).
    """

    vendor = wire.VENDOR
    settings_class = MobifoneSmsSettings
    default_profile = wire.DEFAULT_PROFILE

    def __init__(
        self,
        settings: MobifoneSmsSettings | None = None,
        /,
        *,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        super().__init__(settings, **options)
        self._clock = clock
        self._session_lock = threading.Lock()
        self._sid: str | None = None
        self._sid_at = 0.0

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
        fields = wire.login_form(
            self.settings.username, self.settings.password.get_secret_value(), self.profile
        )
        try:
            response = self.transport.request(
                wire.request_spec(
                    self.settings.base_url + self.profile.login_path, fields, self.profile
                ),
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
                provider=self.name,
                operation="login",
            )
            raise failure from None
        if response.status_code >= 400:
            raise self._http_error(response, "login")
        try:
            reply = wire.parse_login(response.content)
        except (ValueError, KeyError):
            raise self._malformed(response, "login") from None
        if reply.status != self.profile.ok_status or not reply.sid:
            text = reply.message or "login refused"
            code = self.profile.code_for(text)
            raise self._refused(
                code if code is not SmsErrorCode.UNKNOWN else SmsErrorCode.AUTH,
                f"MobiFone refused the login: {text}",
                "login",
                vendor_code=reply.status,
                vendor_message=text,
            )
        return reply.sid

    # -- send ----------------------------------------------------------------------------

    def _submit(self, composed: Composed, key: str) -> Accepted:
        deadline = _Deadline(self.transport.timeouts, self.name)  # login and send share it
        for attempt in (1, 2):
            sid = self._session(deadline)
            response = self._send_once(composed, sid, key, deadline)
            body = response.content.decode("utf-8", errors="replace")
            if wire.session_gone(response.status_code, body, self.profile):
                self._drop_session(sid)
                if attempt == 1:
                    continue  # not accepted: log in again and send once more
                raise AuthError(
                    "MobiFone refused a fresh session",
                    provider=self.name,
                    operation="send",
                    http_status=response.status_code,
                    vendor_message=body[:100],
                )
            return self._accepted(response, key)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send_once(
        self, composed: Composed, sid: str, key: str, deadline: _Deadline
    ) -> requests.Response:
        unicode = composed.encoding == "UCS-2"
        path, fields = wire.send_form(
            wire.SendForm(
                sid=sid,
                sender=composed.brandname,
                recipient=composed.recipient.international,
                content=composed.text,
                encoding=self.profile.unicode_encoding if unicode else None,
            ),
            self.profile,
        )
        return self.transport.request(
            wire.request_spec(self.settings.base_url + path, fields, self.profile),
            operation="send",
            idempotency=Idempotency.UNKEYED_WRITE,
            idempotency_key=key,  # not sent: only carried by OutcomeUnknown
            timeouts=deadline.left("send"),
        )

    def _accepted(self, response: requests.Response, key: str) -> Accepted:
        if response.status_code >= 500:
            raise OutcomeUnknown(
                f"MobiFone answered HTTP {response.status_code} to a send it cannot "
                "de-duplicate; reconcile before sending again",
                idempotency_key=key,
                provider=self.name,
                operation="send",
                http_status=response.status_code,
            )
        if response.status_code >= 400:
            raise self._http_error(response, "send")
        reply = self._read(response, key, "send", wire.parse_send)
        if reply.status == self.profile.ok_status:
            return Accepted(vendor_code=reply.status, vendor_message=reply.message)
        raise self._refused(
            self.profile.code_for(reply.message),
            f"MobiFone refused the message: {reply.message}",
            "send",
            vendor_code=reply.status,
            vendor_message=reply.message,
        )


class _Deadline:
    """One send's total deadline, shared by its login, send and re-login requests.

    Each request gets what is left of `Timeouts.total`, so a slow login followed by a
    trickling send cannot hold a call past the deadline.
    """

    def __init__(self, timeouts: Timeouts, provider: str = wire.VENDOR.name) -> None:
        self.timeouts = timeouts
        self.provider = provider
        self._started = time.monotonic()

    def left(self, operation: str) -> Timeouts:
        """The timeouts for the next request; `ReadTimeout` (nothing sent) if none is left."""
        remaining = self.timeouts.total - (time.monotonic() - self._started)
        if remaining <= 0:
            raise ReadTimeout(
                f"MobiFone {operation}: the {self.timeouts.total:g}s deadline passed before "
                "it was sent; nothing was sent",
                sent=False,
                provider=self.provider,
                operation=operation,
            )
        return dataclasses.replace(self.timeouts, total=remaining)
