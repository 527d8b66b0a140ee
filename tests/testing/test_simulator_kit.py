"""The simulator kit itself: routing, ledger, fault plan, both runners, the pytest plugin."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from connectors.testing import (
    FaultPlan,
    Latency,
    Malformed,
    SimRequest,
    SimResponse,
    Simulator,
    Status,
    TimeoutBeforeProcessing,
    mount,
    serve,
)


class Shop(Simulator):
    provider = "shop"

    def __init__(self) -> None:
        super().__init__(sleep=self._record_sleep)
        self.slept: list[float] = []
        self.add_route("GET", "/orders/{order_id}", self._get, name="get")
        self.add_route("POST", "/orders", self._create, name="create")

    def _record_sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def _get(self, request: SimRequest) -> SimResponse:
        entry = self.ledger.find("order", request.path_params["order_id"])
        if entry is None:
            return SimResponse.json({"error": "no such order"}, 404)
        return SimResponse.json({"id": entry.key, **entry.data, "q": request.args()})

    def _create(self, request: SimRequest) -> SimResponse:
        body = request.form()
        self.ledger.record("order", body["id"], amount=int(body["amount"]))
        return SimResponse.json({"id": body["id"]}, 201)


def exercise(base_url: str) -> list[tuple[int, Any]]:
    out = []
    with requests.Session() as http:
        r = http.post(f"{base_url}/orders", data={"id": "HS-1", "amount": "50000"}, timeout=5)
        out.append((r.status_code, r.json()))
        r = http.get(f"{base_url}/orders/HS-1", params={"lang": "vi"}, timeout=5)
        out.append((r.status_code, r.json()))
        r = http.get(f"{base_url}/orders/NOPE", timeout=5)
        out.append((r.status_code, r.json()))
        r = http.delete(f"{base_url}/orders/HS-1", timeout=5)
        out.append((r.status_code, r.json()["error"]))
    return out


def test_both_runners_answer_identically() -> None:
    expected = [
        (201, {"id": "HS-1"}),
        (200, {"id": "HS-1", "amount": 50000, "q": {"lang": "vi"}}),
        (404, {"error": "no such order"}),
        (404, "not found"),
    ]
    in_process = Shop()
    with mount(in_process, "https://shop.test"):
        assert expected == exercise("https://shop.test")
    on_socket = Shop()
    with serve(on_socket) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert expected == exercise(base_url)
    assert 1 == in_process.ledger.count("order") == on_socket.ledger.count("order")
    assert ["create", "get", "get"] == [s.route for s in on_socket.seen]


def test_fault_plan_consumes_in_order_route_first_then_wildcard() -> None:
    plan = FaultPlan()
    plan.add("*", Status(500))
    plan.add("get", Latency(1.0), times=2)
    assert Latency(1.0) == plan.take("get")
    assert Latency(1.0) == plan.take("get")
    assert Status(500) == plan.take("get")
    assert plan.take("get") is None
    with pytest.raises(ValueError, match="times"):
        plan.add("get", Status(500), times=0)


def test_latency_uses_the_simulators_sleep_in_process() -> None:
    shop = Shop()
    shop.faults.add("create", Latency(0.75))
    with mount(shop, "https://shop.test"):
        requests.post("https://shop.test/orders", data={"id": "A", "amount": "1"}, timeout=5)
    assert [0.75] == shop.slept
    assert 1 == shop.ledger.count("order")


def test_malformed_and_status_faults_process_nothing() -> None:
    shop = Shop()
    shop.faults.add("create", Malformed(b"{{{"))
    shop.faults.add("create", Status(503, b"busy"))
    with mount(shop, "https://shop.test"):
        first = requests.post(
            "https://shop.test/orders", data={"id": "A", "amount": "1"}, timeout=5
        )
        second = requests.post(
            "https://shop.test/orders", data={"id": "A", "amount": "1"}, timeout=5
        )
    assert (200, b"{{{") == (first.status_code, first.content)
    assert (503, b"busy") == (second.status_code, second.content)
    assert 0 == shop.ledger.count("order")


def test_server_stops_promptly_while_a_request_is_held() -> None:
    shop = Shop()
    shop.faults.add("get", TimeoutBeforeProcessing(hold=30.0))
    errors: list[BaseException] = []

    def client(url: str) -> None:
        try:
            requests.get(f"{url}/orders/X", timeout=(1, 60))
        except requests.RequestException as exc:
            errors.append(exc)

    with serve(shop) as base_url:
        thread = threading.Thread(target=client, args=(base_url,))
        thread.start()
        time.sleep(0.2)
        began = time.monotonic()
    stopped_in = time.monotonic() - began
    thread.join(timeout=5)
    assert stopped_in < 5.0
    assert 1 == len(errors)


def test_pytest_plugin_fixtures(
    serve_app: Callable[[Any], str], mount_simulator: Callable[[Simulator, str], Any]
) -> None:
    served, mounted = Shop(), Shop()
    base_url = serve_app(served)
    assert base_url.startswith("http://127.0.0.1:")
    requests.post(f"{base_url}/orders", data={"id": "S", "amount": "1"}, timeout=5)
    mount_simulator(mounted, "https://mounted.test")
    requests.post("https://mounted.test/orders", data={"id": "M", "amount": "2"}, timeout=5)
    assert ["S"] == [e.key for e in served.ledger]
    assert ["M"] == [e.key for e in mounted.ledger]


def test_mounts_nest_and_unmount_in_order() -> None:

    first, second = Simulator(), Simulator()
    first.add_route("GET", "/who", lambda request: SimResponse.json({"sim": 1}))
    second.add_route("GET", "/who", lambda request: SimResponse.json({"sim": 2}))
    with mount(first, "https://one.sim.test"):
        with mount(second, "https://two.sim.test"):
            assert {"sim": 1} == requests.get("https://one.sim.test/who", timeout=1).json()
            assert {"sim": 2} == requests.get("https://two.sim.test/who", timeout=1).json()
        assert {"sim": 1} == requests.get("https://one.sim.test/who", timeout=1).json()
        with pytest.raises(requests.ConnectionError):
            requests.get("https://two.sim.test/who", timeout=1)


def test_an_inner_mount_on_the_same_url_wins_and_has_its_own_calls() -> None:
    outer, inner = Simulator(), Simulator()
    outer.add_route("GET", "/who", lambda request: SimResponse.json({"sim": "outer"}))
    inner.add_route("GET", "/who", lambda request: SimResponse.json({"sim": "inner"}))
    with mount(outer, "https://same.sim.test") as outer_mock:
        requests.get("https://same.sim.test/who", timeout=1)
        with mount(inner, "https://same.sim.test") as inner_mock:
            answer = requests.get("https://same.sim.test/who", timeout=1).json()
            assert 1 == len(inner_mock.calls)
        assert {"sim": "inner"} == answer
        assert 1 == len(outer_mock.calls)
        assert {"sim": "outer"} == requests.get("https://same.sim.test/who", timeout=1).json()
