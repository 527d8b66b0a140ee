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

import json
from collections.abc import Mapping
from typing import Any

import requests
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings
from connectors.core.errors import OutcomeUnknown, ValidationError
from connectors.core.http_errors import error_for_status
from connectors.core.ratelimit import TokenBucket
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.sms.base import Message
from connectors.sms.compose import Composed
from connectors.sms.errors import SmsErrorCode, TemplateMismatch, sms_error
from connectors.sms.journal import SentJournal
from connectors.sms.keys import numeric_request_id
from connectors.sms.sender import Accepted, SmsClient, client_transport
from connectors.sms.templates import BrandnameSetting, TemplateRegistry
from connectors.sms.vnpt.wire import OK, WIRE, WireProfile, send_request

__all__ = ["VnptSettings", "VnptSms"]

PROVIDER = "vnpt"


class VnptSettings(ProviderSettings):
    """`CONNECTORS_VNPT_BASE_URL`, `..._AGENT_ID`, `..._API_USER`, `..._API_PASS`,
    `..._USERNAME`, `..._CONTRACT_ID`, `..._LABELS` (JSON: brandname -> LABELID)."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_VNPT_")

    agent_id: str
    api_user: str
    api_pass: SecretStr
    username: str
    contract_id: str
    labels: dict[str, str]
    brandname: BrandnameSetting | None = None


class VnptSms(SmsClient):
    """The VNPT send_sms_list adapter; implements `connectors.sms.SmsSender`. Thread-safe.

    `labels` maps each brandname to its VNPT `LABELID`.
    """

    provider = PROVIDER

    def __init__(
        self,
        *,
        base_url: str,
        agent_id: str,
        api_user: str,
        api_pass: SecretStr | str,
        username: str,
        contract_id: str,
        labels: Mapping[str, str],
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
        secret = api_pass if isinstance(api_pass, SecretStr) else SecretStr(api_pass)
        self.url = base_url.rstrip("/") + profile.path
        self.agent_id = agent_id
        self.api_user = api_user
        self._api_pass = secret
        self.username = username
        self.contract_id = contract_id
        self.labels = dict(labels)
        self.profile = profile
        self.transport = client_transport(
            PROVIDER, transport, timeouts=timeouts, retry=retry, fields=["APIPASS"], values=[secret]
        )

    @classmethod
    def from_settings(
        cls, settings: VnptSettings, templates: TemplateRegistry, **options: Any
    ) -> VnptSms:
        """Build from `VnptSettings` (environment or config file)."""
        return cls(
            base_url=settings.base_url,
            agent_id=settings.agent_id,
            api_user=settings.api_user,
            api_pass=settings.api_pass,
            username=settings.username,
            contract_id=settings.contract_id,
            labels=settings.labels,
            brandname=settings.brandname,
            templates=templates,
            timeouts=settings.http.timeouts(),
            retry=settings.http.retry_policy(),
            **options,
        )

    def close(self) -> None:
        self.transport.close()

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
        if PROVIDER not in composed.template.vendor_ids:
            raise TemplateMismatch(
                f"template {composed.template.id!r} has no VNPT TEMPLATEID (vendor_ids['vnpt'])",
                field="template_id",
            )
        if composed.brandname not in self.labels:
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
        body = send_request(
            profile=self.profile,
            reqid=reqid,
            label_id=self.labels[composed.brandname],
            contract_id=self.contract_id,
            template_id=composed.template.vendor_ids[PROVIDER],
            params=composed.params,
            msisdn=composed.recipient.international,
            agent_id=self.agent_id,
            api_user=self.api_user,
            api_pass=self._api_pass.get_secret_value(),
            username=self.username,
            accented=composed.encoding == "UCS-2",
        )
        response = self.transport.request(
            RequestSpec("POST", self.url, json=body),
            operation=self.profile.send_name,
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=key,
        )
        if response.status_code >= 400:
            raise error_for_status(
                response,
                provider=PROVIDER,
                operation=self.profile.send_name,
                redactor=self.transport.redactor,
            )
        error, description = self._parse(response, key)
        if error == OK:
            return Accepted(
                provider_message_id=reqid, vendor_code=error, vendor_message=description
            )
        code = self.profile.code_for(error)
        if code is SmsErrorCode.DUPLICATE:
            return Accepted(
                provider_message_id=reqid,
                vendor_code=error,
                vendor_message=description,
                duplicate=True,
            )
        raise sms_error(
            code,
            f"VNPT refused the message: {error} {description}",
            provider=PROVIDER,
            operation=self.profile.send_name,
            vendor_code=error,
            vendor_message=description,
            request_id=reqid,
        )

    def _parse(self, response: requests.Response, key: str) -> tuple[str, str]:
        try:
            data = json.loads(response.content.decode("utf-8"))
            reply = data["RPLY"]
            return str(reply["ERROR"]), str(reply.get("ERROR_DESC", ""))
        except (ValueError, KeyError, TypeError):
            raise OutcomeUnknown(
                "VNPT answered send_sms_list with an unreadable body; send again with the "
                "same key to reconcile",
                idempotency_key=key,
                provider=PROVIDER,
                operation=self.profile.send_name,
                http_status=response.status_code,
                body_excerpt=self.transport.redactor.excerpt(response.content),
            ) from None
