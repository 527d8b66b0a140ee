"""Import cost: a fresh interpreter importing a part of the library against `import requests`.

    python -m benchmarks.imports [--quick]

Whole processes, paired: `python -c "import requests"` and `python -c "import <part>"`
(or the CLI's `connectors --version`) alternate, started from the repository root; the
figure is the median ratio of the children's CPU time (user + system, which a loaded
machine barely moves), with the wall time and the peak resident memory beside it.
"""

from __future__ import annotations

from benchmarks.harness import Outcome, Row, fmt_seconds, paired_processes, run_script

BASELINE = "import requests"
VERSION = (
    "import sys\nfrom connectors.cli import app\n"
    "sys.argv = ['connectors', '--version']\napp(prog_name='connectors')"
)
LAZY = "no heavy module it does not use"
CASES: list[tuple[str, str, str, float | None]] = [
    ("imports.banks_vnpay", "import connectors.banks.vnpay", "", 1.5),
    ("imports.cli_version", "connectors --version", VERSION, 1.5),
    ("imports.core_transport", "import connectors.core.transport", "", 1.5),
    ("imports.vn", "import connectors.vn", "", 1.5),
    ("imports.einvoice", "import connectors.einvoice", "", None),
    ("imports.einvoice_gdt", "import connectors.einvoice.gdt", "", None),
]
"""(key, what the table says, the code when it is not the label, the bound on the ratio)."""


def measure(quick: bool = False) -> Outcome:
    """One row per case: the median CPU ratio against `import requests`."""
    runs = 5 if quick else 11
    rows = []
    for key, label, code, limit in CASES:
        pair = paired_processes(code or label, BASELINE, runs=runs)
        detail = (
            f"CPU {fmt_seconds(pair.cpu.ours)} vs {fmt_seconds(pair.cpu.base)}, "
            f"wall {fmt_seconds(pair.wall.ours)} vs {fmt_seconds(pair.wall.base)} "
            f"({pair.wall.ratio:.2f}x), {pair.ours_mib:.0f} vs {pair.base_mib:.0f} MiB"
        )
        target = LAZY if limit is None else f"<= {limit}x"
        title = f"`{label}` (whole process, paired)"
        rows.append(Row(key, title, pair.cpu.ratio, target, detail, limit))
    return Outcome(rows)


if __name__ == "__main__":
    run_script(measure, __doc__)
