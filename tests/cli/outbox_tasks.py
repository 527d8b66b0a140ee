"""Tasks for the `connectors outbox run` tests: named as `tests.cli.outbox_tasks:TASKS`."""

from __future__ import annotations

from connectors.core.errors import ValidationError
from connectors.delivery import Job, JobResult, Task

DONE: list[str] = []


def _record(job: Job) -> JobResult:
    if job.payload.get("bad"):
        raise ValidationError("this job can never succeed", field="payload")
    DONE.append(job.key)
    return JobResult({"recorded": job.key})


TASKS = {"record": Task(run=_record)}
NOT_TASKS = {"record": "not a task"}
