"""The daily report on a year of one commune's outbox (about 10^5 jobs).

    PYTHONPATH=. python benchmarks/report_year.py [--payments-per-day N] [--rounds R]

A fresh SQLite outbox holds a year of the fee path: per payment a receipt job, an SMS
job and a status job, all done (a few SMS dead, a few jobs waiting for reconciliation),
at working hours, paid by four gateways. Each round times, in the same process: the report
of one day (`daily_report`), the 30 days behind a chart (`trend`) and the chart drawn, and
a bare ``SELECT count(*) FROM outbox_jobs`` on the same file, and a bare count of the
day's jobs by creation time (a scan: that column has no index). Printed: the median times,
and last the ratios of the medians. No threshold.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from connectors.delivery import SqliteOutbox
from connectors.report import daily_report, day_bounds, render_chart_png, trend
from connectors.vn.time import VN_TZ

FIRST = date(2025, 3, 1)
GATEWAYS = ("vnpay", "momo", "payos", "vietqr")
_INSERT = (
    "INSERT INTO outbox_jobs (kind, key, payload, state, attempts, created_at, retry_since,"
    " next_attempt_at, last_error, result, finished_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)"
)


def _jobs(per_day: int, rng: random.Random) -> Iterator[tuple[object, ...]]:
    number = 0
    for offset in range(365):
        day = FIRST + timedelta(days=offset)
        if day.weekday() == 6:
            continue
        opening = datetime(day.year, day.month, day.day, 7, 30, tzinfo=VN_TZ).timestamp()
        for _ in range(rng.randint(per_day // 2, per_day * 3 // 2)):
            number += 1
            code = f"HS{number:010d}"
            paid = opening + rng.uniform(0, 9.5 * 3600)
            event = {
                "dossier": code,
                "amount": rng.choice((8_000, 20_000, 50_000, 100_000)),
                "gateway": rng.choice(GATEWAYS),
                "transaction_id": f"T{number}",
                "paid_at": datetime.fromtimestamp(paid, VN_TZ).isoformat(),
                "citizen": f"C{number}",
            }
            payload = json.dumps({"subject": code, "event": event, "results": {}})
            receipt_done = paid + rng.expovariate(1 / 120)
            sms_done = receipt_done + rng.expovariate(1 / 20)
            sms_state = "dead" if rng.random() < 0.01 else "done"
            status_state = "unknown" if rng.random() < 0.002 else "done"
            for kind, state, done in (
                ("fee_receipt", "done", receipt_done),
                ("fee_sms", sms_state, sms_done),
                ("fee_status", status_state, sms_done + 1),
            ):
                error = None if state == "done" else "Rejected: example"
                finished = None if state == "unknown" else done
                yield (
                    kind,
                    f"{code}:{kind[4:]}",
                    payload,
                    state,
                    paid,
                    paid,
                    paid,
                    error,
                    "{}",
                    finished,
                )


def _median_time(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments-per-day", type=int, default=110)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args(argv)
    rng = random.Random(15)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "outbox.db"
        SqliteOutbox(db).close()
        with sqlite3.connect(db, isolation_level=None) as conn:
            conn.execute("BEGIN")
            conn.executemany(_INSERT, _jobs(args.payments_per_day, rng))
            conn.execute("COMMIT")
            total = conn.execute("SELECT count(*) FROM outbox_jobs").fetchone()[0]
        day = FIRST + timedelta(days=200)
        bare = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)

        lo, hi = day_bounds(day)

        def count() -> None:
            bare.execute("SELECT count(*) FROM outbox_jobs").fetchone()

        def count_day() -> None:
            bare.execute(
                "SELECT count(*) FROM outbox_jobs WHERE created_at >= ? AND created_at < ?",
                (lo, hi),
            ).fetchone()

        def one_day() -> None:
            daily_report(db, day)

        def chart() -> None:
            render_chart_png(trend(db, day))

        t_count = _median_time(count, args.rounds)
        t_count_day = _median_time(count_day, args.rounds)
        t_day = _median_time(one_day, args.rounds)
        t_chart = _median_time(chart, args.rounds)
        bare.close()
        print(f"{total:,} jobs, {db.stat().st_size / 1e6:.0f} MB")
        print(f"bare count(*):        {t_count * 1e3:8.1f} ms")
        print(f"bare count of a day:  {t_count_day * 1e3:8.1f} ms (created_at: no index, a scan)")
        print(f"report of one day:    {t_day * 1e3:8.1f} ms")
        print(f"30 days + the chart:  {t_chart * 1e3:8.1f} ms")
        print(f"one day / count of a day:  {t_day / t_count_day:.2f}")
        print(f"one day / count(*):        {t_day / t_count:.0f}")
        print(f"chart / count(*):          {t_chart / t_count:.0f}")


if __name__ == "__main__":
    main()
