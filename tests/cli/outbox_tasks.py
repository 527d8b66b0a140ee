"""Tasks for the `connectors outbox run` tests: named as `tests.cli.outbox_tasks:TASKS`, or
`tests.cli.outbox_tasks:fee_tasks` (a factory given the commune's adapters)."""

from __future__ import annotations

from connectors.commune import Adapters
from connectors.core.errors import ValidationError
from connectors.delivery import Citizen, FeeFlow, Job, JobResult, Task, fee_steps

DONE: list[str] = []


def _record(job: Job) -> JobResult:
    if job.payload.get("bad"):
        raise ValidationError("this job can never succeed", field="payload")
    DONE.append(job.key)
    return JobResult({"recorded": job.key})


TASKS = {"record": Task(run=_record)}
NOT_TASKS = {"record": "not a task"}

PEOPLE = {"CD000101": Citizen("Nguyễn Văn Thử", "0912345678")}
"""The portal's citizens, looked up when a fee step runs."""


def fee_tasks(adapters: Adapters) -> FeeFlow:
    """A portal's fee flow over the adapters `connectors outbox run` builds for it."""
    return fee_steps(
        invoices=adapters.invoices,
        sms=adapters.sms,
        seller=adapters.config.seller,
        citizen_lookup=PEOPLE.__getitem__,
    )
