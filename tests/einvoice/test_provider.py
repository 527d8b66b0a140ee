"""Lookup-before-retry (`issue_with_lookup`), keys, and the result-code vocabulary."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from connectors.core import (
    AuthError,
    ConnectionFailed,
    Duplicate,
    NotFound,
    OutcomeUnknown,
    ProviderUnavailable,
    RateLimited,
    ReadTimeout,
    Rejected,
    ValidationError,
)
from connectors.einvoice import DocumentStatus, IssuedDocument, ResultCode, check_key, new_key
from connectors.einvoice.codes import ERROR_CLASSES, Refusal, refusal_error
from connectors.einvoice.provider import issue_with_lookup

DOC = IssuedDocument(
    provider="fake",
    key="K-0000000001",
    number="7",
    template="EBL01",
    symbol="25T",
    lookup_code="ABC",
    issued_at=None,
    status=DocumentStatus.ISSUED,
)


def scripted(
    *outcomes: IssuedDocument | Exception | None,
) -> tuple[Callable[[], object], list[int]]:
    """A callable returning (or raising) the outcomes in order; counts its calls."""
    calls: list[int] = []
    queue = list(outcomes)

    def call() -> object:
        calls.append(1)
        outcome = queue.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return call, calls


def run(
    send: Callable[[], object], lookup: Callable[[], object], waits: list[int]
) -> IssuedDocument:
    return issue_with_lookup(
        send,  # type: ignore[arg-type]
        lookup,  # type: ignore[arg-type]
        key=DOC.key,
        provider="fake",
        operation="issue",
        attempts=3,
        wait=waits.append,
    )


def test_success_needs_no_lookup() -> None:
    send, sent = scripted(DOC)
    lookup, looked = scripted()
    assert DOC == run(send, lookup, [])
    assert (1, 0) == (len(sent), len(looked))


@pytest.mark.parametrize(
    "lost",
    [
        ReadTimeout("lost"),
        ConnectionFailed("reset", sent=True),
        OutcomeUnknown("?", idempotency_key="K-0000000001"),
        ProviderUnavailable("502"),
        RateLimited("429", retry_after=1.0),
    ],
)
def test_lost_answer_is_looked_up_before_any_retry(lost: Exception) -> None:
    send, sent = scripted(lost)
    lookup, looked = scripted(DOC)
    waits: list[int] = []
    assert DOC == run(send, lookup, waits)
    assert (1, 1, []) == (len(sent), len(looked), waits)  # found: no wait, no resend


def test_not_found_by_lookup_then_resent_after_a_wait() -> None:
    send, sent = scripted(ReadTimeout("lost"), DOC)
    lookup, looked = scripted(None)
    waits: list[int] = []
    assert DOC == run(send, lookup, waits)
    assert (2, 1, [1]) == (len(sent), len(looked), waits)


def test_duplicate_answer_returns_the_existing_document() -> None:
    send, sent = scripted(Duplicate("ERR:13"))
    lookup, looked = scripted(DOC)
    assert DOC == run(send, lookup, [])
    assert (1, 1) == (len(sent), len(looked))


def test_duplicate_without_a_document_is_raised() -> None:
    send, _ = scripted(Duplicate("ERR:13"))
    lookup, _ = scripted(NotFound("none"))
    with pytest.raises(Duplicate):
        run(send, lookup, [])


def test_failed_lookup_is_outcome_unknown_with_the_key() -> None:
    send, sent = scripted(ReadTimeout("lost"))
    lookup, _ = scripted(ConnectionFailed("reset", sent=True))
    with pytest.raises(OutcomeUnknown) as raised:
        run(send, lookup, [])
    assert DOC.key == raised.value.idempotency_key
    assert 1 == len(sent)  # never resent blindly


def test_exhausted_attempts_end_with_a_last_lookup() -> None:
    send, sent = scripted(ReadTimeout("1"), ReadTimeout("2"), ReadTimeout("3"))
    lookup, looked = scripted(None, None, None)
    with pytest.raises(OutcomeUnknown) as raised:
        run(send, lookup, [])
    assert (3, 3) == (len(sent), len(looked))
    assert DOC.key == raised.value.idempotency_key


def test_refusals_pass_through_untouched() -> None:
    send, sent = scripted(Rejected("bad data"))
    lookup, looked = scripted()
    with pytest.raises(Rejected):
        run(send, lookup, [])
    assert (1, 0) == (len(sent), len(looked))


def test_keys() -> None:
    made = new_key()
    assert 32 == len(made)
    assert made != new_key()
    assert "HS-0001:receipt" == check_key("HS-0001:receipt")
    assert 32 == len(check_key(None))
    for bad in ["", "has space", "x" * 37, "đ-key"]:
        with pytest.raises(ValidationError) as raised:
            check_key(bad)
        assert "idempotency_key" == raised.value.field
    with pytest.raises(ValidationError):
        check_key("short", min_length=10)


@pytest.mark.parametrize("code", list(ResultCode))
def test_every_result_code_raises_its_core_error(code: ResultCode) -> None:
    error = refusal_error(Refusal(code, "ERR:99", "x"), provider="vnpt", operation="issue")
    assert type(error) is ERROR_CLASSES[code]
    assert (code.value, "ERR:99", "x", "vnpt") == (
        error.code,
        error.vendor_code,
        error.vendor_message,
        error.provider,
    )


def test_vocabulary_maps_onto_the_core_tree() -> None:
    assert ERROR_CLASSES[ResultCode.AUTH] is AuthError
    assert ERROR_CLASSES[ResultCode.DUPLICATE] is Duplicate
    assert ERROR_CLASSES[ResultCode.NOT_FOUND] is NotFound
    assert ERROR_CLASSES[ResultCode.TEMPORARY] is ProviderUnavailable
    assert refusal_error(Refusal(ResultCode.TEMPORARY, "c"), provider="p", operation="o").retryable


def test_vendor_is_chosen_by_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.einvoice import VENDOR_ENV, provider_from_env
    from connectors.einvoice.viettel import ViettelInvoice
    from connectors.einvoice.vnpt import VnptInvoice

    monkeypatch.setenv("CONNECTORS_VNPT_INVOICE_BASE_URL", "https://vnpt.sim.test")
    monkeypatch.setenv("CONNECTORS_VNPT_INVOICE_ACCOUNT", "sim-admin")
    monkeypatch.setenv("CONNECTORS_VNPT_INVOICE_ACCOUNT_PASSWORD", "sim-ac-pass")
    monkeypatch.setenv("CONNECTORS_VNPT_INVOICE_USERNAME", "sim-service")
    monkeypatch.setenv("CONNECTORS_VNPT_INVOICE_PASSWORD", "sim-service-pass")
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_USERNAME", "0100109106-509")
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_PASSWORD", "sim-password")
    monkeypatch.setenv("CONNECTORS_VIETTEL_SINVOICE_SUPPLIER_TAX_CODE", "0100109106")
    monkeypatch.setenv(VENDOR_ENV, "vnpt")
    assert isinstance(provider_from_env(), VnptInvoice)
    monkeypatch.setenv(VENDOR_ENV, "Viettel")
    viettel = provider_from_env(base_url="https://viettel.sim.test")
    assert isinstance(viettel, ViettelInvoice)
    assert "https://viettel.sim.test" == viettel.settings.base_url


def test_unknown_or_missing_vendor_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.core import ConfigError
    from connectors.einvoice import VENDOR_ENV, provider_from_env

    monkeypatch.delenv(VENDOR_ENV, raising=False)
    for vendor in (None, "fpt"):
        with pytest.raises(ConfigError) as raised:
            provider_from_env(vendor)
        assert "vendor" == raised.value.field


def test_bad_vendor_settings_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from connectors.core import ConfigError
    from connectors.einvoice import provider_from_env

    monkeypatch.delenv("CONNECTORS_VIETTEL_SINVOICE_PASSWORD", raising=False)
    with pytest.raises(ConfigError) as raised:
        provider_from_env("viettel", username="u", supplier_tax_code="0100109106")
    assert "CONNECTORS_VIETTEL_SINVOICE_PASSWORD" in str(raised.value)


def test_every_registered_vendor_resolves_to_an_adapter_with_from_env() -> None:
    import importlib

    from connectors.einvoice.provider import PROVIDERS

    assert {"vnpt", "viettel", "misa", "bkav"} == set(PROVIDERS)
    for target in PROVIDERS.values():
        module_name, _, class_name = target.partition(":")
        adapter = getattr(importlib.import_module(module_name), class_name)
        assert callable(adapter.from_env)
