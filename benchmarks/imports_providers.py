"""Import cost of the provider packages: a fresh interpreter against `import requests`.

    python benchmarks/imports_providers.py [--runs N] [--only PACKAGE]

Whole processes, paired: `python -c "import requests"` and `python -c "import <provider>"`
alternate (the order flipped every pair), started from the repository root so they import
this checkout. The figure is the median of the per-pair ratios of the children's CPU time
(user + system, from `wait4`), which a loaded machine barely moves; wall time and peak
resident memory are printed beside it. The last line is the `connectors.banks.vnpay` row.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "requests"
PROVIDERS = [
    "connectors.banks.vnpay",
    "connectors.banks.momo",
    "connectors.banks.payos",
    "connectors.banks.sepay",
    "connectors.sms.mobifone",
    "connectors.sms.viettel",
    "connectors.sms.vnpt",
    "connectors.sms.esms",
    "connectors.ihanoi.contract",
    "connectors.ihanoi.open311",
]


@dataclass(frozen=True)
class Run:
    """One child process: CPU and wall seconds, peak resident MiB."""

    cpu: float
    wall: float
    mib: float


def run(module: str) -> Run:
    """`python -c "import module"` in a fresh interpreter at the repository root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, env=env
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import {module} failed ({status})")
    return Run(usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024)


def paired(module: str, runs: int) -> tuple[list[Run], list[Run]]:
    """`runs` pairs (ours, baseline), the order flipped every pair, after one warm-up each."""
    run(BASELINE)
    run(module)
    ours: list[Run] = []
    base: list[Run] = []
    for number in range(runs):
        if number % 2:
            ours.append(run(module))
            base.append(run(BASELINE))
        else:
            base.append(run(BASELINE))
            ours.append(run(module))
    return ours, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", action="append", help="a provider package (repeatable)")
    args = parser.parse_args()
    modules = args.only or PROVIDERS
    print(f"{'import':<30}{'CPU ratio':>10}{'CPU ms':>9}{'base ms':>9}{'MiB':>6}{'base':>6}")
    ratios: dict[str, float] = {}
    for module in modules:
        ours, base = paired(module, args.runs)
        ratios[module] = statistics.median(o.cpu / b.cpu for o, b in zip(ours, base, strict=True))
        print(
            f"{module:<30}{ratios[module]:>9.2f}x"
            f"{statistics.median(o.cpu for o in ours) * 1000:>9.0f}"
            f"{statistics.median(b.cpu for b in base) * 1000:>9.0f}"
            f"{statistics.median(o.mib for o in ours):>6.0f}"
            f"{statistics.median(b.mib for b in base):>6.0f}"
        )
    first = modules[0]
    print(f"median CPU ratio, import {first} / import {BASELINE}: {ratios[first]:.2f}")


if __name__ == "__main__":
    main()
