"""VNPT/VinaPhone SMS Brandname through the agent JSON API `send_sms_list` (spec section 3).

Fidelity: derived from integrators' public code (no official public spec).

The API is template-based: the gateway builds the text from `TEMPLATEID` and `PARAMS`.
The client renders the same template locally first (so a mismatch, a missing parameter or a
too-long text is refused before sending), then sends the template's VNPT id
(`Template.vendor_ids["vnpt"]`) with the parameter values in order. A plain-text message
is matched against the brandname's templates and sent as the template it matches. The
idempotency key becomes `REQID` (digits), reused on every attempt; error 33 (duplicate
REQID) on a retry counts as accepted.
"""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.deprecation import moved
from connectors.core.errors import ValidationError
from connectors.core.transport import RequestSpec
from connectors.sms.base import Message
from connectors.sms.compose import Composed
from connectors.sms.errors import TemplateMismatch
from connectors.sms.keys import numeric_request_id
from connectors.sms.sender import Accepted, SmsClient, SmsSettings
from connectors.sms.vnpt import wire

__all__ = ["VnptSms", "VnptSmsSettings"]

__getattr__ = moved(__name__, {"VnptSettings": "connectors.sms.vnpt:VnptSmsSettings"})


class VnptSmsSettings(SmsSettings):
    """`CONNECTORS_VNPT_BASE_URL`, `..._AGENT_ID`, `..._API_USER`, `..._API_PASS`,
    `..._USERNAME`, `..._CONTRACT_ID`, `..._LABELS` (JSON: brandname -> LABELID)."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_VNPT_")

    agent_id: str
    api_user: str
    api_pass: SecretStr
    username: str
    contract_id: str
    labels: dict[str, str]


class VnptSms(SmsClient[VnptSmsSettings, wire.WireProfile]):
    """The VNPT send_sms_list adapter; implements `connectors.sms.SmsSender`. Thread-safe.

    Construction: `VnptSms(base_url=..., agent_id=..., api_user=..., api_pass=...,
    username=..., contract_id=..., labels=..., templates=...)`, `from_settings` or
    `from_env`; `labels` maps each brandname to its VNPT `LABELID`.
    """

    vendor = wire.VENDOR
    settings_class = VnptSmsSettings
    default_profile = wire.DEFAULT_PROFILE

    def request_id(self, key: str) -> str:
        """The REQID sent for idempotency key `key`."""
        return numeric_request_id(key, self.profile.request_id_digits)

    def compose(self, message: Message) -> Composed:
        """Compose, then check what VNPT needs: a template with a VNPT id, a label, and
        accented text only for the networks that take it."""
        composed = super().compose(message)
        if composed.template is None:
            raise TemplateMismatch(
                "VNPT sends registered templates only: register the text as a template",
                field="text",
            )
        if self.name not in composed.template.vendor_ids:
            raise TemplateMismatch(
                f"template {composed.template.id!r} has no VNPT TEMPLATEID (vendor_ids['vnpt'])",
                field="template_id",
            )
        if composed.brandname not in self.settings.labels:
            raise ValidationError(
                f"brandname {composed.brandname!r} has no VNPT LABELID", field="brandname"
            )
        carrier = composed.recipient.carrier
        if composed.encoding == "UCS-2" and carrier not in self.profile.accented_telcos:
            raise ValidationError(
                "VNPT sends accented text (DATACODING=8) only to VinaPhone subscribers",
                field="accented",
            )
        return composed

    def _submit(self, composed: Composed, key: str) -> Accepted:
        assert composed.template is not None
        reqid = self.request_id(key)
        settings = self.settings
        body = wire.send_request(
            wire.SendRequest(
                reqid=reqid,
                label_id=settings.labels[composed.brandname],
                contract_id=settings.contract_id,
                template_id=composed.template.vendor_ids[self.name],
                params=composed.params,
                msisdn=composed.recipient.international,
                agent_id=settings.agent_id,
                api_user=settings.api_user,
                api_pass=settings.api_pass.get_secret_value(),
                username=settings.username,
                accented=composed.encoding == "UCS-2",
            ),
            self.profile,
        )
        operation = self.profile.send_name
        spec = RequestSpec("POST", settings.base_url + self.profile.path, json=body)
        error, description = self._keyed_answer(spec, key, operation, wire.read_reply)
        answer = Accepted(provider_message_id=reqid, vendor_code=error, vendor_message=description)
        if error == wire.OK:
            return answer
        return self._settle(self.profile.code_for(error), answer, operation, request_id=reqid)
