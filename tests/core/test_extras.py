"""The distribution's name, one everywhere, and a missing extra named by what to install."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from connectors.core.errors import ConfigError
from connectors.core.extras import DISTRIBUTION, MissingExtra, install_hint, require

ROOT = Path(__file__).resolve().parents[2]


def _pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_pyproject_distributes_under_the_name_the_library_gives() -> None:
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    assert DISTRIBUTION == project["name"]
    assert "connectors" != DISTRIBUTION  # taken on the package index by another project
    # The extras' references to the distribution itself follow its name.
    selves = [
        spec
        for specs in project["optional-dependencies"].values()
        for spec in specs
        if spec.startswith(("connectors[", f"{DISTRIBUTION}["))
    ]
    assert selves
    assert [s for s in selves if not s.startswith(f"{DISTRIBUTION}[")] == []
    # The import package and the command keep their names.
    assert "connectors.cli:app" == project["scripts"]["connectors"]


@pytest.mark.parametrize(
    "path", ["README.md", "docs/index.md", "docs/quickstart.md", "docs/deployment.md"]
)
def test_the_docs_install_the_distribution_by_its_name(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    installs = re.findall(r"pip install[^`\n]*", text)
    assert installs, f"{path} shows no install command"
    wrong = [line for line in installs if re.search(r"'connectors\[|\sconnectors(\s|$)", line)]
    assert [] == wrong


@pytest.mark.parametrize("path", ["README.md", "docs/index.md"])
def test_the_front_pages_say_what_to_install(path: str) -> None:
    text = (ROOT / path).read_text(encoding="utf-8")
    assert f"pip install {DISTRIBUTION}" in text
    assert f"pip install '{DISTRIBUTION}[postgres]'" in text


def test_install_hint_names_the_extra() -> None:
    assert "pip install 'vn-public-connectors[test]'" == install_hint("test")


def test_require_returns_the_module() -> None:
    assert sys.modules["json"] is require("json", extra="test", feature="x")


def test_require_names_the_extra_when_the_module_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "responses", None)  # as on a plain install
    with pytest.raises(MissingExtra) as caught:
        require("responses", extra="test", feature="connectors.testing.mount")
    error = caught.value
    assert isinstance(error, ConfigError)
    assert isinstance(error, ImportError)
    assert ("test", "responses", "responses", "test") == (
        error.extra,
        error.module,
        error.name,
        error.field,
    )
    assert (
        "connectors.testing.mount needs the 'responses' package, which a plain install does "
        "not bring: pip install 'vn-public-connectors[test]'"
    ) == str(error)
