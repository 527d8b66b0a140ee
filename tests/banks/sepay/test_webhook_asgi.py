"""The SePay webhook under ASGI (raw and Starlette): the same answers and the same transfers
handed over as under WSGI."""

from __future__ import annotations

import pytest

from connectors.banks.matching import BankTransfer
from tests.banks.sepay.test_webhook import BODY, receiver, signed
from tests.core.servers import DRIVERS, asgi_call


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_a_transfer_is_handed_over_once_and_a_forgery_is_401(driver: str) -> None:
    seen: list[BankTransfer] = []
    app = receiver().wsgi_app(seen.append)  # a WSGI app whose `asgi` is its ASGI twin
    first = DRIVERS[driver](app, "POST", "/sepay", headers=signed(), body=BODY)
    again = DRIVERS[driver](app, "POST", "/sepay", headers=signed(), body=BODY)
    forged = DRIVERS[driver](app, "POST", "/sepay", headers=signed(secret="wrong"), body=BODY)
    wrong_method = DRIVERS[driver](app, "GET", "/sepay")
    assert (200, b'{"success": true}') == (first.status, first.body)
    assert (200, b'{"success": true}') == (again.status, again.body)
    assert 401 == forged.status
    assert (405, "POST") == (wrong_method.status, wrong_method.headers["Allow"])
    assert ["92704"] == [t.transfer_id for t in seen]


def test_asgi_app_is_the_webhook_bound_to_on_transfer() -> None:
    seen: list[BankTransfer] = []
    app = receiver().asgi_app(seen.append)
    answer = asgi_call(app, "POST", "/sepay", headers=signed(), body=BODY)
    over = asgi_call(app, "POST", "/sepay", headers=signed(), body=b" " * 70_000)
    assert (200, 413) == (answer.status, over.status)
    assert ["92704"] == [t.transfer_id for t in seen]
