"""The feedback domain base (`FeedbackClient`): one construction convention for both clients
(the modelled iHanoi contract and Open311), the old positional form deprecated, and the
answers read once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from connectors.core import (
    ConfigError,
    OutcomeUnknown,
    ProviderUnavailable,
    RetryPolicy,
    Timeouts,
    Transport,
)
from connectors.ihanoi import FeedbackClient, FeedbackExchange, FeedbackStatus
from connectors.ihanoi.contract import IhanoiFeedback, IhanoiFeedbackSettings
from connectors.ihanoi.open311 import Open311Feedback, Open311FeedbackSettings
from connectors.testing import Malformed, mount
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from tests.ihanoi.conftest import BASE_URL, OPEN311_URL, draft, fast_retry, no_sleep

CLIENTS: dict[str, tuple[type[FeedbackClient[Any, Any]], dict[str, Any]]] = {
    "ihanoi": (IhanoiFeedback, {"base_url": BASE_URL, "token": "sim-token-not-secret"}),
    "open311": (
        Open311Feedback,
        {"base_url": OPEN311_URL, "api_key": "sim-open311-key", "jurisdiction_id": None},
    ),
}


@pytest.fixture(params=list(CLIENTS))
def case(request: pytest.FixtureRequest) -> tuple[type[FeedbackClient[Any, Any]], dict[str, Any]]:
    return CLIENTS[request.param]


@pytest.fixture
def served() -> Iterator[IhanoiFeedbackSimulator]:
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    with mount(sim, BASE_URL):
        yield sim


def call(client: FeedbackClient[Any, Any]) -> object:
    """One harmless read each client offers."""
    if isinstance(client, IhanoiFeedback):
        return client.list_updated().items
    assert isinstance(client, Open311Feedback)
    return [s.service_code for s in client.services()]


def test_both_clients_are_feedback_clients_named_for_their_settings(case: Any) -> None:
    cls, _fields = case
    assert issubclass(cls, FeedbackClient)
    assert (cls.name, cls.settings_class) in {
        ("ihanoi", IhanoiFeedbackSettings),
        ("open311", Open311FeedbackSettings),
    }


def test_keywords_settings_and_the_environment_build_the_same_client(
    case: Any, served: IhanoiFeedbackSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls, fields = case
    by_keywords = cls(**fields, retry=fast_retry())
    by_settings = cls.from_settings(cls.settings_class(**fields), retry=fast_retry())
    prefix = str(cls.settings_class.model_config["env_prefix"])
    for name, value in fields.items():
        if value is not None:
            monkeypatch.setenv(f"{prefix}{name.upper()}", value)
    from_env = cls.from_env(retry=fast_retry())
    assert by_keywords.settings == by_settings.settings == from_env.settings
    assert call(by_keywords) == call(by_settings) == call(from_env)
    assert fields["base_url"] == by_keywords.base_url


def test_the_old_positional_form_warns_and_builds_the_same_client(served: Any) -> None:
    with pytest.warns(DeprecationWarning, match=r"IhanoiFeedback\(base_url, token\)"):
        old = IhanoiFeedback(BASE_URL, "sim-token-not-secret", retry=fast_retry())
    with pytest.warns(DeprecationWarning, match=r"Open311Feedback\(base_url\)"):
        old311 = Open311Feedback(OPEN311_URL, api_key="sim-open311-key")
    assert IhanoiFeedback(**CLIENTS["ihanoi"][1]).settings == old.settings
    assert "sim-open311-key" == old311.settings.api_key.get_secret_value()  # type: ignore[union-attr]
    assert () == call(old)
    with pytest.raises(TypeError, match="at most 2 positional"):
        IhanoiFeedback(BASE_URL, "t", "extra")


def test_a_settings_object_takes_no_more_positional_values() -> None:
    settings = IhanoiFeedbackSettings(base_url=BASE_URL, token="t")
    with pytest.raises(TypeError, match="one settings object positionally"):
        IhanoiFeedback(settings, "t")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"token": "t"}, "base_url"),
        ({"base_url": BASE_URL}, "token"),
        ({"base_url": BASE_URL, "token": "   "}, "token"),
        ({"base_url": "ftp://ihanoi.test", "token": "t"}, "base_url"),
    ],
)
def test_bad_settings_are_a_config_error_naming_the_field(
    fields: dict[str, str], field: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        IhanoiFeedback(**fields)
    assert field == raised.value.field
    assert "   " not in raised.value.message


def test_an_unknown_format_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as raised:
        Open311Feedback(base_url=OPEN311_URL, format="yaml")
    assert "format" == raised.value.field


def test_timeouts_retry_and_session_make_a_transport_of_its_own() -> None:
    timeouts, retry = Timeouts(connect=0.5, read=0.5, total=2.0), RetryPolicy(max_attempts=2)
    session = requests.Session()
    client = IhanoiFeedback(
        base_url=BASE_URL, token="s3cret-token", timeouts=timeouts, retry=retry, session=session
    )
    transport = client.transport
    assert (timeouts, retry, session, "ihanoi") == (
        transport.timeouts,
        transport.retry,
        transport.session,
        transport.provider,
    )
    assert "s3cret-token" not in transport.redactor.text("Bearer s3cret-token")


def test_a_callers_transport_is_used_and_made_to_mask_the_secrets() -> None:
    given = Transport("caller")
    client = Open311Feedback(base_url=OPEN311_URL, api_key="k3y-value", transport=given)
    assert given is client.transport
    assert "k3y-value" not in given.redactor.text("api_key=k3y-value&x=1")


def test_the_repr_names_the_client_and_hides_the_secret() -> None:
    client = IhanoiFeedback(base_url=BASE_URL, token="s3cret-token")
    assert "IhanoiFeedback(name='ihanoi', base_url='https://ihanoi.sim.test')" == repr(client)
    assert isinstance(client, FeedbackExchange)


def test_an_unreadable_read_is_provider_unavailable(served: IhanoiFeedbackSimulator) -> None:
    served.faults.add("list_feedback", Malformed(b"{"), times=4)
    client = IhanoiFeedback(**CLIENTS["ihanoi"][1], retry=fast_retry())
    with pytest.raises(ProviderUnavailable, match="list_updated: the iHanoi answer could not"):
        client.list_updated()


def test_an_unreadable_keyed_write_is_outcome_unknown_with_its_key(
    served: IhanoiFeedbackSimulator,
) -> None:
    client = IhanoiFeedback(**CLIENTS["ihanoi"][1], retry=fast_retry())
    feedback_id = client.submit_feedback(draft()).feedback_id
    served.faults.add("update_feedback", Malformed(b"not json"))
    with pytest.raises(OutcomeUnknown) as raised:
        client.update_status(feedback_id, FeedbackStatus.ASSIGNED, idempotency_key="upd-1")
    error = raised.value
    assert ("upd-1", "ihanoi", "update_status", 200) == (
        error.idempotency_key,
        error.provider,
        error.operation,
        error.http_status,
    )
    assert "repeat it with the same key" in error.message
    again = client.update_status(feedback_id, FeedbackStatus.ASSIGNED, idempotency_key="upd-1")
    assert FeedbackStatus.ASSIGNED == again.status
    assert 1 == len(served.updates_for(feedback_id))
