"""SMS batch benchmark: `send_many` against plain `requests` calls to the same simulator.

    python -m benchmarks.sms_batch [--messages N] [--threads T] [--quick]

A MobiFone simulator is served on 127.0.0.1. The baseline logs in once and sends N form
posts with a plain `requests.Session` from T threads. Ours sends the same N messages with
`MobifoneSms.send_many` (template check, unaccented text, segments, idempotency journal,
rate limit set high enough not to bind, a result per message). Then memory: the peak
traced allocation per message for N/5 and N messages, which stays about the same when
nothing leaks beyond the per-message results. Loopback only; no thresholds.

`measure` (used by `python -m benchmarks`) runs batches of 500, 2,000 and 10,000 messages
(fewer with `--quick`), ours and the plain pool alternately, elapsed time (the figure is
throughput), and gives the rows at 2k and 10k and the chart of cost per message by size.
"""

from __future__ import annotations

import argparse
import threading
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import requests

from benchmarks.harness import Chart, Outcome, Row, Series, alternate, medians, print_rows
from connectors.simulators import SMS_BRANDNAME, SMS_TEMPLATE
from connectors.sms import Brandname, Template, TemplateRegistry
from connectors.sms.mobifone import MobifoneSms
from connectors.sms.mobifone.wire import DEFAULT_PROFILE
from connectors.testing import serve
from connectors.testing.simulators.sms import MobifoneSmsSimulator

BRAND, TEXT = SMS_BRANDNAME, SMS_TEMPLATE
USER, PASSWORD = "portal-test", "fake-password-1"


def phone(n: int) -> str:
    return f"091{n:07d}"


def baseline(base_url: str, n: int, threads: int) -> float:
    local = threading.local()

    def session() -> requests.Session:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return local.session  # type: ignore[no-any-return]

    login = (
        session()
        .get(
            base_url + DEFAULT_PROFILE.login_path,
            params={"userName": USER, "password": PASSWORD, "bindMode": DEFAULT_PROFILE.bind_mode},
            timeout=5,
        )
        .json()
    )

    def send(i: int) -> None:
        fields = {
            "sid": login["sid"],
            "sender": BRAND,
            "recipient": "84" + phone(i)[1:],
            "content": TEXT.format(dossier=f"HS{i:010d}", amount="50.000", code=f"BL{i}"),
        }
        url = base_url + DEFAULT_PROFILE.send_path
        if DEFAULT_PROFILE.method.upper() == "GET":
            session().get(url, params=fields, timeout=5).raise_for_status()
        else:
            session().post(url, data=fields, timeout=5).raise_for_status()

    return timed(lambda: list(ThreadPoolExecutor(threads).map(send, range(n))))


def messages(n: int, offset: int = 0) -> list[dict[str, object]]:
    return [
        {
            "recipient": phone(offset + i),
            "template_id": "paid",
            "params": {"dossier": f"HS{offset + i:010d}", "amount": "50.000", "code": f"BL{i}"},
            "idempotency_key": f"HS{offset + i:010d}:sms",
        }
        for i in range(n)
    ]


def ours(base_url: str, batch: list[dict[str, object]], threads: int) -> tuple[float, int]:
    sender = MobifoneSms(
        base_url=base_url,
        username=USER,
        password=PASSWORD,
        templates=TemplateRegistry([Brandname(BRAND)], [Template("paid", TEXT, BRAND)]),
        brandname=BRAND,
        rate_limit=1_000_000.0,
    )
    result: list[int] = []
    seconds = timed(
        lambda: result.append(
            sum(r.accepted for r in sender.send_many(batch, concurrency=threads).results)
        )
    )
    return seconds, result[0]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def peak_per_message(base_url: str, n: int, threads: int, offset: int = 10_000_000) -> float:
    tracemalloc.start()
    ours(base_url, messages(n, offset=offset), threads)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / n


def measure(quick: bool = False, threads: int = 16) -> Outcome:
    """Rows at 2k and 10k messages (target 1.11x) and the chart by batch size."""
    sizes, rounds = ((200, 1000, 2000), 1) if quick else ((500, 2000, 10_000), 3)
    sim = MobifoneSmsSimulator(
        brandnames=[BRAND], templates={BRAND: [TEXT]}, username=USER, password=PASSWORD
    )
    mine, plain = Series("send_many"), Series("plain requests pool")
    rows = []
    batches = iter(range(1, 1_000))
    with serve(sim) as base_url:
        for size in sizes:

            def ours_once(n: int = size) -> float:
                offset = 1_000_000 * next(batches)  # fresh keys: nothing replays
                return ours(base_url, messages(n, offset=offset), threads)[0]

            def plain_once(n: int = size) -> float:
                return baseline(base_url, n, threads)

            pair = medians(alternate(ours_once, plain_once, rounds))
            mine.points.append((size, pair.ours / size * 1e3))
            plain.points.append((size, pair.base / size * 1e3))
            if size in (2000, 10_000):
                small = peak_per_message(base_url, size // 5, threads, 20_000_000 + size)
                large = peak_per_message(base_url, size, threads, 30_000_000 + size)
                detail = (
                    f"ours {size / pair.ours:,.0f} msg/s, plain {size / pair.base:,.0f} msg/s "
                    f"({threads} threads); peak memory per message {large:,.0f} B at {size:,}, "
                    f"{small:,.0f} B at {size // 5:,}"
                )
                label = f"SMS `send_many`, {size // 1000}k messages"
                rows.append(
                    Row(
                        f"sms.send_many_{size // 1000}k",
                        label,
                        pair.ratio,
                        "<= 1.11x",
                        detail,
                        1.11,
                    )
                )
    chart = Chart(
        "sms_batch",
        "SMS send_many: cost per message by batch size",
        "messages in the batch",
        "ms per message (elapsed)",
        [mine, plain],
    )
    return Outcome(rows, [chart])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="the harness's rows, small sizes")
    args = parser.parse_args()
    if args.quick:
        print_rows(measure(quick=True, threads=args.threads).rows)
        return
    sim = MobifoneSmsSimulator(
        brandnames=[BRAND], templates={BRAND: [TEXT]}, username=USER, password=PASSWORD
    )
    with serve(sim) as base_url:
        plain = baseline(base_url, args.messages, args.threads)
        seconds, accepted = ours(base_url, messages(args.messages), args.threads)
        small = peak_per_message(base_url, args.messages // 5, args.threads)
        large = peak_per_message(base_url, args.messages, args.threads)
    n = args.messages
    print(f"{'run':<34}{'seconds':>9}{'msg/s':>9}")
    print(f"{'plain requests x' + str(n):<34}{plain:>9.2f}{n / plain:>9.0f}")
    print(f"{'send_many x' + str(n):<34}{seconds:>9.2f}{n / seconds:>9.0f}")
    print(f"overhead ratio (ours / plain): {seconds / plain:.2f}; accepted {accepted}/{n}")
    print(
        f"peak traced bytes per message: {small:,.0f} at {n // 5}, {large:,.0f} at {n}"
        f" (ratio {large / small:.2f})"
    )


if __name__ == "__main__":
    main()
