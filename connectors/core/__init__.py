"""Core machinery every adapter uses: transport, retries, errors, signing, redaction,
settings, SOAP, safe XML, and inbound webhooks (verification, claim-after-effect
de-duplication, bounded WSGI bodies). It knows no vendor."""

from typing import TYPE_CHECKING

from connectors.core.errors import (
    AuthError,
    ConfigError,
    ConnectionFailed,
    ConnectorError,
    ConnectTimeout,
    Duplicate,
    NotFound,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ReadTimeout,
    Rejected,
    ResponseTooLarge,
    SignatureError,
    TransportError,
    ValidationError,
)
from connectors.core.lazy import exports
from connectors.core.ratelimit import TokenBucket
from connectors.core.retry import (
    RETRYABLE_STATUSES,
    Idempotency,
    RetryBudget,
    RetryPolicy,
    parse_retry_after,
)
from connectors.core.wsgi import DEFAULT_BODY_LIMIT, BodyRefused, read_body

if TYPE_CHECKING:
    from connectors.core.config import HttpSettings, ProviderSettings, load_settings
    from connectors.core.http_errors import error_for_status, error_for_status_code, request_id_of
    from connectors.core.redaction import MASK, RedactingFilter, Redactor
    from connectors.core.safexml import parse_xml, safe_parser
    from connectors.core.seen_postgres import PostgresSeenStore
    from connectors.core.signing import (
        EcdsaSigner,
        EcdsaVerifier,
        HmacSigner,
        RsaSigner,
        RsaVerifier,
        Signer,
        Verifier,
        constant_time_equals,
    )
    from connectors.core.soap import SoapClient, wsdl_path
    from connectors.core.transport import (
        DEFAULT_MAX_RESPONSE_BYTES,
        USER_AGENT,
        RequestEvent,
        RequestSpec,
        ResponseEvent,
        Timeouts,
        Transport,
    )
    from connectors.core.webhooks import (
        EventGate,
        HmacWebhookVerifier,
        MemorySeenStore,
        SeenStore,
        SqliteSeenStore,
        check_timestamp,
    )

# The rest is imported when first used: `import connectors.core.transport` loads no SOAP,
# X.509, XML or settings machinery.
__getattr__, __dir__ = exports(
    __name__,
    {
        "connectors.core.config": ("HttpSettings", "ProviderSettings", "load_settings"),
        "connectors.core.http_errors": (
            "error_for_status",
            "error_for_status_code",
            "request_id_of",
        ),
        "connectors.core.redaction": ("MASK", "RedactingFilter", "Redactor"),
        "connectors.core.safexml": ("parse_xml", "safe_parser"),
        "connectors.core.seen_postgres": ("PostgresSeenStore",),
        "connectors.core.signing": (
            "EcdsaSigner",
            "EcdsaVerifier",
            "HmacSigner",
            "RsaSigner",
            "RsaVerifier",
            "Signer",
            "Verifier",
            "constant_time_equals",
        ),
        "connectors.core.soap": ("SoapClient", "wsdl_path"),
        "connectors.core.transport": (
            "DEFAULT_MAX_RESPONSE_BYTES",
            "USER_AGENT",
            "RequestEvent",
            "RequestSpec",
            "ResponseEvent",
            "Timeouts",
            "Transport",
        ),
        "connectors.core.webhooks": (
            "EventGate",
            "HmacWebhookVerifier",
            "MemorySeenStore",
            "SeenStore",
            "SqliteSeenStore",
            "check_timestamp",
        ),
    },
)

__all__ = [
    "DEFAULT_BODY_LIMIT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MASK",
    "RETRYABLE_STATUSES",
    "USER_AGENT",
    "AuthError",
    "BodyRefused",
    "ConfigError",
    "ConnectTimeout",
    "ConnectionFailed",
    "ConnectorError",
    "Duplicate",
    "EcdsaSigner",
    "EcdsaVerifier",
    "EventGate",
    "HmacSigner",
    "HmacWebhookVerifier",
    "HttpSettings",
    "Idempotency",
    "MemorySeenStore",
    "NotFound",
    "OutcomeUnknown",
    "PostgresSeenStore",
    "ProviderError",
    "ProviderSettings",
    "ProviderUnavailable",
    "RateLimited",
    "ReadTimeout",
    "RedactingFilter",
    "Redactor",
    "Rejected",
    "RequestEvent",
    "RequestSpec",
    "ResponseEvent",
    "ResponseTooLarge",
    "RetryBudget",
    "RetryPolicy",
    "RsaSigner",
    "RsaVerifier",
    "SeenStore",
    "SignatureError",
    "Signer",
    "SoapClient",
    "SqliteSeenStore",
    "Timeouts",
    "TokenBucket",
    "Transport",
    "TransportError",
    "ValidationError",
    "Verifier",
    "check_timestamp",
    "constant_time_equals",
    "error_for_status",
    "error_for_status_code",
    "load_settings",
    "parse_retry_after",
    "parse_xml",
    "read_body",
    "request_id_of",
    "safe_parser",
    "wsdl_path",
]
