"""Benchmarks: one script per row of the performance table, each measuring this library
against a baseline in the same run and printing the median ratio last.

    python -m benchmarks                 # every row; writes docs/performance.md
    python -m benchmarks.transport       # one row script on its own

`harness` holds the shared timing and printing, `png` the chart writer, `run_all` the
page. `outbox_postgres` is run on its own (it needs a PostgreSQL server).
"""
