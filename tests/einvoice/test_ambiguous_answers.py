"""Issue 10 point 5: after an ambiguous answer every e-invoice adapter looks the document up by
its key before any resend, and returns what it finds instead of creating it again.

Each vendor's simulator commits the create (its ledger records it) and then answers badly:
a 500 or 503 (`CommitThenStatus`), a reset connection (`TimeoutAfterCommit(hold=0)`), an
unreadable 200, a lost answer
(timeout), and the testing kit's commit-then-status (500, 502), truncated body, trickling
answer and oversize answer (in process and on a loopback socket). The tests count the
create requests that reached the simulator and the ledger entries: one of each, and the
document returned is the one the vendor holds. When the lookup cannot tell either, the
adapter raises `OutcomeUnknown` carrying the key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from connectors.core import OutcomeUnknown, ProviderError, ResponseTooLarge
from connectors.einvoice import DocumentStatus, InvoiceProvider
from connectors.einvoice.provider import DOCUMENT_MAX_BYTES
from connectors.testing import (
    CommitThenStatus,
    Oversize,
    Reset,
    Status,
    TimeoutAfterCommit,
    Trickle,
    Truncated,
    mount,
    serve,
)
from connectors.testing.conformance.einvoice import sample_receipt
from connectors.testing.simulator import Simulator
from tests.einvoice import vendors

HOST = "https://einvoice.sim.test"
KEY = "ambiguous-key-0001"


@dataclass(frozen=True)
class Vendor:
    name: str
    create_route: str
    lookup_route: str
    ledger_kind: str
    download_route: str

    def make_simulator(self) -> Simulator:
        return vendors.simulator(self.name)

    def make_client(self, base_url: str) -> InvoiceProvider:
        return vendors.client(self.name, base_url)


VENDORS = [
    Vendor("vnpt", "ImportAndPublishInv", "listInvByCusFkey", "invoice", "downloadInvPDFFkey"),
    Vendor("viettel", "issue", "lookup", "invoice", "download"),
    Vendor("misa", "issue", "status", "invoice", "download"),
    Vendor("bkav", "create", "detail", "create", "pdf"),
]

FAULTS = {
    "commit-then-500": lambda sim, route: sim.faults.add(route, CommitThenStatus(500)),
    "commit-then-503": lambda sim, route: sim.faults.add(route, CommitThenStatus(503)),
    "commit-then-reset": lambda sim, route: sim.faults.add(route, TimeoutAfterCommit(hold=0)),
    "commit-then-unreadable": lambda sim, route: sim.faults.add(
        route, CommitThenStatus(200, b"<<<\x00 half an answer", "text/xml")
    ),
    "commit-then-timeout": lambda sim, route: sim.faults.add(route, TimeoutAfterCommit(2.0)),
    # The testing kit's "maybe sent" faults (connectors.testing.faults):
    "kit-commit-then-500": lambda sim, route: sim.faults.add(route, CommitThenStatus(500)),
    "kit-commit-then-502": lambda sim, route: sim.faults.add(route, CommitThenStatus(502)),
    "kit-truncated": lambda sim, route: sim.faults.add(route, Truncated(keep=10)),
    "kit-trickle": lambda sim, route: sim.faults.add(route, Trickle(interval=1.0)),
    "kit-oversize": lambda sim, route: sim.faults.add(route, Oversize(size=5 * 1024 * 1024)),
}


@pytest.fixture(params=VENDORS, ids=[v.name for v in VENDORS])
def vendor(request: pytest.FixtureRequest) -> Vendor:
    chosen: Vendor = request.param
    return chosen


@pytest.fixture
def sim(vendor: Vendor) -> Iterator[Simulator]:
    simulator = vendor.make_simulator()
    with mount(simulator, HOST):
        yield simulator


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_committed_create_is_found_not_created_again(
    vendor: Vendor, sim: Simulator, fault: str
) -> None:
    FAULTS[fault](sim, vendor.create_route)
    client = vendor.make_client(HOST)
    issued = client.issue(sample_receipt(), idempotency_key=KEY)
    assert 1 == len(sim.requests_to(vendor.create_route))  # looked up, never resent
    assert 1 == sim.ledger.count(vendor.ledger_kind, KEY)
    assert 1 == sim.ledger.count(vendor.ledger_kind)
    assert len(sim.requests_to(vendor.lookup_route)) >= 1
    assert (KEY, DocumentStatus.ISSUED) == (issued.key, issued.status)
    assert issued.number == client.get(KEY).number


def test_a_create_that_never_committed_is_looked_up_then_sent_again(
    vendor: Vendor, sim: Simulator
) -> None:
    sim.faults.add(vendor.create_route, Reset())  # nothing processed
    issued = vendor.make_client(HOST).issue(sample_receipt(), idempotency_key=KEY)
    assert 2 == len(sim.requests_to(vendor.create_route))
    assert 1 == sim.ledger.count(vendor.ledger_kind, KEY)
    assert issued.number


def test_when_the_lookup_cannot_tell_the_outcome_is_unknown_with_the_key(
    vendor: Vendor, sim: Simulator
) -> None:
    sim.faults.add(vendor.create_route, CommitThenStatus(500))
    sim.faults.add(vendor.lookup_route, Reset(), times=20)
    with pytest.raises(OutcomeUnknown) as raised:
        vendor.make_client(HOST).issue(sample_receipt(), idempotency_key=KEY)
    assert KEY == raised.value.idempotency_key
    assert 1 == len(sim.requests_to(vendor.create_route))
    assert 1 == sim.ledger.count(vendor.ledger_kind, KEY)


SOCKET_FAULTS = ("kit-commit-then-500", "kit-truncated", "kit-trickle", "kit-oversize")


@pytest.mark.parametrize("fault", SOCKET_FAULTS)
def test_on_a_socket_too(vendor: Vendor, fault: str) -> None:
    """The same on a loopback socket, where truncation, trickling and size are real."""
    simulator = vendor.make_simulator()
    FAULTS[fault](simulator, vendor.create_route)
    with serve(simulator) as base_url:
        issued = vendor.make_client(base_url).issue(sample_receipt(), idempotency_key=KEY)
    assert 1 == len(simulator.requests_to(vendor.create_route))
    assert 1 == simulator.ledger.count(vendor.ledger_kind, KEY)
    assert issued.number


MiB = 1024 * 1024


def test_a_download_may_be_larger_than_other_answers_but_is_bounded(
    vendor: Vendor, sim: Simulator
) -> None:
    """A PDF may pass the transport's 4 MiB default (DOCUMENT_MAX_BYTES applies), a lookup
    may not, and nothing is read past the download's own limit."""
    client = vendor.make_client(HOST)
    client.issue(sample_receipt(), idempotency_key=KEY)
    sim.faults.add(vendor.download_route, Oversize(size=5 * MiB))
    with pytest.raises(ProviderError) as raised:  # 5 MiB of filler is read, then unreadable
        client.download(KEY)
    assert not isinstance(raised.value, OutcomeUnknown)
    assert not isinstance(raised.value.__cause__, ResponseTooLarge)
    sim.faults.add(vendor.download_route, Oversize(size=DOCUMENT_MAX_BYTES + 1))
    with pytest.raises(ResponseTooLarge) as too_large:
        client.download(KEY)
    assert DOCUMENT_MAX_BYTES == too_large.value.limit
    sim.faults.add(vendor.lookup_route, Oversize(size=5 * MiB))
    with pytest.raises(ResponseTooLarge) as lookup_too_large:
        client.get(KEY)
    assert 4 * MiB == lookup_too_large.value.limit


def test_a_callers_transport_masks_the_clients_secrets(
    vendor: Vendor, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 10 point 10: every client adds its own secrets to a transport it is given."""
    client = vendor.make_client(HOST)  # each is built on a caller's Transport
    secrets = client.settings.secret_values()  # type: ignore[attr-defined]
    assert secrets
    seen: list[str] = []
    client.transport.on_request.append(lambda e: seen.append(f"{e.url} {e.headers} {e.body}"))  # type: ignore[attr-defined]
    client.transport.on_response.append(lambda e: seen.append(e.body))  # type: ignore[attr-defined]
    errors: list[str] = []
    with caplog.at_level(logging.DEBUG):
        client.issue(sample_receipt(), idempotency_key=KEY)
        sim.faults.add(vendor.lookup_route, Status(500, b"boom " + secrets[0].encode()))
        try:
            client.get(KEY)
        except ProviderError as exc:
            errors += [str(exc), repr(exc), str(exc.body_excerpt), str(exc.context())]
    assert seen
    assert errors
    text = "\n".join([caplog.text, *seen, *errors])
    for secret in secrets:
        assert secret not in text
