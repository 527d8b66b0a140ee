"""The runnable portal example works end to end on loopback."""

from __future__ import annotations

import io

from connectors.testing.examples import ipn_wsgi


def test_example_round_trip_reaches_the_portal_once() -> None:
    out = io.StringIO()
    assert 0 == ipn_wsgi.main(out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("citizen opens http://127.0.0.1:")
    assert 1 == sum(line.startswith("portal: HS2025000123 paid 50000 VND") for line in lines)
    assert [
        'VNPay delivery 1: {"RspCode":"00","Message":"Confirm Success"}',
        'VNPay delivery 2: {"RspCode":"02","Message":"Order already confirmed"}',
        'VNPay delivery 3: {"RspCode":"02","Message":"Order already confirmed"}',
        "querydr: paid 50000 VND",
    ] == lines[-4:]
