"""The sync helper: every change handed over once, resumed after a crash or a kill."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.ihanoi import (
    Feedback,
    FeedbackPage,
    FeedbackStatus,
    FeedbackSync,
    MemorySyncState,
    SqliteSyncState,
    SyncState,
)
from connectors.ihanoi.contract import IhanoiFeedback
from connectors.ihanoi.sync import Revision
from connectors.testing import serve
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from connectors.vn import VN_TZ

T0 = datetime(2025, 1, 2, 10, 0, tzinfo=VN_TZ)


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing may catch it)."""


class Portal:
    """Records what was handed over; can crash before recording the n-th item."""

    def __init__(self, crash_on: int | None = None) -> None:
        self.got: list[tuple[str, int]] = []
        self.calls = 0
        self.crash_on = crash_on

    def __call__(self, item: Feedback) -> None:
        self.calls += 1
        if self.calls == self.crash_on:
            raise Crash
        self.got.append((item.feedback_id, item.version))


@pytest.fixture(params=["memory", "sqlite"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SyncState]:
    if request.param == "memory":
        yield MemorySyncState()
    else:
        with SqliteSyncState(tmp_path / "sync.sqlite") as store:
            yield store


def submit(sim: IhanoiFeedbackSimulator, n: int) -> list[str]:
    return [
        sim.citizen_submits(title=f"Phản ánh {i}", description="Nội dung thử") for i in range(n)
    ]


def test_every_item_is_handed_over_once(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator, state: SyncState
) -> None:
    ids = submit(sim, 3)
    portal = Portal()
    sync = FeedbackSync(client, portal, state=state)

    first = sync.run_once()
    second = sync.run_once()

    assert [(i, 1) for i in ids] == portal.got
    assert (3, 0, 0, 1) == (first.handed_over, first.skipped, second.handed_over, second.skipped)
    assert sim.feedback(ids[-1]).updated_at == first.cursor == state.cursor("ihanoi")


def test_a_changed_item_is_handed_over_again(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator, state: SyncState
) -> None:
    ids = submit(sim, 2)
    portal = Portal()
    sync = FeedbackSync(client, portal, state=state)
    sync.run_once()

    client.answer(ids[0], "Đã trả lời (thử)", agency_code="UBND-PTN")
    sync.run_once()

    assert [(ids[0], 1), (ids[1], 1), (ids[0], 2)] == portal.got


def test_a_crash_inside_the_handler_loses_nothing_and_doubles_nothing(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator, state: SyncState
) -> None:
    ids = submit(sim, 3)
    portal = Portal(crash_on=2)
    cursor_before = state.cursor("ihanoi")

    with pytest.raises(Crash):
        FeedbackSync(client, portal, state=state).run_once()
    assert cursor_before == state.cursor("ihanoi")  # nothing committed for the page

    report = FeedbackSync(client, portal, state=state).run_once()  # "restart"

    assert [(i, 1) for i in ids] == portal.got
    assert (2, 1) == (report.handed_over, report.skipped)


class KilledBeforeCommit:
    """A state that dies once when asked to commit the cursor."""

    def __init__(self, inner: SyncState) -> None:
        self.inner = inner
        self.armed = True

    def cursor(self, name: str) -> datetime | None:
        return self.inner.cursor(name)

    def commit_cursor(self, name: str, cursor: datetime) -> None:
        if self.armed:
            self.armed = False
            raise Crash
        self.inner.commit_cursor(name, cursor)

    def delivered(self, name: str, feedback_id: str) -> Revision | None:
        return self.inner.delivered(name, feedback_id)

    def mark_delivered(self, name: str, feedback_id: str, revision: Revision) -> None:
        self.inner.mark_delivered(name, feedback_id, revision)


def test_killed_between_handing_over_and_committing_the_cursor(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator, state: SyncState
) -> None:
    ids = submit(sim, 3)
    portal = Portal()

    with pytest.raises(Crash):
        FeedbackSync(client, portal, state=KilledBeforeCommit(state)).run_once()
    assert state.cursor("ihanoi") is None
    report = FeedbackSync(client, portal, state=state).run_once()

    assert [(i, 1) for i in ids] == portal.got
    assert (0, 3) == (report.handed_over, report.skipped)
    assert sim.feedback(ids[-1]).updated_at == state.cursor("ihanoi")


_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from connectors.ihanoi import FeedbackSync, SqliteSyncState
    from connectors.ihanoi.contract import IhanoiFeedback

    base_url, token, db, log = sys.argv[1:5]

    class DiesOnCommit(SqliteSyncState):
        def commit_cursor(self, name, cursor):
            os.kill(os.getpid(), signal.SIGKILL)  # killed after handing over, before committing

    def portal(item):
        with open(log, "a") as f:
            f.write(f"{item.feedback_id} {item.version}\\n")
            f.flush()
            os.fsync(f.fileno())

    client = IhanoiFeedback(base_url=base_url, token=token)
    FeedbackSync(client, portal, state=DiesOnCommit(db)).run_once()
    """
)


@pytest.mark.skipif(not hasattr(os, "kill") or sys.platform == "win32", reason="needs SIGKILL")
def test_a_killed_process_resumes_from_the_committed_cursor(tmp_path: Path) -> None:
    sim = IhanoiFeedbackSimulator()
    ids = submit(sim, 4)
    db, log = tmp_path / "sync.sqlite", tmp_path / "handed.log"
    with serve(sim) as base:
        child = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", _CHILD, base, sim.token, str(db), str(log)],
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert -9 == child.returncode, child.stderr.decode()
        handed_before = log.read_text().split("\n")[:-1]

        sim.operator_sets_status(ids[0], FeedbackStatus.IN_PROGRESS)  # a change while it was down
        portal = Portal()
        with SqliteSyncState(db) as state, IhanoiFeedback(base_url=base, token=sim.token) as client:
            assert state.cursor("ihanoi") is None
            FeedbackSync(client, portal, state=state).run_once()

    assert [f"{i} 1" for i in ids] == handed_before
    assert [(ids[0], 2)] == portal.got


def test_keyset_paging_skips_nothing_when_items_move_during_the_sync(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator, state: SyncState
) -> None:
    sim.page_size = 2
    ids = submit(sim, 5)
    seen: list[tuple[str, int]] = []

    def portal(item: Feedback) -> None:
        seen.append((item.feedback_id, item.version))
        if item.feedback_id == ids[1] and item.version == 1:
            client.update_status(ids[0], FeedbackStatus.ASSIGNED)  # ids[0] moves to the end

    FeedbackSync(client, portal, state=state).run_once()

    assert [(i, 1) for i in ids] + [(ids[0], 2)] == seen


class FixedSource:
    """A source whose items may share one `updated_at`, listed page by page."""

    def __init__(self, items: list[Feedback], page_size: int = 2) -> None:
        self.items = items
        self.page_size = page_size
        self.calls: list[tuple[datetime | None, int]] = []

    def list_updated(
        self,
        since: datetime | None = None,
        *,
        status: FeedbackStatus | None = None,
        page: int = 1,
    ) -> FeedbackPage:
        self.calls.append((since, page))
        chosen = sorted(
            (i for i in self.items if since is None or i.updated_at >= since),
            key=lambda i: (i.updated_at, i.feedback_id),
        )
        chunk = chosen[(page - 1) * self.page_size : page * self.page_size]
        more = page * self.page_size < len(chosen)
        return FeedbackPage(tuple(chunk), page + 1 if more else None)


def item(n: int, *, at: datetime = T0, version: int = 1) -> Feedback:
    return Feedback(
        feedback_id=f"F{n:03d}",
        status=FeedbackStatus.RECEIVED,
        category_code="TTHC-HS",
        title="t",
        description="d",
        updated_at=at,
        version=version,
    )


def test_pages_sharing_one_timestamp_are_walked_to_the_end() -> None:
    source = FixedSource([item(n) for n in range(5)])
    portal = Portal()

    report = FeedbackSync(source, portal, state=MemorySyncState()).run_once()

    assert [(f"F{n:03d}", 1) for n in range(5)] == portal.got
    assert (5, T0) == (report.handed_over, report.cursor)
    assert [(None, 1), (T0, 1), (T0, 2), (T0, 3)] == source.calls


def test_an_older_revision_is_never_handed_over_after_a_newer_one() -> None:
    state = MemorySyncState()
    portal = Portal()
    FeedbackSync(FixedSource([item(1, version=3)]), portal, state=state).run_once()

    FeedbackSync(
        FixedSource([item(1, version=2, at=T0 + timedelta(1))]), portal, state=state
    ).run_once()

    assert [("F001", 3)] == portal.got


@settings(max_examples=60)
@given(
    plan=st.lists(
        st.one_of(
            st.tuples(st.just("new"), st.integers(0, 0)),
            st.tuples(st.just("change"), st.integers(0, 9)),
            st.tuples(st.just("sync"), st.integers(0, 6)),
        ),
        max_size=25,
    ),
    page_size=st.integers(1, 3),
)
def test_whatever_happens_each_revision_arrives_once_and_the_last_one_arrives(
    plan: list[tuple[str, int]], page_size: int
) -> None:
    """Creates, changes and syncs (a sync may crash at its k-th handover) in any order."""
    clock = [T0]
    items: dict[str, Feedback] = {}
    source = FixedSource([], page_size)
    state = MemorySyncState()
    got: list[tuple[str, int]] = []

    def tick() -> datetime:
        clock[0] += timedelta(seconds=1) if len(items) % 2 else timedelta(0)  # ties happen
        return clock[0]

    def run(crash_at: int) -> None:
        calls = [0]

        def portal(feedback: Feedback) -> None:
            calls[0] += 1
            if calls[0] == crash_at:
                raise Crash
            got.append((feedback.feedback_id, feedback.version))

        source.items = list(items.values())
        with contextlib.suppress(Crash):
            FeedbackSync(source, portal, state=state).run_once()

    for action, n in plan:
        if action == "new":
            new = item(len(items), at=tick())
            items[new.feedback_id] = new
        elif action == "change" and items:
            key = sorted(items)[n % len(items)]
            items[key] = replace(items[key], version=items[key].version + 1, updated_at=tick())
        elif action == "sync":
            run(crash_at=n)
    run(crash_at=0)

    assert len(got) == len(set(got))
    assert {(f.feedback_id, f.version) for f in items.values()} <= set(got)
