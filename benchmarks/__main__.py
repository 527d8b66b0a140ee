"""`python -m benchmarks` runs every row and writes `docs/performance.md` (see `run_all`)."""

from benchmarks.run_all import main

main()
