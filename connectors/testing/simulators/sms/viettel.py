"""The Viettel BulkSMS gateway, simulated: `wsCpMt` over SOAP 1.1 with Viettel's error texts.

Speaks `connectors.sms.viettel.wire` (never the client). One route, "wsCpMt" (POST
`profile.path`). Checks run in the order of Viettel's error list (`wire.refusal_text`:
credentials, RequestID, UserID/ReceiverID, CommandCode, Content with blacklisted words),
then duplicates, brandname per telco (`ALIAS_INVALID:TELCO=XX`) and template. Duplicates
[G]: a RequestID already accepted for the same receiver, or the same brandname, receiver
and content within `profile.duplicate_window` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from connectors.sms.errors import SmsErrorCode
from connectors.sms.viettel import wire
from connectors.sms.viettel.wire import (
    DEFAULT_PROFILE,
    OK_MESSAGE,
    UNKNOWN_TELCO,
    MtCall,
    WireProfile,
    call_of,
    fault_xml,
    refusal_text,
    reply_xml,
)
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.sms.base import SmsSimulator

__all__ = ["ViettelSmsSimulator"]


class ViettelSmsSimulator(SmsSimulator):
    """A stateful Viettel wsCpMt gateway (see the module docstring); `options` as
    `SmsSimulator`'s (`brandnames`, `templates`, `quota`, `sleep`)."""

    vendor = wire.VENDOR
    id_prefix = "VT"

    def __init__(
        self,
        *,
        user: str = "smsbrand_test",
        password: str = "fake-password-2",  # noqa: S107 - an obviously fake test credential
        cp_code: str = "CP-TEST",
        blacklist: Iterable[str] = ("casino",),
        profile: WireProfile = DEFAULT_PROFILE,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.user = user
        self.password = password
        self.cp_code = cp_code
        self.blacklist = tuple(word.lower() for word in blacklist)
        self.profile = profile
        self.clock = clock
        self._request_ids: set[tuple[str, str]] = set()
        self._recent: dict[tuple[str, str, str], float] = {}
        self.add_route("POST", profile.path, self._ws_cp_mt, name=wire.OPERATION)

    def _ws_cp_mt(self, request: SimRequest) -> SimResponse:
        call = call_of(request.body)
        if call is None:
            return SimResponse.xml(fault_xml(), 500)
        refused = refusal_text(
            call,
            user=self.user,
            password=self.password,
            cp_code=self.cp_code,
            blacklist=self.blacklist,
            profile=self.profile,
        )
        if refused is not None:
            return _reply(refused, 0)
        return self._deliver(call)

    def _deliver(self, call: MtCall) -> SimResponse:
        receiver, brandname, content = call.receiver, call.brandname, call.content
        with self._lock:
            now = self.clock()
            recent = self._recent.get((brandname, receiver, content))
            if (call.request_id, receiver) in self._request_ids or (
                recent is not None and now - recent < self.profile.duplicate_window
            ):
                return _reply(self.profile.answer_for(SmsErrorCode.DUPLICATE), 0)
            problem = self.check(brandname, receiver, content)
            if problem is SmsErrorCode.INVALID_NUMBER:
                return _reply(UNKNOWN_TELCO, 0)
            if problem is not None:
                phone = self.phone(receiver)
                telco = phone.carrier if phone else None
                return _reply(self.profile.answer_for(problem, telco=telco), 0)
            self._request_ids.add((call.request_id, receiver))
            self._recent[(brandname, receiver, content)] = now
            self.accept(
                brandname=brandname,
                msisdn=receiver,
                text=content,
                request_id=call.request_id,
                unicode=call.unicode,
                cp_code=call.cp_code,
            )
        return _reply(OK_MESSAGE, 1)


def _reply(message: str, result: int) -> SimResponse:
    return SimResponse.xml(reply_xml(message, result))
