"""SMS `send_many` against a bare `requests` thread pool, at 2k and 10k messages.

    python benchmarks/send_many.py [--sizes 2000 10000] [--rounds R] [--threads T]

The pieces are `sms_batch.py`'s: a MobiFone simulator on 127.0.0.1, the baseline posting
the same N forms from T threads with plain `requests.Session`s, ours `MobifoneSms.send_many`
with T threads (template check, text pipeline, idempotency journal, rate limit set not to
bind, a result per message in input order). Here the two alternate for R rounds per size
(the order flipped each round, fresh idempotency keys each time); the figure is the median
of the per-round ratios of wall time, and beside it of this process's CPU time (client and
simulator together, which a loaded machine moves less); then the peak traced memory per message
at N/5 and N. The last line is the median ratio per size.
"""

from __future__ import annotations

import argparse
import statistics
import time

from sms_batch import BRAND, PASSWORD, TEXT, USER, baseline, messages, ours, peak_per_message

from connectors.testing import serve
from connectors.testing.simulators.sms import MobifoneSmsSimulator

Run = tuple[float, float]
"""Wall and CPU seconds of one batch (the CPU of this whole process: client threads and
the simulator serving them)."""


def ours_run(base_url: str, batch: list[dict[str, object]], threads: int) -> Run:
    cpu = time.process_time()
    seconds, accepted = ours(base_url, batch, threads)
    if accepted != len(batch):
        raise RuntimeError(f"only {accepted} of {len(batch)} accepted")
    return seconds, time.process_time() - cpu


def plain_run(base_url: str, n: int, threads: int) -> Run:
    cpu = time.process_time()
    return baseline(base_url, n, threads), time.process_time() - cpu


def rounds_of(base_url: str, n: int, threads: int, rounds: int) -> list[tuple[Run, Run]]:
    """(ours, baseline) runs for `rounds` rounds, the order flipped every round."""
    samples = []
    for number in range(rounds):
        batch = messages(n, offset=(number + 1) * 1_000_000)
        if number % 2:
            mine = ours_run(base_url, batch, threads)
            samples.append((mine, plain_run(base_url, n, threads)))
        else:
            plain = plain_run(base_url, n, threads)
            samples.append((ours_run(base_url, batch, threads), plain))
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    sim = MobifoneSmsSimulator(
        brandnames=[BRAND], templates={BRAND: [TEXT]}, username=USER, password=PASSWORD
    )
    figures = []
    print(
        f"{'messages':>9}{'ratio':>8}{'CPU ratio':>10}{'ours s':>9}{'plain s':>9}"
        f"{'msg/s':>7}{'B/msg':>8}"
    )
    with serve(sim) as base_url:
        baseline(base_url, 200, args.threads)  # warm the simulator and the pools
        for n in args.sizes:
            samples = rounds_of(base_url, n, args.threads, args.rounds)
            ratio = statistics.median(m[0] / p[0] for m, p in samples)
            cpu_ratio = statistics.median(m[1] / p[1] for m, p in samples)
            mine = statistics.median(m[0] for m, _ in samples)
            plain = statistics.median(p[0] for _, p in samples)
            per_message = peak_per_message(base_url, n, args.threads)
            figures.append(f"{n}: {ratio:.2f} (CPU {cpu_ratio:.2f})")
            print(
                f"{n:>9}{ratio:>7.2f}x{cpu_ratio:>9.2f}x{mine:>9.2f}{plain:>9.2f}"
                f"{n / mine:>7.0f}{per_message:>8,.0f}"
            )
    print("median ratio send_many / bare pool: " + ", ".join(figures))


if __name__ == "__main__":
    main()
