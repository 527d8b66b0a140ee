"""eSMS.vn SMS Brandname through its REST API (spec section 4a).

Fidelity: official public documentation (eSMS developer docs); a few details guessed
(see `connectors.sms.esms.wire`).

`sandbox=True` sends with `Sandbox=1`: eSMS accepts and checks the message but neither
delivers nor charges it. The idempotency key becomes `RequestId` (at most 50 characters;
longer keys are hashed), which eSMS de-duplicates for the day (124), so a retry after a
timeout counts as accepted. `callback_url` asks eSMS to report delivery to the portal
(see `connectors.sms.esms.callback`); `delivery_status` polls for the same report.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings
from connectors.core.errors import OutcomeUnknown, ProviderError, ValidationError
from connectors.core.http_errors import error_for_status
from connectors.core.ratelimit import TokenBucket
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.sms.base import DeliveryReport
from connectors.sms.compose import Composed
from connectors.sms.errors import sms_error
from connectors.sms.esms.callback import report_from_fields
from connectors.sms.esms.wire import IN_PROGRESS, OK, WIRE, WireProfile
from connectors.sms.journal import SentJournal
from connectors.sms.keys import token_request_id
from connectors.sms.sender import Accepted, SmsClient, client_transport
from connectors.sms.templates import BrandnameSetting, TemplateRegistry

__all__ = ["EsmsSettings", "EsmsSms"]

PROVIDER = "esms"


class EsmsSettings(ProviderSettings):
    """`CONNECTORS_ESMS_BASE_URL`, `..._API_KEY`, `..._SECRET_KEY`, `..._BRANDNAME`,
    `..._SANDBOX`, `..._CALLBACK_URL`."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_ESMS_")

    api_key: SecretStr
    secret_key: SecretStr
    brandname: BrandnameSetting | None = None
    sandbox: bool = False
    callback_url: str | None = None


class EsmsSms(SmsClient):
    """The eSMS adapter; implements `connectors.sms.SmsSender`. Thread-safe."""

    provider = PROVIDER

    def __init__(
        self,
        *,
        base_url: str,
        api_key: SecretStr | str,
        secret_key: SecretStr | str,
        templates: TemplateRegistry,
        brandname: str | None = None,
        sandbox: bool = False,
        callback_url: str | None = None,
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
        if callback_url is not None and not callback_url.startswith(("http://", "https://")):
            raise ValidationError("callback_url must be an http(s) URL", field="callback_url")
        api = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        secret = secret_key if isinstance(secret_key, SecretStr) else SecretStr(secret_key)
        self.base_url = base_url.rstrip("/")
        self._api_key = api
        self._secret_key = secret
        self.sandbox = sandbox
        self.callback_url = callback_url
        self.profile = profile
        self.transport = client_transport(
            PROVIDER,
            transport,
            timeouts=timeouts,
            retry=retry,
            fields=["ApiKey", "SecretKey"],
            values=[api, secret],
        )

    @classmethod
    def from_settings(
        cls, settings: EsmsSettings, templates: TemplateRegistry, **options: Any
    ) -> EsmsSms:
        """Build from `EsmsSettings` (environment or config file)."""
        return cls(
            base_url=settings.base_url,
            api_key=settings.api_key,
            secret_key=settings.secret_key,
            brandname=settings.brandname,
            sandbox=settings.sandbox,
            callback_url=settings.callback_url,
            templates=templates,
            timeouts=settings.http.timeouts(),
            retry=settings.http.retry_policy(),
            **options,
        )

    def close(self) -> None:
        self.transport.close()

    def request_id(self, key: str) -> str:
        """The RequestId sent for idempotency key `key`."""
        return token_request_id(key, self.profile.request_id_max)

    def _submit(self, composed: Composed, key: str) -> Accepted:
        request_id = self.request_id(key)
        body: dict[str, str] = {
            "ApiKey": self._api_key.get_secret_value(),
            "SecretKey": self._secret_key.get_secret_value(),
            "Phone": composed.recipient.national,
            "Content": composed.text,
            "Brandname": composed.brandname,
            "SmsType": self.profile.sms_type,
            "IsUnicode": "1" if composed.encoding == "UCS-2" else "0",
            "Sandbox": "1" if self.sandbox else "0",
            "RequestId": request_id,
        }
        if self.callback_url:
            body["CallbackUrl"] = self.callback_url
        response = self.transport.request(
            RequestSpec("POST", self.base_url + self.profile.send_path, json=body),
            operation="send",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=key,
        )
        if response.status_code >= 400:
            raise self._http_error(response, "send")
        data = self._json(response, key)
        code = str(data.get("CodeResult", ""))
        message = str(data.get("ErrorMessage", "")) or None
        sms_id = str(data["SMSID"]) if data.get("SMSID") else None
        if code == OK:
            return Accepted(provider_message_id=sms_id, vendor_code=code)
        if code in IN_PROGRESS:
            raise OutcomeUnknown(
                "eSMS is still processing an earlier attempt; send again later with the same key",
                idempotency_key=key,
                provider=PROVIDER,
                operation="send",
                vendor_code=code,
                vendor_message=message,
            )
        common = self.profile.code_for(code)
        if common.value == "duplicate":
            return Accepted(
                provider_message_id=sms_id, vendor_code=code, vendor_message=message, duplicate=True
            )
        raise sms_error(
            common,
            f"eSMS refused the message: {code} {message or ''}".strip(),
            provider=PROVIDER,
            operation="send",
            vendor_code=code or None,
            vendor_message=message,
            request_id=request_id,
        )

    def delivery_status(self, sms_id: str) -> DeliveryReport:
        """Poll eSMS for the delivery report of `sms_id` (kept 7 days by eSMS)."""
        if not sms_id:
            raise ValidationError("sms_id is empty", field="sms_id")
        params = {
            "RefId": sms_id,
            "ApiKey": self._api_key.get_secret_value(),
            "SecretKey": self._secret_key.get_secret_value(),
        }
        response = self.transport.request(
            RequestSpec("GET", self.base_url + self.profile.status_path, params=params),
            operation="status",
            idempotency=Idempotency.READ,
        )
        if response.status_code >= 400:
            raise self._http_error(response, "status")
        try:
            data = response.json()
        except ValueError:
            raise ProviderError(
                "eSMS answered the status query with an unreadable body",
                code="malformed_response",
                provider=PROVIDER,
                operation="status",
            ) from None
        code = str(data.get("CodeResponse", ""))
        if code != OK:
            raise sms_error(
                self.profile.code_for(code),
                f"eSMS refused the status query: {code}",
                provider=PROVIDER,
                operation="status",
                vendor_code=code,
            )
        fields = {k: str(v) for k, v in data.items() if v is not None}
        fields.setdefault("SMSID", sms_id)
        return report_from_fields(fields)

    def _json(self, response: requests.Response, key: str) -> dict[str, Any]:
        try:
            data = json.loads(response.content.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
            return data
        except ValueError:
            raise OutcomeUnknown(
                "eSMS answered the send with an unreadable body; send again with the same "
                "key to reconcile",
                idempotency_key=key,
                provider=PROVIDER,
                operation="send",
                http_status=response.status_code,
                body_excerpt=self.transport.redactor.excerpt(response.content),
            ) from None

    def _http_error(self, response: requests.Response, operation: str) -> ProviderError:
        return error_for_status(
            response, provider=PROVIDER, operation=operation, redactor=self.transport.redactor
        )
