"""Durable delivery: the outbox, its worker and the fee flow.

Work that must happen after a business event (issue the receipt once a payment is
confirmed, text the citizen, push a status) is stored in the same transaction as the
event, under an idempotency key derived from it, and carried out by a `Worker` that
survives crashes and replays with the same key. `SqliteOutbox` is the embedded default;
`PostgresOutbox` keeps the jobs in the portal's own PostgreSQL database, shared by every
app server and worker (psycopg is imported only when it connects).

The fee path is typed end to end: a `FeePaid` event (amount as int VND, fee lines,
references to the citizen) started on a `FeeFlow` that `fee_steps` binds to the commune's
adapters, with the vendors' lookups built in.
"""

from connectors.delivery.fee_steps import FeedbackAnswers, FeeFlow, fee_steps
from connectors.delivery.fees import Citizen, FeeLine, FeePaid
from connectors.delivery.flow import FEE_STEPS, Flow, Step, StepContext, fee_flow
from connectors.delivery.jobs import Job, JobResult, JobState, NewJob, Resolution, ResolveAction
from connectors.delivery.outcomes import may_have_reached_vendor
from connectors.delivery.postgres import PostgresOutbox, PostgresTransaction
from connectors.delivery.sqlite_store import OutboxTransaction, SqliteOutbox
from connectors.delivery.store import Enqueuer, OutboxStore
from connectors.delivery.worker import Task, Worker, WorkerReport, default_owner

__all__ = [
    "FEE_STEPS",
    "Citizen",
    "Enqueuer",
    "FeeFlow",
    "FeeLine",
    "FeePaid",
    "FeedbackAnswers",
    "Flow",
    "Job",
    "JobResult",
    "JobState",
    "NewJob",
    "OutboxStore",
    "OutboxTransaction",
    "PostgresOutbox",
    "PostgresTransaction",
    "Resolution",
    "ResolveAction",
    "SqliteOutbox",
    "Step",
    "StepContext",
    "Task",
    "Worker",
    "WorkerReport",
    "default_owner",
    "fee_flow",
    "fee_steps",
    "may_have_reached_vendor",
]
