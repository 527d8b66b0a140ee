"""Issue 13: every e-invoice name that was renamed or moved still works for one release, and
warns naming its replacement."""

from __future__ import annotations

import importlib

import pytest

from connectors.core import Rejected
from connectors.einvoice import ResultCode
from connectors.einvoice.bkav import BkavInvoice, BkavInvoiceSettings
from connectors.einvoice.bkav import WireProfile as BkavWireProfile
from connectors.einvoice.misa import MisaInvoice, MisaInvoiceSettings
from connectors.einvoice.misa import WireProfile as MisaWireProfile
from connectors.einvoice.viettel import ViettelInvoice, ViettelInvoiceSettings
from connectors.einvoice.vnpt import VnptInvoiceSettings
from connectors.einvoice.vnpt import WireProfile as VnptWireProfile
from connectors.testing import CommitThenStatus, TimeoutAfterCommit
from connectors.testing.simulators.einvoice import (
    BkavInvoiceSimulator,
    MisaInvoiceSimulator,
    ViettelInvoiceSimulator,
    VnptInvoiceSimulator,
)
from connectors.testing.simulators.einvoice.bkav import SimBkavInvoice
from connectors.testing.simulators.einvoice.misa import SimInvoice as MisaSimInvoice
from connectors.testing.simulators.einvoice.viettel import SimInvoice as ViettelSimInvoice
from connectors.testing.simulators.einvoice.vnpt import SimInvoice as VnptSimInvoice

RENAMED = [
    ("connectors.einvoice.vnpt", "VnptSettings", VnptInvoiceSettings),
    ("connectors.einvoice.vnpt", "VnptProfile", VnptWireProfile),
    ("connectors.einvoice.vnpt.client", "VnptSettings", VnptInvoiceSettings),
    ("connectors.einvoice.vnpt.wire", "VnptProfile", VnptWireProfile),
    ("connectors.einvoice.vnpt.simulator", "VnptSimulator", VnptInvoiceSimulator),
    ("connectors.einvoice.vnpt.simulator", "SimInvoice", VnptSimInvoice),
    ("connectors.einvoice.viettel", "ViettelSInvoice", ViettelInvoice),
    ("connectors.einvoice.viettel", "ViettelSettings", ViettelInvoiceSettings),
    ("connectors.einvoice.viettel.client", "ViettelSInvoice", ViettelInvoice),
    ("connectors.einvoice.viettel.client", "ViettelSettings", ViettelInvoiceSettings),
    ("connectors.einvoice.viettel.simulator", "ViettelSimulator", ViettelInvoiceSimulator),
    ("connectors.einvoice.viettel.simulator", "SimInvoice", ViettelSimInvoice),
    ("connectors.einvoice.misa", "MisaMeInvoice", MisaInvoice),
    ("connectors.einvoice.misa", "MisaSettings", MisaInvoiceSettings),
    ("connectors.einvoice.misa", "MisaProfile", MisaWireProfile),
    ("connectors.einvoice.misa.client", "MisaMeInvoice", MisaInvoice),
    ("connectors.einvoice.misa.client", "MisaSettings", MisaInvoiceSettings),
    ("connectors.einvoice.misa.session", "MisaSettings", MisaInvoiceSettings),
    ("connectors.einvoice.misa.wire", "MisaProfile", MisaWireProfile),
    ("connectors.einvoice.misa.simulator", "MisaSimulator", MisaInvoiceSimulator),
    ("connectors.einvoice.misa.simulator", "SimInvoice", MisaSimInvoice),
    ("connectors.einvoice.bkav", "BkavEHoadon", BkavInvoice),
    ("connectors.einvoice.bkav", "BkavSettings", BkavInvoiceSettings),
    ("connectors.einvoice.bkav", "BkavProfile", BkavWireProfile),
    ("connectors.einvoice.bkav.client", "BkavEHoadon", BkavInvoice),
    ("connectors.einvoice.bkav.client", "BkavSettings", BkavInvoiceSettings),
    ("connectors.einvoice.bkav.wire", "BkavProfile", BkavWireProfile),
    ("connectors.einvoice.bkav.simulator", "BkavSimulator", BkavInvoiceSimulator),
    ("connectors.einvoice.bkav.simulator", "SimBkavInvoice", SimBkavInvoice),
]


@pytest.mark.parametrize(("module", "old", "new"), RENAMED, ids=[f"{m}.{o}" for m, o, _ in RENAMED])
def test_an_old_name_is_the_new_object_and_warns(module: str, old: str, new: object) -> None:
    imported = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{old} is deprecated; use .*{new.__name__}"):  # type: ignore[attr-defined]
        assert new is getattr(imported, old)


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        importlib.import_module("connectors.einvoice.vnpt").NoSuchThing  # noqa: B018


def test_error_for_code_warns_and_builds_the_same_error() -> None:
    from connectors.einvoice.codes import error_for_code

    with pytest.warns(DeprecationWarning, match="error_for_code is deprecated"):
        error = error_for_code(
            ResultCode.WRONG_STATE, provider="vnpt", operation="cancel", vendor_code="ERR:9"
        )
    assert isinstance(error, Rejected)
    assert ("wrong_state", "ERR:9", "vnpt", "cancel") == (
        error.code,
        error.vendor_code,
        error.provider,
        error.operation,
    )


@pytest.mark.parametrize(
    ("reset", "expected"),
    [(False, CommitThenStatus(503, b"busy", "text/plain")), (True, TimeoutAfterCommit(hold=0))],
)
def test_fail_after_commit_warns_and_arms_the_kits_fault(reset: bool, expected: object) -> None:
    sim = VnptInvoiceSimulator(sleep=lambda _s: None)
    with pytest.warns(DeprecationWarning, match="fail_after_commit is deprecated"):
        sim.fail_after_commit("cancelInv", status=503, body=b"busy", reset=reset, times=2)
    assert [expected, expected, None] == [sim.faults.take("cancelInv") for _ in range(3)]
