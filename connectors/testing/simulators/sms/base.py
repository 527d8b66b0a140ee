"""What every SMS Brandname simulator shares: the account a gateway keeps for a customer.

A simulated gateway knows the customer's brandnames and the telcos each is declared for,
the templates each registered, a message quota, and the messages it accepted (the ledger,
kind "sms", one entry per accepted message with `recipient` in national form "09...",
`text`, `brandname` and `request_id`). `check` applies the rules every gateway shares, in
this order: a forced error (`force`), brandname unknown (not declared at all), number
invalid, brandname not declared for the number's telco, content not matching a template,
quota exhausted. Each provider's simulator turns the resulting `SmsErrorCode` into its own
vendor answer.

A vendor's simulator passes its `**options` (`brandnames`, `templates`, `quota`, `sleep`)
on to this base. No client imports the testing side.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Self

from connectors.providers import sms_template
from connectors.sms.base import Vendor
from connectors.sms.errors import SmsErrorCode
from connectors.sms.templates import compile_pattern
from connectors.testing.simulator import LedgerEntry, Simulator
from connectors.vn.phone import InvalidPhoneNumber, VnPhone, parse_phone

__all__ = ["ALL_TELCOS", "SmsSimulator"]

ALL_TELCOS = frozenset(
    {"viettel", "mobifone", "vinaphone", "vietnamobile", "gmobile", "itelecom", "reddi"}
)

SMS = "sms"


class SmsSimulator(Simulator):
    """Base of the four SMS simulators (see the module docstring).

    `brandnames` maps each brandname to the telcos it is declared for (a plain iterable of
    names declares them for every telco); `templates` maps a brandname to its registered
    template texts (`{name}` placeholders); `quota` is how many more messages the account
    may send (None: unlimited).
    """

    provider = "sms-simulator"
    id_prefix = "SIM"
    vendor: Vendor = Vendor("sms-simulator", "SMS simulator")
    """The simulated provider's facts (its `wire.VENDOR`); `provider` follows it."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        vendor = cls.__dict__.get("vendor")
        if isinstance(vendor, Vendor):
            cls.provider = vendor.name

    def __init__(
        self,
        *,
        brandnames: Mapping[str, Iterable[str]] | Iterable[str],
        templates: Mapping[str, Iterable[str]] | None = None,
        quota: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(sleep=sleep)
        if isinstance(brandnames, Mapping):
            self.brandnames = {b: frozenset(t) for b, t in brandnames.items()}
        else:
            self.brandnames = dict.fromkeys(brandnames, ALL_TELCOS)
        self.patterns = {
            brandname: [compile_pattern(text)[0] for text in texts]
            for brandname, texts in (templates or {}).items()
        }
        self.quota = quota
        self._forced: deque[SmsErrorCode] = deque()
        self._lock = threading.RLock()
        self._sequence = itertools.count(1)

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> Self:
        """A simulator holding the default brandname and template (see
        `connectors.providers.sms_template`), accepting `credentials` (the provider's own
        keywords; `brandname` names the brandname to hold)."""
        brand, template = sms_template()
        values = dict(credentials)
        brand = str(values.pop("brandname", brand))
        return cls(brandnames=[brand], templates={brand: [template]}, **values)

    # -- test controls -------------------------------------------------------------------

    def force(self, code: SmsErrorCode, *, times: int = 1) -> None:
        """Answer the next `times` sends with this provider's error for `code`."""
        with self._lock:
            self._forced.extend([code] * times)

    def sent(self) -> list[LedgerEntry]:
        """Accepted messages, in order."""
        return self.ledger.entries(SMS)

    def texts_to(self, recipient: str) -> list[str]:
        """Texts accepted for `recipient` (any spelling of the number)."""
        national = parse_phone(recipient).national
        return [e.data["text"] for e in self.sent() if e.data["recipient"] == national]

    # -- rules ---------------------------------------------------------------------------

    def phone(self, msisdn: str) -> VnPhone | None:
        """The recipient as the gateway reads it, or None if it is not a valid mobile."""
        try:
            return parse_phone(msisdn)
        except InvalidPhoneNumber:
            return None

    def matches_template(self, brandname: str, text: str) -> bool:
        return any(p.fullmatch(text) for p in self.patterns.get(brandname, []))

    def check(
        self, brandname: str, msisdn: str, text: str | None, *, templates: bool = True
    ) -> SmsErrorCode | None:
        """The shared rules (module docstring); None when the message may be accepted.

        `text=None` or `templates=False` skips the template rule (VNPT checks its own).
        """
        with self._lock:
            if self._forced:
                return self._forced.popleft()
        if brandname not in self.brandnames:
            return SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO
        phone = self.phone(msisdn)
        if phone is None:
            return SmsErrorCode.INVALID_NUMBER
        if phone.carrier is not None and phone.carrier not in self.brandnames[brandname]:
            return SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO
        if templates and text is not None and not self.matches_template(brandname, text):
            return SmsErrorCode.TEMPLATE_MISMATCH
        with self._lock:
            if self.quota is not None and self.quota <= 0:
                return SmsErrorCode.QUOTA
        return None

    def accept(
        self, *, brandname: str, msisdn: str, text: str, request_id: str | None, **data: Any
    ) -> LedgerEntry:
        """Record an accepted message (spends one quota unit); returns the ledger entry.

        The entry's key is the provider message id.
        """
        phone = parse_phone(msisdn)
        with self._lock:
            if self.quota is not None:
                self.quota -= 1
            message_id = f"{self.id_prefix}-{next(self._sequence):08d}"
            return self.ledger.record(
                SMS,
                message_id,
                recipient=phone.national,
                msisdn=msisdn,
                text=text,
                brandname=brandname,
                request_id=request_id,
                **data,
            )
