"""The SePay simulator: booking, signed webhooks, delivery with retries, the transaction list
(through `SePayTransactions`), and the full path into the matcher."""

from __future__ import annotations

import itertools
import json
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from connectors.banks.matching import (
    BankTransfer,
    ExpectedPayment,
    MatchOutcome,
    TransferDirection,
    TransferMatcher,
)
from connectors.banks.sepay import DEFAULT_PROFILE, SepayTransactions, SepayWebhook, WireProfile
from connectors.core.errors import AuthError, ProviderError, ValidationError
from connectors.core.retry import RetryPolicy
from connectors.testing import Malformed, Status, mount, serve
from connectors.testing.simulators.banks.sepay import SepayTransactionsSimulator
from connectors.vn.time import VN_TZ

SECRET = "fake-webhook-secret-0002"
TOKEN = "fake-api-token-0002"
ACCOUNT = "0123456789"
API = "https://userapi.sepay.test"
AT = datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ)


def ticking(start: int = 1_735_787_700) -> Callable[[], float]:
    """A clock that advances one second per reading."""
    counter = itertools.count(start)
    return lambda: float(next(counter))


def simulator(**kwargs: Any) -> tuple[SepayTransactionsSimulator, list[float]]:
    sleeps: list[float] = []
    args: dict[str, Any] = {
        "hmac_secret": SECRET,
        "api_token": TOKEN,
        "clock": ticking(),
        "sleep": sleeps.append,
        **kwargs,
    }
    return SepayTransactionsSimulator(**args), sleeps


class Recorder:
    """A WSGI endpoint answering the statuses given in turn (then 200), recording requests."""

    def __init__(self, statuses: Iterable[int] = ()) -> None:
        self.statuses = list(statuses)
        self.requests: list[tuple[dict[str, str], bytes]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {
            k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k[:5] == "HTTP_"
        }
        self.requests.append((headers, body))
        status = self.statuses.pop(0) if self.statuses else 200
        start_response(f"{status} X", [("Content-Type", "application/json")])
        return [b'{"success": true}' if status == 200 else b"{}"]


# -- booking -------------------------------------------------------------------------------


def test_transfer_books_and_returns_the_signed_webhook() -> None:
    sim, _ = simulator()
    request = sim.transfer(
        account=ACCOUNT, amount=50_000, content="HS2025000123 LE PHI", at=AT, reference_code="FT1"
    )
    expected_body = {
        "id": 92704,
        "gateway": "VPBank",
        "transactionDate": "2025-01-02 10:15:00",
        "accountNumber": ACCOUNT,
        "code": None,
        "content": "HS2025000123 LE PHI",
        "transferType": "in",
        "transferAmount": 50_000,
        "accumulated": 50_000,
        "subAccount": None,
        "referenceCode": "FT1",
        "description": "HS2025000123 LE PHI",
    }
    assert expected_body == json.loads(request.body)
    assert "92704" == request.transfer_id
    entry = sim.ledger.find("transfer", "92704")
    assert entry is not None
    assert 50_000 == entry.data["accumulated"]
    assert ("92704",) == sim.pending
    hook = SepayWebhook(hmac_secret=SECRET, clock=lambda: 1_735_787_700.0)
    transfer = hook.parse(request.body, request.headers)
    assert entry.data["transfer"] == transfer


def test_balances_accumulate_per_account() -> None:
    sim, _ = simulator()
    sim.transfer(account=ACCOUNT, amount=50_000, content="a", at=AT)
    sim.transfer(account=ACCOUNT, amount=20_000, content="b", at=AT, direction="out")
    sim.transfer(account="999", amount=7, content="c", at=AT)
    assert [50_000, 30_000, 7] == [e.data["accumulated"] for e in sim.ledger.entries("transfer")]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"amount": 0}, "amount"),
        ({"amount": 1.5}, "amount"),
        ({"account": ""}, "account"),
        ({"at": datetime(2025, 1, 2)}, "transferred_at"),
    ],
)
def test_bad_transfer_is_refused_and_not_booked(kwargs: dict[str, Any], field: str) -> None:
    sim, _ = simulator()
    args: dict[str, Any] = {"account": ACCOUNT, "amount": 1, "content": "x", **kwargs}
    with pytest.raises(ValidationError) as caught:
        sim.transfer(**args)
    assert field == caught.value.field
    assert 0 == len(sim.ledger)
    assert () == sim.pending


