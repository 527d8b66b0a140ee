"""The VNPT/VinaPhone agent gateway, simulated: `send_sms_list` with templates by id.

Speaks `connectors.sms.vnpt.wire` (never the client). One route, "send_sms_list" (POST
`profile.path`, JSON). The gateway builds each text from its own template (`templates`:
TEMPLATEID -> (LABELID, text)) and the PARAMS, so the ledger holds the text the citizen
receives. Checks: credentials and agent (1, 15), method (3), label (14), template and
parameter count (7), number (23), brandname per telco and DATACODING 8 outside VinaPhone
(25), duplicate REQID (33), quota (20).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any, Self

from connectors.providers import sms_template
from connectors.sms.errors import SmsErrorCode
from connectors.sms.templates import compile_pattern
from connectors.sms.vnpt import wire
from connectors.sms.vnpt.wire import OK, SendRequest, WireProfile, reply, request_of
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.sms.base import SmsSimulator

__all__ = ["VnptSmsSimulator"]

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?::[0-9]+)?\}")


class VnptSmsSimulator(SmsSimulator):
    """A stateful VNPT send_sms_list gateway (see the module docstring).

    `labels` maps LABELID -> brandname; `brandnames` (as in `SmsSimulator`) says which
    telcos each brandname is declared for; other `options` as `SmsSimulator`'s.
    """

    vendor = wire.VENDOR
    id_prefix = "VNPT"

    def __init__(
        self,
        *,
        labels: Mapping[str, str],
        templates: Mapping[str, tuple[str, str]],
        agent_id: str = "AG-TEST",
        api_user: str = "api-test",
        api_pass: str = "fake-password-3",  # noqa: S107 - an obviously fake test credential
        profile: WireProfile = wire.DEFAULT_PROFILE,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.labels = dict(labels)
        self.vnpt_templates = dict(templates)
        self.agent_id = agent_id
        self.api_user = api_user
        self.api_pass = api_pass
        self.profile = profile
        self._reqids: set[str] = set()
        self._reqid_lock = threading.Lock()
        self.add_route("POST", profile.path, self._api, name=profile.send_name)

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> Self:
        """The default brandname under its label, the default template as id "40021",
        accepting `credentials` (`labels` maps a brandname to its VNPT label)."""
        brand, template = sms_template()
        values = dict(credentials)
        brand = str(values.pop("brandname", brand))
        label = dict(values.pop("labels", {})).get(brand, "1201")
        return cls(
            brandnames=[brand],
            labels={label: brand},
            templates={"40021": (label, template)},
            **values,
        )

    def _answer(self, error: str) -> SimResponse:
        return SimResponse.json(reply(self.profile.send_name, error))

    def _api(self, request: SimRequest) -> SimResponse:
        try:
            rqst = request_of(request.json())
        except (ValueError, KeyError, TypeError):
            return self._answer("-1")
        if (rqst.api_user, rqst.api_pass) != (self.api_user, self.api_pass):
            return self._answer("1")
        if rqst.agent_id != self.agent_id:
            return self._answer("15")
        if rqst.name != self.profile.send_name:
            return self._answer("3")
        if rqst.contract_type not in ("1", "2"):
            return self._answer("9")
        brandname = self.labels.get(rqst.label_id)
        if brandname is None:
            return self._answer("14")
        text = self._render(rqst)
        if text is None:
            return self._answer("7")
        if "," in rqst.msisdn:
            return self._answer("23")
        return self._deliver(rqst, brandname, text)

    def _render(self, rqst: SendRequest) -> str | None:
        found = self.vnpt_templates.get(rqst.template_id)
        if found is None or found[0] != rqst.label_id or rqst.params is None:
            return None
        if len(rqst.params) != len(compile_pattern(found[1])[1]):
            return None
        values = iter(rqst.params)
        return _PLACEHOLDER.sub(lambda _m: next(values), found[1])

    def _deliver(self, rqst: SendRequest, brandname: str, text: str) -> SimResponse:
        with self._lock:
            if rqst.reqid in self._reqids:
                return self._answer("33")
            problem = self.check(brandname, rqst.msisdn, text, templates=False)
            if problem is SmsErrorCode.INVALID_NUMBER:
                return self._answer("23")
            if problem is SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO:
                return self._answer("25")
            if problem is not None:
                return self._answer(self.profile.answer_for(problem))
            phone = self.phone(rqst.msisdn)
            if rqst.accented and (
                phone is None or phone.carrier not in self.profile.accented_telcos
            ):
                return self._answer("25")
            self._reqids.add(rqst.reqid)
            self.accept(
                brandname=brandname,
                msisdn=rqst.msisdn,
                text=text,
                request_id=rqst.reqid,
                unicode=rqst.accented,
                template_id=rqst.template_id,
            )
        return self._answer(OK)
