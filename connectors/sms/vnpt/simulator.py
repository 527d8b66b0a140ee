"""The VNPT/VinaPhone agent gateway, simulated: `send_sms_list` with templates by id.

One route, "send_sms_list" (POST `profile.path`, JSON). The gateway builds each text from
its own template (`templates`: TEMPLATEID -> (LABELID, text)) and the PARAMS, so the ledger
holds the text the citizen receives. Checks: credentials and agent (1, 15), method (3),
label (14), template and parameter count (7), number (23), brandname per telco and
DATACODING 8 outside VinaPhone (25), duplicate REQID (33), quota (20).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Self

from connectors.providers import sms_template
from connectors.sms.errors import SmsErrorCode
from connectors.sms.simulation import SmsSimulator
from connectors.sms.templates import compile_pattern
from connectors.sms.vnpt.wire import ERRORS, OK, WIRE, WireProfile, reply
from connectors.testing.simulator import SimRequest, SimResponse

__all__ = ["VnptSimulator"]

_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?::[0-9]+)?\}")


class VnptSimulator(SmsSimulator):
    """A stateful VNPT send_sms_list gateway (see the module docstring).

    `labels` maps LABELID -> brandname; `brandnames` (as in `SmsSimulator`) says which
    telcos each brandname is declared for.
    """

    provider = "vnpt"
    id_prefix = "VNPT"

    def __init__(
        self,
        *,
        brandnames: Mapping[str, Iterable[str]] | Iterable[str],
        labels: Mapping[str, str],
        templates: Mapping[str, tuple[str, str]],
        agent_id: str = "AG-TEST",
        api_user: str = "api-test",
        api_pass: str = "fake-password-3",  # noqa: S107 - an obviously fake test credential
        quota: int | None = None,
        profile: WireProfile = WIRE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(brandnames=brandnames, quota=quota, sleep=sleep)
        self.labels = dict(labels)
        self.vnpt_templates = dict(templates)
        self.agent_id = agent_id
        self.api_user = api_user
        self.api_pass = api_pass
        self.profile = profile
        self._reqids: set[str] = set()
        self._reqid_lock = threading.Lock()
        self.add_route("POST", profile.path, self._api, name="send_sms_list")

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
        description = "success" if error == OK else ERRORS[error][1]
        return SimResponse.json(reply(self.profile.send_name, error, description))

    def _api(self, request: SimRequest) -> SimResponse:
        try:
            rqst = request.json()["RQST"]
            if not isinstance(rqst, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return self._answer("-1")
        if rqst.get("APIUSER") != self.api_user or rqst.get("APIPASS") != self.api_pass:
            return self._answer("1")
        if rqst.get("AGENTID") != self.agent_id:
            return self._answer("15")
        if rqst.get("name") != self.profile.send_name:
            return self._answer("3")
        if rqst.get("CONTRACTTYPEID") not in ("1", "2"):
            return self._answer("9")
        brandname = self.labels.get(str(rqst.get("LABELID")))
        if brandname is None:
            return self._answer("14")
        text = self._render(rqst)
        if text is None:
            return self._answer("7")
        msisdn = str(rqst.get("MOBILELIST", ""))
        if "," in msisdn:
            return self._answer("23")
        return self._deliver(rqst, brandname, msisdn, text)

    def _render(self, rqst: dict[str, Any]) -> str | None:
        found = self.vnpt_templates.get(str(rqst.get("TEMPLATEID")))
        if found is None or found[0] != str(rqst.get("LABELID")):
            return None
        params = rqst.get("PARAMS") or []
        try:
            values = {int(p["NUM"]): str(p["CONTENT"]) for p in params}
        except (KeyError, TypeError, ValueError):
            return None
        count = len(compile_pattern(found[1])[1])
        if sorted(values) != list(range(1, count + 1)):
            return None
        numbers = iter(range(1, count + 1))
        return _PLACEHOLDER.sub(lambda _m: values[next(numbers)], found[1])

    def _deliver(self, rqst: dict[str, Any], brandname: str, msisdn: str, text: str) -> SimResponse:
        reqid = str(rqst.get("REQID", ""))
        accented = rqst.get("DATACODING") == "8"
        with self._lock:
            if reqid in self._reqids:
                return self._answer("33")
            problem = self.check(brandname, msisdn, text, templates=False)
            if problem is SmsErrorCode.INVALID_NUMBER:
                return self._answer("23")
            if problem is SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO:
                return self._answer("25")
            if problem is not None:
                return self._answer(self.profile.answer_for(problem))
            phone = self.phone(msisdn)
            if accented and (phone is None or phone.carrier not in self.profile.accented_telcos):
                return self._answer("25")
            self._reqids.add(reqid)
            self.accept(
                brandname=brandname,
                msisdn=msisdn,
                text=text,
                request_id=reqid,
                unicode=accented,
                template_id=str(rqst.get("TEMPLATEID")),
            )
        return self._answer(OK)