def test_api_key_mode_header() -> None:
    sim, _ = simulator(hmac_secret=None, api_key="fake-key-02")
    request = sim.transfer(account=ACCOUNT, amount=1, content="x")
    assert "Apikey fake-key-02" == request.headers["Authorization"]
    assert "X-SePay-Signature" not in request.headers
    SepayWebhook(api_key="fake-key-02").verify(request.body, request.headers)


# -- delivery ------------------------------------------------------------------------------


def test_delivery_retries_non_2xx_with_fibonacci_waits_and_fresh_signatures() -> None:
    sim, sleeps = simulator()
    sim.transfer(account=ACCOUNT, amount=50_000, content="HS1", at=AT)
    endpoint = Recorder([500, 503])
    with serve(endpoint) as url:
        (delivery,) = sim.deliver(url + "/sepay")
    assert [500, 503, 200] == [a.status for a in delivery.attempts]
    assert delivery.delivered
    assert [60.0, 60.0] == sleeps
    stamps = [headers["x-sepay-timestamp"] for headers, _ in endpoint.requests]
    assert len(set(stamps)) == 3
    hook = SepayWebhook(hmac_secret=SECRET, clock=lambda: float(stamps[-1]))
    hook.verify(endpoint.requests[-1][1], endpoint.requests[-1][0])
    assert [1, 2, 3] == [e.data["attempt"] for e in sim.ledger.entries("delivery")]
    assert () == sim.pending


def test_delivery_gives_up_after_seven_retries_about_33_minutes() -> None:
    sim, sleeps = simulator()
    sim.transfer(account=ACCOUNT, amount=1, content="x", at=AT)
    with serve(Recorder([500] * 20)) as url:
        (delivery,) = sim.deliver(url)
    assert 8 == len(delivery.attempts)
    assert not delivery.delivered
    assert list(DEFAULT_PROFILE.retry_delays) == sleeps
    assert 33 * 60 == sum(sleeps)
    assert () == sim.pending


def test_delivery_to_a_closed_port_counts_as_failed() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sim, sleeps = simulator(retry_delays=(0.5,))
    sim.transfer(account=ACCOUNT, amount=1, content="x", at=AT)
    (delivery,) = sim.deliver(f"http://127.0.0.1:{port}/sepay")
    assert [None, None] == [a.status for a in delivery.attempts]
    assert all(a.error == "ConnectionError" for a in delivery.attempts)
    assert [0.5] == sleeps


def test_replay_after_giving_up() -> None:
    sim, _ = simulator(retry_delays=())
    sim.transfer(account=ACCOUNT, amount=1, content="x", at=AT)
    endpoint = Recorder([500])
    with serve(endpoint) as url:
        (failed,) = sim.deliver(url)
        assert [] == sim.deliver(url)  # nothing pending any more
        (replayed,) = sim.deliver(url, transfer_id="92704")
    assert (False, True) == (failed.delivered, replayed.delivered)
    with pytest.raises(ValidationError):
        sim.deliver("http://127.0.0.1:9/x", transfer_id="nope")


def test_full_path_into_the_matcher_delivered_three_times() -> None:
    """What the demo does: transfers (one underpaid), webhooks, matching."""
    payments = [
        ExpectedPayment("HS-2025-000123", 50_000),
        ExpectedPayment("HS-2025-000124", 30_000),
    ]
    matcher = TransferMatcher(payments, accounts={ACCOUNT})
    hook = SepayWebhook(hmac_secret=SECRET)
    sim, _ = simulator(clock=time.time)
    sim.transfer(account=ACCOUNT, amount=50_000, content="MBVCB.1.hs2025000123 le phi")
    sim.transfer(account=ACCOUNT, amount=20_000, content="IBFT HS 2025 000124")
    with serve(hook.wsgi_app(matcher.match)) as url:
        first = sim.deliver(url)
        replays = [sim.deliver(url, transfer_id=d.transfer_id) for d in first for _ in range(2)]
    assert all(d.delivered for d in first)
    assert all(r[0].delivered for r in replays)
    outcomes = {r.dossier_code: r.outcome for r in matcher.results}
    assert {"HS-2025-000123": MatchOutcome.MATCHED, "HS-2025-000124": MatchOutcome.UNDERPAID} == (
        outcomes
    )
    received = {p.dossier_code: p.received for p in matcher.payments}
    assert {"HS-2025-000123": 50_000, "HS-2025-000124": 20_000} == received


