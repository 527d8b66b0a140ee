"""Sending at scale: bounded concurrency, a result per message, progress as it goes.

`run_batch` is what every sender's `send_many` does. Messages are read lazily and at most
`concurrency * 2` are in flight, so memory stays flat whatever the batch size; the
provider's rate limit lives in the sender itself (a token bucket), shared by all threads.
A message that cannot even be built (a bad phone number in a mapping) or that the provider
refuses gets its own result; it never stops the batch.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sized
from concurrent.futures import Future, ThreadPoolExecutor
from typing import ClassVar

from connectors.core.errors import ConnectorError
from connectors.sms.base import (
    BatchProgress,
    BatchResult,
    Message,
    MessageInput,
    ProgressCallback,
    SendResult,
    SendStatus,
    message_from,
)

__all__ = ["BatchSender", "run_batch"]

SendOne = Callable[[Message], SendResult]


class _Tally:
    def __init__(self, total: int | None, progress: ProgressCallback | None) -> None:
        self._lock = threading.Lock()
        self._counts = dict.fromkeys(SendStatus, 0)
        self._done = 0
        self._total = total
        self._progress = progress

    def add(self, result: SendResult) -> None:
        with self._lock:
            self._done += 1
            self._counts[result.status] += 1
            if self._progress is None:
                return
            snapshot = BatchProgress(
                done=self._done,
                total=self._total,
                accepted=self._counts[SendStatus.ACCEPTED],
                rejected=self._counts[SendStatus.REJECTED],
                failed=self._counts[SendStatus.FAILED],
                unknown=self._counts[SendStatus.UNKNOWN],
            )
            self._progress(snapshot)


def _one(provider: str, send: SendOne, item: MessageInput) -> SendResult:
    raw_key = item.get("idempotency_key") if isinstance(item, Mapping) else None
    key = raw_key if isinstance(raw_key, str) else None
    try:
        message = message_from(item)
    except ConnectorError as exc:
        return SendResult.from_error(exc, provider=provider, idempotency_key=key)
    try:
        return send(message)
    except ConnectorError as exc:
        return SendResult.from_error(
            exc,
            provider=provider,
            idempotency_key=message.idempotency_key,
            recipient=message.recipient,
        )


def run_batch(
    provider: str,
    send: SendOne,
    messages: Iterable[MessageInput],
    *,
    concurrency: int = 8,
    progress: ProgressCallback | None = None,
) -> BatchResult:
    """Send every message with `send` on `concurrency` threads; results in input order.

    `send` raises `ConnectorError`s for a message it cannot send; they become that
    message's result (see `SendResult.from_error`). Any other exception (from `send` or
    from `progress`) is a bug: no new message is started and it is raised once the
    messages in flight have finished.
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    total = len(messages) if isinstance(messages, Sized) else None
    tally = _Tally(total, progress)
    results: list[SendResult | None] = []
    slots = threading.BoundedSemaphore(concurrency * 2)
    started = time.monotonic()
    failures: list[BaseException] = []

    def finished(index: int, future: Future[SendResult]) -> None:
        try:
            result = future.result()
            results[index] = result
            tally.add(result)  # may call the progress callback
        except BaseException as exc:  # a bug (here or in the callback), raised after the batch
            failures.append(exc)
        finally:
            slots.release()

    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="sms-batch") as pool:
        for index, item in enumerate(messages):
            if failures:
                break
            slots.acquire()
            results.append(None)
            future = pool.submit(_one, provider, send, item)
            future.add_done_callback(lambda f, i=index: finished(i, f))  # type: ignore[misc]
    if failures:
        raise failures[0]
    final = tuple(r for r in results if r is not None)
    assert len(final) == len(results), "every message has a result"
    return BatchResult(final, time.monotonic() - started)


class BatchSender(ABC):
    """`send_many` for a sender: its `send` run over many messages (`run_batch`)."""

    name: ClassVar[str] = "sms"
    """The sender's name (a provider's, or a router's)."""

    @abstractmethod
    def send(self, message: Message, idempotency_key: str | None = None) -> SendResult:
        """Send one message (see `connectors.sms.base.SmsSender.send`)."""

    def send_many(
        self,
        messages: Iterable[MessageInput],
        *,
        concurrency: int = 8,
        progress: ProgressCallback | None = None,
    ) -> BatchResult:
        """Send many messages with bounded concurrency; one result per message, in input
        order (see `run_batch`)."""
        return run_batch(self.name, self.send, messages, concurrency=concurrency, progress=progress)
