"""Fixtures: the iHanoi simulator, and clients talking to it in process."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from connectors.core import RetryPolicy
from connectors.ihanoi import Location, NewFeedback, Reporter
from connectors.ihanoi.contract import IhanoiFeedback
from connectors.ihanoi.open311 import Open311Feedback
from connectors.testing import mount
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from connectors.vn import VN_TZ

BASE_URL = "https://ihanoi.sim.test"
OPEN311_URL = BASE_URL + "/open311/v2"


def no_sleep(_seconds: float) -> None:
    """Retries and webhook backoff without waiting."""


def fast_retry(attempts: int = 4) -> RetryPolicy:
    return RetryPolicy(max_attempts=attempts, sleep=no_sleep)


def draft(external_id: str = "portal-0001", **overrides: object) -> NewFeedback:
    """An obviously fake feedback about a dossier."""
    values: dict[str, object] = {
        "external_id": external_id,
        "category_code": "TTHC-HS",
        "title": "Hồ sơ cấp phép chậm",
        "description": "Hồ sơ HS-THU-0001 quá hạn trả kết quả (dữ liệu thử).",
        "location": Location(address="Phường Thử Nghiệm, Hà Nội"),
        "reporter": Reporter(full_name="Nguyễn Văn Thử", phone="0900000001"),
        "submitted_at": datetime(2025, 1, 2, 10, 11, tzinfo=VN_TZ),
    }
    values.update(overrides)
    return NewFeedback(**values)  # type: ignore[arg-type]


@pytest.fixture
def sim() -> IhanoiFeedbackSimulator:
    return IhanoiFeedbackSimulator(sleep=no_sleep)


@pytest.fixture
def mounted(sim: IhanoiFeedbackSimulator) -> Iterator[IhanoiFeedbackSimulator]:
    """The simulator answering BASE_URL in process."""
    with mount(sim, BASE_URL):
        yield sim


@pytest.fixture
def client(mounted: IhanoiFeedbackSimulator) -> Iterator[IhanoiFeedback]:
    with IhanoiFeedback(base_url=BASE_URL, token=mounted.token, retry=fast_retry()) as c:
        yield c


@pytest.fixture
def open311(mounted: IhanoiFeedbackSimulator) -> Iterator[Open311Feedback]:
    with Open311Feedback(base_url=OPEN311_URL, api_key=mounted.api_key, retry=fast_retry()) as c:
        yield c
