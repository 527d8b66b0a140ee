"""Transport against a plain `requests.Session`: small calls, and 200-270 KB answers.

    python -m benchmarks.transport [--quick]

A fixed-answer WSGI app is served on 127.0.0.1. Each round sends the same N requests
through `connectors.core.Transport` (timeouts, deadline, retry machinery, size limit,
redaction when someone reads it) and through a plain `requests.Session` with the same
timeouts; rounds alternate and the median per-round ratio is the figure. Rows: one small
GET, one small POST (a JSON body), and answers of 250 KB JSON, 270 KB XML and 200 KB SOAP
read whole. Default logging (nothing at DEBUG) and no hooks, as in production.
Loopback only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import requests

from benchmarks.harness import Outcome, Row, fmt_seconds, paired, repeat, run_script
from connectors.core.retry import Idempotency
from connectors.core.transport import RequestSpec, Transport
from connectors.testing import serve

TIMEOUT = (5.0, 30.0)


def _json_body(size: int) -> bytes:
    item = {"id": 0, "dossier": "HS2025000123", "status": "paid", "amount": 50_000}
    items = [dict(item, id=i) for i in range(size // len(json.dumps(item)))]
    return json.dumps({"code": "00", "items": items}).encode()


def _xml_rows(size: int) -> str:
    row = "<row><id>{}</id><dossier>HS2025000123</dossier><status>paid</status></row>"
    return "".join(row.format(i) for i in range(size // len(row)))


def _soap_body(size: int) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f'<ListResponse xmlns="http://tempuri.org/"><ListResult>{_xml_rows(size)}'
        "</ListResult></ListResponse></soap:Body></soap:Envelope>"
    ).encode()


ANSWERS: dict[str, tuple[str, bytes]] = {
    "/small": ("application/json", b'{"code":"00","ok":true}'),
    "/json": ("application/json", _json_body(250_000)),
    "/xml": ("application/xml", f"<list>{_xml_rows(270_000)}</list>".encode()),
    "/soap": ("text/xml; charset=utf-8", _soap_body(200_000)),
}


def _app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    kind, body = ANSWERS[environ["PATH_INFO"]]
    start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(body)))])
    return [body]


def measure(quick: bool = False) -> Outcome:
    """The five transport rows."""
    rounds = 7 if quick else 15
    small_n, large_n = (100, 10) if quick else (300, 30)
    payload = {"dossier": "HS2025000123", "amount": 50_000, "phone": "0912345678"}
    rows = []
    with serve(_app) as base_url, requests.Session() as session, Transport("bench") as http:

        def ours(method: str, path: str) -> Callable[[], object]:
            spec = RequestSpec(method, base_url + path, json=payload if method == "POST" else None)
            kind = Idempotency.KEYED_WRITE if method == "POST" else Idempotency.READ
            key = "HS2025000123:bench" if method == "POST" else None
            return lambda: (
                http.request(spec, operation="bench", idempotency=kind, idempotency_key=key).content
            )

        def plain(method: str, path: str) -> Callable[[], object]:
            url, body = base_url + path, payload if method == "POST" else None
            return lambda: session.request(method, url, json=body, timeout=TIMEOUT).content

        cases = [
            ("transport.small_get", "one small GET", "GET", "/small", small_n, "<= 1.10x", 1.10),
            ("transport.small_post", "one small POST", "POST", "/small", small_n, "<= 1.10x", 1.10),
            ("transport.json_250k", "250 KB JSON answer", "GET", "/json", large_n, "<= 1.3x", 1.3),
            ("transport.xml_270k", "270 KB XML answer", "GET", "/xml", large_n, "<= 1.3x", 1.3),
            ("transport.soap_200k", "200 KB SOAP answer", "GET", "/soap", large_n, "<= 1.3x", 1.3),
        ]
        for key, label, method, path, n, target, limit in cases:
            pair = paired(
                repeat(ours(method, path), n), repeat(plain(method, path), n), rounds=rounds
            )
            detail = (
                f"ours {fmt_seconds(pair.ours / n)}, requests.Session {fmt_seconds(pair.base / n)}"
                " per call"
            )
            rows.append(Row(key, f"transport, {label}", pair.ratio, target, detail, limit))
    return Outcome(rows)


if __name__ == "__main__":
    run_script(measure, __doc__)
