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

from connectors.core.deprecation import moved
from connectors.core.errors import OutcomeUnknown, ProviderError
from connectors.core.retry import Idempotency
from connectors.core.soap import SoapClient, wsdl_path
from connectors.core.transport import ResponseEvent
from connectors.sms.compose import Composed
from connectors.sms.errors import SmsErrorCode
from connectors.sms.sender import MALFORMED, Accepted, SmsClient, SmsSettings
from connectors.sms.viettel import wire

__all__ = ["ViettelSms", "ViettelSmsSettings"]

__getattr__ = moved(__name__, {"ViettelSettings": "connectors.sms.viettel:ViettelSmsSettings"})


class ViettelSmsSettings(SmsSettings):
    """`CONNECTORS_VIETTEL_BASE_URL`, `..._USER`, `..._PASSWORD`, `..._CP_CODE`, `..._BRANDNAME`."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_VIETTEL_")

    user: str
    password: SecretStr
    cp_code: str


class ViettelSms(SmsClient[ViettelSmsSettings, wire.WireProfile]):
    """The Viettel wsCpMt adapter; implements `connectors.sms.SmsSender`. Thread-safe.

    Construction: `ViettelSms(base_url=..., user=..., password=..., cp_code=...,
    templates=...)`, `from_settings` or `from_env`.
    """

    vendor = wire.VENDOR
    settings_class = ViettelSmsSettings
    default_profile = wire.DEFAULT_PROFILE

    def __init__(self, settings: ViettelSmsSettings | None = None, /, **options: Any) -> None:
        super().__init__(settings, **options)
        self._last = threading.local()
        self.transport.on_response.append(self._remember_status)
        self.soap = SoapClient(
            wsdl_path("connectors.sms.viettel", "wsdl/bulkapi.wsdl"),
            self.transport,
            endpoint=self.settings.base_url + self.profile.path,
        )

    def request_id(self, key: str) -> str:
        """The numeric RequestID sent for idempotency key `key`."""
        return wire.request_id_for(key, self.profile.request_id_digits)

    def _submit(self, composed: Composed, key: str) -> Accepted:
        request_id = self.request_id(key)
        call = wire.MtCall(
            user=self.settings.user,
            password=self.settings.password.get_secret_value(),
            cp_code=self.settings.cp_code,
            request_id=request_id,
            receiver=composed.recipient.international,
            brandname=composed.brandname,
            command_code=self.profile.command_code,
            content=composed.text,
            unicode=composed.encoding == "UCS-2",
        )
        try:
            reply = self.soap.call(
                wire.OPERATION,
                idempotency=Idempotency.KEYED_WRITE,
                idempotency_key=key,
                **wire.call_fields(call),
            )
        except ProviderError as exc:
            raise self._translate(exc, key) from None
        result, message = wire.read_reply(reply)
        answer = Accepted(request_id, str(result), message)
        if result == 1:
            return answer
        return self._settle(
            self.profile.code_for(message), answer, wire.OPERATION, request_id=request_id
        )

    def _remember_status(self, event: ResponseEvent) -> None:
        self._last.status = event.status

    def _translate(self, exc: ProviderError, key: str) -> Exception:
        status: int | None = getattr(self._last, "status", None)
        if exc.code == MALFORMED and status in (401, 403, 429):
            # zeep reports a non-SOAP error answer as unreadable; the status says more.
            code = SmsErrorCode.RATE_LIMITED if status == 429 else SmsErrorCode.AUTH
            return self._refused(
                code,
                f"Viettel answered {wire.OPERATION} with HTTP {status}",
                wire.OPERATION,
                http_status=status,
            )
        if exc.code == MALFORMED:
            return OutcomeUnknown(
                f"Viettel answered {wire.OPERATION} with an unreadable body; "
                + self.vendor.reconcile,
                idempotency_key=key,
                provider=self.name,
                operation=wire.OPERATION,
                body_excerpt=exc.body_excerpt,
            )
        if exc.vendor_message is not None:  # a SOAP fault
            code = self.profile.code_for(exc.vendor_message)
            # A known refusal is the gateway's explicit "no". Any other fault is a server
            # failing, perhaps after it took the message: no vendor code, so no failover.
            known = code is not SmsErrorCode.UNKNOWN
            return self._refused(
                code if known else SmsErrorCode.TEMPORARY,
                exc.message,
                wire.OPERATION,
                http_status=exc.http_status,
                vendor_code=(exc.vendor_code or "fault") if known else None,
                vendor_message=exc.vendor_message,
            )
        return exc
