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

import pydantic
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.deprecation import moved
from connectors.core.errors import OutcomeUnknown, ValidationError
from connectors.core.retry import Idempotency
from connectors.core.transport import RequestSpec
from connectors.sms.base import DeliveryReport
from connectors.sms.compose import Composed
from connectors.sms.esms import wire
from connectors.sms.keys import token_request_id
from connectors.sms.sender import Accepted, SmsClient, SmsSettings

__all__ = ["EsmsSms", "EsmsSmsSettings"]

__getattr__ = moved(__name__, {"EsmsSettings": "connectors.sms.esms:EsmsSmsSettings"})


class EsmsSmsSettings(SmsSettings):
    """`CONNECTORS_ESMS_BASE_URL`, `..._API_KEY`, `..._SECRET_KEY`, `..._BRANDNAME`,
    `..._SANDBOX`, `..._CALLBACK_URL`."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_ESMS_")

    api_key: SecretStr
    secret_key: SecretStr
    sandbox: bool = False
    callback_url: str | None = None

    @pydantic.field_validator("callback_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value


class EsmsSms(SmsClient[EsmsSmsSettings, wire.WireProfile]):
    """The eSMS adapter; implements `connectors.sms.SmsSender`. Thread-safe.

    Construction: `EsmsSms(base_url=..., api_key=..., secret_key=..., templates=...)`
    (and `sandbox`, `callback_url`), `from_settings` or `from_env`.
    """

    vendor = wire.VENDOR
    settings_class = EsmsSmsSettings
    default_profile = wire.DEFAULT_PROFILE

    def request_id(self, key: str) -> str:
        """The RequestId sent for idempotency key `key`."""
        return token_request_id(key, self.profile.request_id_max)

    def _submit(self, composed: Composed, key: str) -> Accepted:
        settings = self.settings
        request_id = self.request_id(key)
        body = wire.send_body(
            wire.SendBody(
                api_key=settings.api_key.get_secret_value(),
                secret_key=settings.secret_key.get_secret_value(),
                phone=composed.recipient.national,
                content=composed.text,
                brandname=composed.brandname,
                sms_type=self.profile.sms_type,
                unicode=composed.encoding == "UCS-2",
                sandbox=settings.sandbox,
                request_id=request_id,
                callback_url=settings.callback_url,
            )
        )
        spec = RequestSpec("POST", settings.base_url + self.profile.send_path, json=body)
        reply = self._keyed_answer(spec, key, "send", wire.read_send_reply)
        answer = Accepted(reply.sms_id, reply.code or None, reply.message)
        if reply.code == wire.OK:
            return Accepted(provider_message_id=reply.sms_id, vendor_code=reply.code)
        if reply.code in wire.IN_PROGRESS:
            raise OutcomeUnknown(
                "eSMS is still processing an earlier attempt; send again later with the same key",
                idempotency_key=key,
                provider=self.name,
                operation="send",
                vendor_code=reply.code,
                vendor_message=reply.message,
            )
        return self._settle(
            self.profile.code_for(reply.code), answer, "send", request_id=request_id
        )

    def delivery_status(self, sms_id: str) -> DeliveryReport:
        """Poll eSMS for the delivery report of `sms_id` (kept 7 days by eSMS)."""
        if not sms_id:
            raise ValidationError("sms_id is empty", field="sms_id")
        settings = self.settings
        params = wire.status_params(
            sms_id, settings.api_key.get_secret_value(), settings.secret_key.get_secret_value()
        )
        response = self.transport.request(
            RequestSpec("GET", settings.base_url + self.profile.status_path, params=params),
            operation="status",
            idempotency=Idempotency.READ,
        )
        if response.status_code >= 400:
            raise self._http_error(response, "status")
        try:
            code, fields = wire.read_status(response.json(), sms_id)
        except (ValueError, TypeError):
            raise self._malformed(response, "status") from None
        if code != wire.OK:
            raise self._refused(
                self.profile.code_for(code),
                f"eSMS refused the status query: {code}",
                "status",
                vendor_code=code,
            )
        return wire.report_from_fields(fields)
