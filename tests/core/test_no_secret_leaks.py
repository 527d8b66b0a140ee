"""A known secret, success and failure paths at DEBUG: it shows up nowhere.

The secret travels in a header, a query string, a JSON body, a form body and a SOAP body,
and the vendor echoes it back in error bodies. Every log record, exception text, exception
context and repr is searched for it.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core import (
    ConnectorError,
    Idempotency,
    ProviderSettings,
    RequestSpec,
    RetryPolicy,
    SoapClient,
    Timeouts,
    Transport,
    error_for_status,
    load_settings,
)
from connectors.testing import (
    Reset,
    SimRequest,
    SimResponse,
    Simulator,
    TimeoutAfterCommit,
    mount,
)

SECRET = "Sup3r-S3cret-Hash-Key-4242"
URL = "https://leaky.sim.test"
WSDL = Path(__file__).parent / "data" / "echo.wsdl"


class LeakySettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="CONNECTORS_LEAKY_")
    hash_secret: SecretStr
    api_key: SecretStr


class LeakyVendor(Simulator):
    """Echoes whatever it received back, in success and error bodies alike."""

    def __init__(self) -> None:
        super().__init__()
        self.add_route("POST", "/pay", self._echo, name="pay")
        self.add_route("POST", "/fail", self._fail, name="fail")
        self.add_route("POST", "/ws", self._soap, name="soap")

    def _echo(self, request: SimRequest) -> SimResponse:
        return SimResponse.json({"received": request.text(), "query": request.args()})

    def _fail(self, request: SimRequest) -> SimResponse:
        return SimResponse.json(
            {"error": "bad signature", "hash_secret": SECRET, "echo": request.text()}, 400
        )

    def _soap(self, request: SimRequest) -> SimResponse:
        text = request.text()
        return SimResponse.xml(
            '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
            "<S:Fault><faultcode>S:Server</faultcode>"
            f"<faultstring>rejected {text[-400:]!s} key {SECRET}</faultstring>"
            "</S:Fault></S:Body></S:Envelope>",
            500,
        )


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> LeakySettings:
    monkeypatch.setenv("CONNECTORS_LEAKY_HASH_SECRET", SECRET)
    monkeypatch.setenv("CONNECTORS_LEAKY_API_KEY", "another-secret-api-key-77")
    return load_settings(LeakySettings, base_url=URL)


def test_secret_never_appears_in_logs_errors_or_reprs(
    settings: LeakySettings, caplog: pytest.LogCaptureFixture
) -> None:
    sim = LeakyVendor()
    sim.faults.add("pay", Reset())
    sim.faults.add("pay", TimeoutAfterCommit(1.0), times=5)
    redactor = settings.redactor("Password")
    transport = Transport(
        "leaky",
        timeouts=Timeouts(read=0.2),
        retry=RetryPolicy(max_attempts=2, sleep=lambda _s: None),
        redactor=redactor,
    )
    secret = settings.hash_secret.get_secret_value()
    seen: list[object] = [settings, transport, redactor]
    errors: list[ConnectorError] = []
    with caplog.at_level(logging.DEBUG), mount(sim, URL), transport:
        spec = RequestSpec(
            "POST",
            f"{URL}/pay",
            params={"hash_secret": secret, "amount": "50000"},
            headers={"Authorization": f"Bearer {secret}", "X-Api-Key": secret},
            json={"hash_secret": secret, "note": f"embedded {secret} text"},
        )
        # a reset, then a timeout after commit: a keyed write ends OutcomeUnknown
        with pytest.raises(ConnectorError) as outcome:
            transport.request(
                spec, operation="pay", idempotency=Idempotency.KEYED_WRITE, idempotency_key="K1"
            )
        errors.append(outcome.value)
        # success path (faults used up): the echo body holds the secret
        sim.faults.clear()
        ok = transport.request(spec, operation="pay", idempotency=Idempotency.READ)
        assert 200 == ok.status_code
        # the vendor's error body carries the secret
        form = RequestSpec("POST", f"{URL}/fail", data={"secure_hash": secret, "x": "1"})
        failed = transport.request(form, operation="fail", idempotency=Idempotency.READ)
        errors.append(
            error_for_status(failed, provider="leaky", operation="fail", redactor=redactor)
        )
        # SOAP with the secret as the password and inside the fault string
        soap = SoapClient(WSDL, transport, endpoint=f"{URL}/ws")
        seen.append(soap)
        with pytest.raises(ConnectorError) as fault:
            soap.call("echo", idempotency=Idempotency.READ, User="u", Password=secret, Text="t")
        errors.append(fault.value)

    assert caplog.records, "DEBUG logging was expected to record the exchanges"
    for record in caplog.records:
        assert secret not in record.getMessage(), record.name
    assert secret not in caplog.text
    for error in errors:
        chain: BaseException | None = error
        while chain is not None:
            assert secret not in str(chain)
            assert secret not in repr(chain)
            if isinstance(chain, ConnectorError):
                assert secret not in repr(chain.context())
                assert secret not in (chain.body_excerpt or "")
            chain = chain.__cause__ or chain.__context__
    for thing in seen:
        assert secret not in repr(thing)
    assert "another-secret-api-key-77" not in caplog.text
