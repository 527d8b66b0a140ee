"""SMS Brandname: tell citizens by SMS where their dossier stands.

- `base`: the `SmsSender` protocol, `Message`, `SendResult`, `BatchResult`, delivery reports
- `errors`: the common error vocabulary (`SmsErrorCode`), its error table (`SMS_ERRORS`)
  and the failover rule
- `sender`: `SmsClient`, the base every provider's client is built on (settings declared
  once: keywords, `from_settings`, `from_env`)
- `templates`: brandnames and their registered templates, matched before sending
- `compose`: the text pipeline (diacritics, GSM-7/UCS-2 segments, provider limits)
- `routing`: `RoutingSender`, by carrier, with failover that never texts twice
- `delivery`: `DeliveryInbox`, de-duplicated delivery reports
- `journal`: `MemoryJournal`, `SqliteJournal`, `PostgresJournal` (shared by every app
  server): accepted keys are never sent again
- providers: `mobifone` (`MobifoneSms`), `viettel` (`ViettelSms`), `vnpt` (`VnptSms`),
  `esms` (`EsmsSms`), each with its vocabulary in its `wire.py`;
  `providers.sender_from_env(name, templates)` builds one from its settings. Their
  simulators live on the testing side (`connectors.testing.simulators.sms`).
"""

from typing import TYPE_CHECKING

from connectors.core.lazy import exports
from connectors.sms.base import (
    BatchProgress,
    BatchResult,
    DeliveryReport,
    DeliveryStatus,
    Message,
    MessageInput,
    SendResult,
    SendStatus,
    SmsSender,
)
from connectors.sms.compose import Composed, TextLimits, compose
from connectors.sms.errors import (
    SMS_ERRORS,
    MessageTooLong,
    SmsErrorCode,
    TemplateMismatch,
    code_of,
    may_fail_over,
    sms_error,
)
from connectors.sms.journal import MemoryJournal, SentJournal
from connectors.sms.routing import FailoverExhausted, RoutingSender
from connectors.sms.sender import SmsClient, SmsSettings
from connectors.sms.templates import Brandname, Template, TemplateRegistry

if TYPE_CHECKING:
    from connectors.sms.delivery import DeliveryInbox
    from connectors.sms.journal import SqliteJournal
    from connectors.sms.journal_postgres import PostgresJournal

# Imported when first used: a provider's package does not pay for the delivery inbox's
# seen-store (signing, SQLite) or the journals' databases.
__getattr__, __dir__ = exports(
    __name__,
    {
        "connectors.sms.delivery": ("DeliveryInbox",),
        "connectors.sms.journal": ("SqliteJournal",),
        "connectors.sms.journal_postgres": ("PostgresJournal",),
    },
)

__all__ = [
    "SMS_ERRORS",
    "BatchProgress",
    "BatchResult",
    "Brandname",
    "Composed",
    "DeliveryInbox",
    "DeliveryReport",
    "DeliveryStatus",
    "FailoverExhausted",
    "MemoryJournal",
    "Message",
    "MessageInput",
    "MessageTooLong",
    "PostgresJournal",
    "RoutingSender",
    "SendResult",
    "SendStatus",
    "SentJournal",
    "SmsClient",
    "SmsErrorCode",
    "SmsSender",
    "SmsSettings",
    "SqliteJournal",
    "Template",
    "TemplateMismatch",
    "TemplateRegistry",
    "TextLimits",
    "code_of",
    "compose",
    "may_fail_over",
    "sms_error",
]