# -- the transaction list ------------------------------------------------------------------


@contextmanager
def api(sim: SepayTransactionsSimulator) -> Iterator[tuple[SepayTransactions, Any]]:
    with mount(sim, API) as mock:
        client = SepayTransactions(
            api_token=TOKEN,
            base_url=API,
            profile=sim.profile,
            retry=RetryPolicy(max_attempts=3, sleep=lambda _s: None),
        )
        yield client, mock


def book(sim: SepayTransactionsSimulator, count: int) -> list[BankTransfer]:
    for n in range(count):
        direction = TransferDirection.OUT if n == 2 else TransferDirection.IN
        sim.transfer(
            account=ACCOUNT,
            amount=1_000 * (n + 1),
            content=f"HS{n:04d}",
            at=AT.replace(hour=8 + n),
            direction=direction,
        )
    return list(sim.transfers())


def test_list_pages_oldest_first_with_exact_params() -> None:
    sim, _ = simulator(profile=WireProfile(page_size=2))
    booked = book(sim, 5)
    with api(sim) as (client, mock):
        pulled = client.fetch()
        first_query = dict(parse_qsl(urlsplit(mock.calls[0].request.url).query))
        auth = mock.calls[0].request.headers["Authorization"]
    assert booked == pulled
    assert 3 == len(sim.requests_to("transactions"))
    assert {"per_page": "2", "transaction_date_sort": "asc", "page": "1"} == first_query
    assert f"Bearer {TOKEN}" == auth


def test_list_filters() -> None:
    sim, _ = simulator()
    booked = book(sim, 5)
    with api(sim) as (client, mock):
        incoming = client.fetch(direction=TransferDirection.IN)
        window = client.fetch(since=AT.replace(hour=9), until=AT.replace(hour=10))
        other = client.fetch(account="999")
        query = dict(parse_qsl(urlsplit(mock.calls[1].request.url).query))
    assert [t for t in booked if t.direction is TransferDirection.IN] == incoming
    assert booked[1:3] == window
    assert [] == other
    assert ("2025-01-02 09:15:00", "2025-01-02 10:15:00") == (
        query["transaction_date_from"],
        query["transaction_date_to"],
    )


def test_list_reports_webhook_success() -> None:
    sim, _ = simulator(retry_delays=())
    sim.transfer(account=ACCOUNT, amount=1, content="x", at=AT)
    sim.transfer(account=ACCOUNT, amount=2, content="y", at=AT)
    with serve(Recorder([200, 500])) as url:
        sim.deliver(url)
    with api(sim) as (client, _mock):
        pulled = client.fetch()
    assert [1, 0] == [t.raw["webhook_success"] for t in pulled]


def test_list_retries_a_transient_fault() -> None:
    sim, _ = simulator()
    booked = book(sim, 2)
    sim.faults.add("transactions", Status(503))
    with api(sim) as (client, _mock):
        assert booked == client.fetch()
    assert 2 == len(sim.requests_to("transactions"))


def test_list_with_a_wrong_token_is_an_auth_error_without_the_token() -> None:
    sim, _ = simulator(api_token="the-right-one")
    with api(sim) as (client, _mock), pytest.raises(AuthError) as caught:
        client.fetch()
    assert 401 == caught.value.http_status
    assert TOKEN not in str(caught.value)
    assert TOKEN not in (caught.value.body_excerpt or "")
    assert TOKEN not in repr(client)


def test_list_malformed_answer() -> None:
    sim, _ = simulator()
    sim.faults.add("transactions", Malformed())
    with api(sim) as (client, _mock), pytest.raises(ProviderError) as caught:
        client.fetch()
    assert "malformed" in caught.value.message


def test_list_rejects_an_empty_token() -> None:
    with pytest.raises(ValidationError) as caught:
        SepayTransactions(api_token="")
    assert "api_token" == caught.value.field


def test_detail_endpoint() -> None:
    sim, _ = simulator()
    book(sim, 1)
    with mount(sim, API):
        found = requests.get(
            f"{API}/v2/transactions/92704", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
        )
        missing = requests.get(
            f"{API}/v2/transactions/1", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5
        )
    assert (200, 1_000, "HS0000") == (
        found.status_code,
        found.json()["data"]["amount_in"],
        found.json()["data"]["transaction_content"],
    )
    assert 404 == missing.status_code
