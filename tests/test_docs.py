"""The docs site: every guide links to the API reference, the reference names packages only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
GUIDES = sorted(
    p
    for p in DOCS.rglob("*.md")
    if p.relative_to(DOCS).parts[0] != "reference" and p.name != "changelog.md"
)
REFERENCE_LINK = re.compile(r"^\*\*(Reference|Tham khảo API[^*]*):\*\* .*\]\((\.\./)*reference/")


def test_there_are_guides() -> None:
    assert len(GUIDES) > 20


@pytest.mark.parametrize("page", GUIDES, ids=lambda p: str(p.relative_to(DOCS)))
def test_every_guide_ends_with_a_reference_link(page: Path) -> None:
    last = page.read_text(encoding="utf-8").rstrip().splitlines()[-1]
    assert REFERENCE_LINK.match(last), f"{page.relative_to(DOCS)} ends with {last!r}"
    for target in re.findall(r"\]\(([^)]+)\)", last):
        assert (page.parent / target).resolve().is_file(), target


def test_the_reference_documents_packages_not_modules() -> None:
    """Modules move between releases; the packages' public names are the API."""
    for page in (DOCS / "reference").glob("*.md"):
        for target in re.findall(r"^::: (\S+)$", page.read_text(encoding="utf-8"), re.M):
            module = target.replace(".", "/")
            assert (DOCS.parent / module / "__init__.py").is_file(), f"{page.name}: {target}"


def test_the_site_builds_strict_with_the_reference_and_per_page_language(tmp_path: Path) -> None:
    """What the browser shows: Vietnamese chrome on the Vietnamese page, English elsewhere,
    the reference generated, no literal `\\|` in the CLI table."""
    pytest.importorskip("mkdocstrings_handlers.python", reason="mkdocstrings (the dev extra)")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(DOCS.parent / "mkdocs.yml"), site_dir=str(tmp_path), strict=True)
    build(config)
    vietnamese = (tmp_path / "vi" / "index.html").read_text(encoding="utf-8")
    english = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert '<html lang="vi"' in vietnamese
    assert 'placeholder="Tìm kiếm"' in vietnamese
    assert '<html lang="en"' in english
    assert 'placeholder="Search"' in english
    reference = (tmp_path / "reference" / "delivery" / "index.html").read_text(encoding="utf-8")
    assert 'id="connectors.delivery.JobResult"' in reference
    cli = (tmp_path / "cli" / "index.html").read_text(encoding="utf-8")
    assert "--p12 F | --key K --cert C" in cli
    assert "\\|" not in cli
