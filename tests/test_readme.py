"""README's examples run as written (in a temporary folder, against loopback simulators)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_has_examples() -> None:
    assert len(BLOCKS) >= 2


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{n}" for n in range(len(BLOCKS))])
def test_readme_example_runs(
    block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(block, str(README), "exec"), {})  # noqa: S102 - our own README
    capsys.readouterr()


def test_the_layout_section_names_every_package() -> None:
    """README's layout matches the tree: every subpackage of `connectors` is named there."""
    text = README.read_text(encoding="utf-8")
    layout = text[text.index("## Layout") :]
    package = README.parent / "connectors"
    names = sorted(p.name for p in package.iterdir() if (p / "__init__.py").is_file())
    assert len(names) >= 10
    missing = [name for name in names if f"connectors/{name}/" not in layout]
    assert [] == missing
