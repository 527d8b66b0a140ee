"""`connectors.testing.mount` on a plain install (no `responses`): one message naming the extra."""

from __future__ import annotations

import sys

import pytest

from connectors.core.extras import MissingExtra
from connectors.testing import Simulator, mount


def test_mount_without_responses_names_the_test_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "responses", None)  # `import responses` now fails
    with (
        pytest.raises(ImportError, match=r"pip install 'vn-public-connectors\[test\]'") as caught,
        mount(Simulator(), "https://vendor.test"),
    ):
        pytest.fail("mount must not start without responses")
    assert isinstance(caught.value, MissingExtra)
    assert "test" == caught.value.extra
