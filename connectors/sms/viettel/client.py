"""Viettel SMS Brandname through the BulkSMS SOAP web service `wsCpMt` (spec section 1).

Fidelity: derived from Viettel's public integration page and integrators' code; the WSDL is
written from those facts and shipped in `wsdl/bulkapi.wsdl` (nothing is fetched).

Every call carries the credentials (no session). The idempotency key becomes a numeric
`RequestID` (`wire.request_id_for`) reused on every attempt, so the transport retries a
send after a timeout or a 502/503/504; a retry the gateway recognises as a duplicate
(`Check ServiceID: DUPLICATE MESSAGE`) counts as accepted.
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings
from connectors.core.errors import OutcomeUnknown, ProviderError
from connectors.core.ratelimit import TokenBucket
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.soap import SoapClient, wsdl_path
from connectors.core.transport import ResponseEvent, Timeouts, Transport
from connectors.sms.compose import Composed
from connectors.sms.errors import SmsErrorCode, sms_error
from connectors.sms.journal import SentJournal
from connectors.sms.sender import Accepted, SmsClient, client_transport
from connectors.sms.templates import BrandnameSetting, TemplateRegistry
from connectors.sms.viettel.wire import OK_MESSAGE, WIRE, WireProfile, request_id_for

__all__ = ["ViettelSettings", "ViettelSms"]

PROVIDER = "viettel"


class ViettelSettings(ProviderSettings):
    """`CONNECTORS_VIETTEL_BASE_URL`, `..._USER`, `..._PASSWORD`, `..._CP_CODE`, `..._BRANDNAME`."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_VIETTEL_")

    user: str
    password: SecretStr
    cp_code: str
    brandname: BrandnameSetting | None = None


class ViettelSms(SmsClient):
    """The Viettel wsCpMt adapter; implements `connectors.sms.SmsSender`. Thread-safe."""

    provider = PROVIDER

    def __init__(
        self,
        *,
        base_url: str,
        user: str,
        password: SecretStr | str,
        cp_code: str,
        templates: TemplateRegistry,
        brandname: str | None = None,
        profile: WireProfile = WIRE,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        rate_limit: TokenBucket | float | None = None,
        journal: SentJournal | None = None,
        transport: Transport | None = None,
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
        self.user = user
        self.cp_code = cp_code
        self._password = secret
        self.profile = profile
        self.transport = client_transport(
            PROVIDER,
            transport,
            timeouts=timeouts,
            retry=retry,
            fields=["Password"],
            values=[secret],
        )
        self._last = threading.local()
        self.transport.on_response.append(self._remember_status)
        self.soap = SoapClient(
            wsdl_path("connectors.sms.viettel", "wsdl/bulkapi.wsdl"),
            self.transport,
            endpoint=base_url.rstrip("/") + profile.path,
        )

    @classmethod
    def from_settings(
        cls, settings: ViettelSettings, templates: TemplateRegistry, **options: Any
    ) -> ViettelSms:
        """Build from `ViettelSettings` (environment or config file)."""
        return cls(
            base_url=settings.base_url,
            user=settings.user,
            password=settings.password,
            cp_code=settings.cp_code,
            brandname=settings.brandname,
            templates=templates,
            timeouts=settings.http.timeouts(),
            retry=settings.http.retry_policy(),
            **options,
        )

    def close(self) -> None:
        self.transport.close()

    def request_id(self, key: str) -> str:
        """The numeric RequestID sent for idempotency key `key`."""
        return request_id_for(key, self.profile.request_id_digits)

    def _submit(self, composed: Composed, key: str) -> Accepted:
        request_id = self.request_id(key)
        receiver = composed.recipient.international
        try:
            reply = self.soap.call(
                "wsCpMt",
                idempotency=Idempotency.KEYED_WRITE,
                idempotency_key=key,
                User=self.user,
                Password=self._password.get_secret_value(),
                CPCode=self.cp_code,
                RequestID=request_id,
                UserID=receiver,
                ReceiverID=receiver,
                ServiceID=composed.brandname,
                CommandCode=self.profile.command_code,
                Content=composed.text,
                ContentType="1" if composed.encoding == "UCS-2" else "0",
            )
        except ProviderError as exc:
            raise self._translate(exc, key) from None
        message = str(getattr(reply, "message", "") or "")
        result = getattr(reply, "result", None)
        if result == 1:
            return Accepted(provider_message_id=request_id, vendor_code="1", vendor_message=message)
        code = self.profile.code_for(message)
        if code is SmsErrorCode.DUPLICATE:
            return Accepted(
                provider_message_id=request_id,
                vendor_code=str(result),
                vendor_message=message,
                duplicate=True,
            )
        raise sms_error(
            code,
            f"Viettel refused the message: {message or OK_MESSAGE + ' missing'}",
            provider=PROVIDER,
            operation="wsCpMt",
            vendor_code=str(result),
            vendor_message=message,
            request_id=request_id,
        )

    def _remember_status(self, event: ResponseEvent) -> None:
        self._last.status = event.status

    def _translate(self, exc: ProviderError, key: str) -> Exception:
        status: int | None = getattr(self._last, "status", None)
        if exc.code == "malformed_response" and status in (401, 403, 429):
            # zeep reports a non-SOAP error answer as unreadable; the status says more.
            code = SmsErrorCode.RATE_LIMITED if status == 429 else SmsErrorCode.AUTH
            return sms_error(
                code,
                f"Viettel answered wsCpMt with HTTP {status}",
                provider=PROVIDER,
                operation="wsCpMt",
                http_status=status,
            )
        if exc.code == "malformed_response":
            return OutcomeUnknown(
                "Viettel answered wsCpMt with an unreadable body; send again with the same "
                "key to reconcile",
                idempotency_key=key,
                provider=PROVIDER,
                operation="wsCpMt",
                body_excerpt=exc.body_excerpt,
            )
        if exc.vendor_message is not None:  # a SOAP fault
            code = self.profile.code_for(exc.vendor_message)
            # A known refusal is the gateway's explicit "no". Any other fault is a server
            # failing, perhaps after it took the message: no vendor code, so no failover.
            known = code is not SmsErrorCode.UNKNOWN
            return sms_error(
                code if known else SmsErrorCode.TEMPORARY,
                exc.message,
                provider=PROVIDER,
                operation="wsCpMt",
                http_status=exc.http_status,
                vendor_code=(exc.vendor_code or "fault") if known else None,
                vendor_message=exc.vendor_message,
            )
        return exc
