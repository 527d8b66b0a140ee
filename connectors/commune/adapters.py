"""`build(config)`: the commune's configured providers as ready adapters, and its outbox.

    with build(load("connectors.toml")) as adapters:
        adapters.payments["vnpay"]     # a FeeGateway
        adapters.invoices              # an InvoiceProvider (the [einvoice] provider)
        adapters.sms                   # an SmsSender (a RoutingSender over several)
        adapters.feedback              # the [feedback] client, or None
        adapters.outbox                # SqliteOutbox or PostgresOutbox

Every client is its provider's own class, built with `from_settings` from the validated
settings; nothing here names a vendor, so switching vendors is an edit of the TOML file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from connectors.banks import FeeGateway
from connectors.commune.loading import CommuneConfig, ProviderConfig
from connectors.core.closing import Closeable
from connectors.core.errors import ConfigError, ValidationError
from connectors.core.postgres import is_postgres_dsn
from connectors.delivery import PostgresOutbox, SqliteOutbox
from connectors.einvoice import InvoiceProvider
from connectors.ihanoi import FeedbackExchange
from connectors.sms import RoutingSender, SmsSender, TemplateRegistry

__all__ = ["Adapters", "build", "client_for"]

Outbox = SqliteOutbox | PostgresOutbox


def client_for(entry: ProviderConfig, *, templates: TemplateRegistry | None = None) -> Any:
    """A ready client of one configured provider (its class's `from_settings`); an SMS
    provider takes the brandnames' registered `templates`. `ConfigError` naming the
    provider's table when the client refuses its settings."""
    cls = entry.provider.client_class()
    options = {"templates": templates or TemplateRegistry()} if entry.section == "sms" else {}
    try:
        return cls.from_settings(entry.settings, **options)
    except ValidationError as exc:
        where = f"{entry.section}.{entry.name}"
        field = f"{where}.{exc.field}" if exc.field else where
        raise ConfigError(f"[{where}] {exc.message}", field=field) from None


def _is_gateway(entry: ProviderConfig) -> bool:
    """A payments provider that takes payments (a bank-transfer feed such as SePay does
    not: its webhook receiver comes from its settings)."""
    return callable(getattr(entry.provider.client_class(), "create_payment", None))


@dataclass
class Adapters(Closeable):
    """The commune's ready adapters (see the module docstring); closes them all on `close`.

    `invoices` and `sms` raise `ConfigError` when the configuration has no such table.
    """

    config: CommuneConfig
    payments: dict[str, FeeGateway]
    outbox: Outbox
    feedback: FeedbackExchange | None = None
    _invoices: InvoiceProvider | None = field(default=None, repr=False)
    _sms: SmsSender | None = field(default=None, repr=False)
    _closing: ExitStack = field(default_factory=ExitStack, repr=False)

    @property
    def invoices(self) -> InvoiceProvider:
        """The e-invoice vendor's adapter."""
        if self._invoices is None:
            raise ConfigError("no [einvoice] provider is configured", field="einvoice")
        return self._invoices

    @property
    def sms(self) -> SmsSender:
        """The SMS sender: the one provider, or a `RoutingSender` in failover order."""
        if self._sms is None:
            raise ConfigError("no [sms] providers are configured", field="sms")
        return self._sms

    def close(self) -> None:
        """Close every client and the outbox (each once)."""
        self._closing.close()


def _closes(stack: ExitStack, client: Any) -> Any:
    close = getattr(client, "close", None)
    if callable(close):
        stack.callback(close)
    return client


def _sms(config: CommuneConfig, stack: ExitStack) -> SmsSender | None:
    if not config.sms:
        return None
    templates = TemplateRegistry(templates=config.templates)
    senders = {
        entry.name: _closes(stack, client_for(entry, templates=templates)) for entry in config.sms
    }
    if len(senders) == 1:
        sender: SmsSender = next(iter(senders.values()))
        return sender
    return RoutingSender(senders, default=list(senders))


def open_outbox(config: CommuneConfig, *, create: bool = True) -> Outbox:
    """The configured outbox (`[commune] outbox`): an SQLite file or a PostgreSQL URL."""
    where = config.outbox
    if is_postgres_dsn(where):
        return PostgresOutbox(where, create=create)
    return SqliteOutbox(where, create=create)


@contextmanager
def _closed_on_failure(stack: ExitStack) -> Iterator[ExitStack]:
    try:
        yield stack
    except BaseException:
        stack.close()
        raise


def build(config: CommuneConfig, *, outbox: Outbox | None = None) -> Adapters:
    """Ready adapters for every provider `config` names, and the outbox (`outbox` if given,
    e.g. one the caller opened already, else the configured one, created if missing).

    `ConfigError` from a client that refuses its settings; whatever was opened is closed
    again then.
    """
    with _closed_on_failure(ExitStack()) as stack:
        payments: dict[str, FeeGateway] = {
            entry.name: _closes(stack, client_for(entry))
            for entry in config.payments
            if _is_gateway(entry)
        }
        invoices = None if config.einvoice is None else client_for(config.einvoice)
        feedback = None if config.feedback is None else client_for(config.feedback)
        for client in (invoices, feedback):
            _closes(stack, client)
        sms = _sms(config, stack)
        if outbox is None:
            outbox = open_outbox(config)
            stack.callback(outbox.close)
        return Adapters(
            config=config,
            payments=payments,
            outbox=outbox,
            feedback=feedback,
            _invoices=invoices,
            _sms=sms,
            _closing=stack,
        )
