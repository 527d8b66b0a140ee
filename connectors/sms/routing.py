"""Routing by carrier, and failover that never texts twice.

`RoutingSender` picks an ordered list of providers for each recipient from a routing table
keyed by the number's carrier (e.g. Viettel numbers through Viettel first), and tries the
next provider only when the previous one *certainly* did not accept the message and the
fault is on its side (auth, IP whitelist, brandname not declared for that telco, quota,
rate limit, an explicit temporary refusal, or a connection that never opened). It never
fails over on an invalid number, a template mismatch, a too-long or refused content, a
duplicate, or when the outcome is unknown (a timeout after the request left): those are
raised (or, in `send_many`, reported) as they are.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from connectors.core.deprecation import warn_deprecated
from connectors.core.errors import ConfigError, ConnectorError, ProviderError, ValidationError
from connectors.sms.base import Message, SendResult, SmsSender, check_idempotency_key
from connectors.sms.batch import BatchSender
from connectors.sms.errors import SmsErrorCode, code_of, may_fail_over
from connectors.sms.journal import KeyLocks, MemoryJournal, SentJournal

__all__ = ["FailoverExhausted", "RoutingSender"]


class FailoverExhausted(ProviderError):
    """Every provider on the route refused with a provider-side fault; `errors` by provider.

    `code` is the last provider's code; `retryable` is True if any refusal was retryable.
    """

    def __init__(self, message: str, *, errors: Mapping[str, ConnectorError]) -> None:
        last = list(errors.values())[-1]
        code = code_of(last) or SmsErrorCode.TEMPORARY
        super().__init__(
            message,
            code=code.value,
            retryable=any(getattr(e, "retryable", False) for e in errors.values()),
            provider=last.provider,
            operation=last.operation,
            http_status=last.http_status,
            vendor_code=last.vendor_code,
            vendor_message=last.vendor_message,
        )
        self.errors = dict(errors)


class RoutingSender(BatchSender):
    """An `SmsSender` over several providers, routed by carrier, with safe failover.

    `senders` maps provider names to senders; `routes` maps a carrier ("viettel",
    "mobifone", "vinaphone", ...) to the providers to try, in order; `default` is the order
    for carriers not in the table (and numbers without a known carrier). Without a key
    (argument or message) a fresh one is made, as the clients do. Idempotency keys
    are remembered in the router's own `journal`, so a message that failed over to a second
    provider is not sent to the first one on a later retry.
    """

    name = "router"

    def __init__(
        self,
        senders: Mapping[str, SmsSender],
        *,
        default: Sequence[str],
        routes: Mapping[str, Sequence[str]] | None = None,
        journal: SentJournal | None = None,
    ) -> None:
        self.senders = dict(senders)
        self.default = tuple(default)
        self.routes = {carrier: tuple(order) for carrier, order in (routes or {}).items()}
        for name, order in [("default", self.default), *self.routes.items()]:
            if not order:
                raise ConfigError(f"route {name!r} names no provider", field="routes")
            unknown = [p for p in order if p not in self.senders]
            if unknown:
                raise ConfigError(
                    f"route {name!r} names unknown providers: {', '.join(unknown)}",
                    field="routes",
                )
        self.journal: SentJournal = journal if journal is not None else MemoryJournal()
        self._key_locks = KeyLocks()

    def route(self, message: Message) -> tuple[str, ...]:
        """The providers to try for `message`, in order."""
        carrier = message.recipient.carrier
        return self.routes.get(carrier, self.default) if carrier else self.default

    def send(self, message: Message, idempotency_key: str | None = None) -> SendResult:
        """Send through the route's first provider, failing over only when it is safe.

        Raises the first error that forbids failover as it is, or `FailoverExhausted`
        when every provider refused with a provider-side fault.
        """
        if not isinstance(message, Message):
            raise ValidationError("message must be a Message", field="message")
        check_idempotency_key(idempotency_key)
        key = idempotency_key or message.idempotency_key or uuid.uuid4().hex
        with self._key_locks.hold(key):
            previous = self.journal.get(key)
            if previous is not None:
                if previous.recipient != message.recipient:
                    raise ValidationError(
                        f"idempotency key {key!r} was already used for another recipient",
                        field="idempotency_key",
                    )
                return replace(previous, duplicate=True)
            errors: dict[str, ConnectorError] = {}
            for name in self.route(message):
                try:
                    result = self.senders[name].send(message, key)
                except ConnectorError as exc:
                    if not may_fail_over(exc):
                        raise
                    errors[name] = exc
                    continue
                result = replace(result, tried=tuple(errors))
                self.journal.put(key, result)
                return result
        raise FailoverExhausted(
            "every provider on the route refused: "
            + "; ".join(f"{name}: {exc.message}" for name, exc in errors.items()),
            errors=errors,
        )

    @property
    def provider(self) -> str:
        """Deprecated: the router's name is `name`."""
        warn_deprecated("RoutingSender.provider", "RoutingSender.name")
        return self.name

    def providers_for(self, carriers: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The route of each carrier (for a CLI's `routes` listing)."""
        return {c: self.routes.get(c, self.default) for c in carriers}
