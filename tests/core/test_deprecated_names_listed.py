"""Every old public name kept for one release is listed in the changelog with its new name."""

from __future__ import annotations

import importlib
import pkgutil
import re
import warnings
from pathlib import Path

import connectors
from connectors.core.deprecation import deprecated_names

CHANGELOG = Path(__file__).parents[2] / "CHANGELOG.md"


def _ours() -> dict[str, dict[str, str]]:
    """The library's tables (tests may register their own under other names)."""
    return {m: t for m, t in deprecated_names().items() if m.startswith("connectors.")}


def _import_everything() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for info in pkgutil.walk_packages(connectors.__path__, "connectors."):
            if info.name.endswith("__main__"):
                continue
            importlib.import_module(info.name)


def _deprecated_section() -> str:
    text = CHANGELOG.read_text(encoding="utf-8")
    match = re.search(r"^#### Deprecated\n(.*?)(?=^#{2,4} )", text, re.S | re.M)
    assert match is not None, "CHANGELOG.md has no '#### Deprecated' section"
    return match.group(1)


def _listed(section: str, module: str, old: str, new: str) -> bool:
    """`old` and its new name both named, or (a whole module moved) both modules named."""
    new_module, _, attr = new.partition(":")
    by_name = f"`{old}`" in section and f"`{attr or new_module}`" in section
    by_module = f"`{module}`" in section and f"`{new_module}`" in section
    return by_name or by_module


def test_every_deprecated_name_is_in_the_changelog_with_its_replacement() -> None:
    _import_everything()
    names = _ours()
    assert len(names) > 40  # the registry sees the modules' tables
    section = _deprecated_section()
    missing = sorted(
        f"{module}.{old} -> {new}"
        for module, table in names.items()
        for old, new in table.items()
        if not _listed(section, module, old, new)
    )
    assert [] == missing


def test_each_old_name_resolves_to_its_replacement_with_a_warning() -> None:
    _import_everything()
    for module, table in _ours().items():
        for old, new in table.items():
            target_module, _, attr = new.partition(":")
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                value = getattr(importlib.import_module(module), old)
            expected = importlib.import_module(target_module)
            for part in attr.split(".") if attr else ():
                expected = getattr(expected, part)
            assert value is expected, f"{module}.{old}"
            assert any(issubclass(w.category, DeprecationWarning) for w in caught), old
