"""Layers only point down: no production module imports the testing side.

The import graph is read from the source (module-level imports, and the parent packages
every import loads); imports inside functions are lazy and allowed. Production modules are
everything but the testing side itself, the demo, the command line, the simulator
catalogue and the doctor's round trips (which start simulators on purpose).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import connectors

ROOT = Path(connectors.__file__).parent
TESTING = "connectors.testing"
ON_PURPOSE = (
    "connectors.testing",
    "connectors.demo",
    "connectors.cli",
    "connectors.simulators",
    "connectors.commune.registry",
    "connectors.__main__",
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _parents(name: str) -> Iterator[str]:
    parts = name.split(".")
    for end in range(1, len(parts)):
        yield ".".join(parts[:end])


@cache
def _direct(name: str) -> frozenset[str]:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set(_parents(name))
    for node in tree.body:  # module level only: imports in functions are lazy
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks import nothing at run time
            continue
        for inner in ast.walk(node) if isinstance(node, ast.Try) else [node]:
            if isinstance(inner, ast.Import):
                found.update(alias.name for alias in inner.names)
            elif isinstance(inner, ast.ImportFrom):
                base = inner.module or ""
                if inner.level:
                    anchor = package.split(".")[: len(package.split(".")) - inner.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in inner.names)
    return frozenset(m for m in found if m in MODULES and m != name)


def _chain_to_testing(name: str) -> tuple[str, ...] | None:
    """The shortest import chain from `name` to the testing side, or None (breadth first)."""
    came_from: dict[str, str | None] = {name: None}
    queue = [name]
    for current in queue:
        if current == TESTING or current.startswith(TESTING + "."):
            chain = [current]
            while (previous := came_from[chain[-1]]) is not None:
                chain.append(previous)
            return tuple(reversed(chain))
        for target in sorted(_direct(current)):
            if target not in came_from:
                came_from[target] = current
                queue.append(target)
    return None


def _production() -> list[str]:
    return sorted(m for m in MODULES if not m.startswith(ON_PURPOSE) and m != "connectors")


def test_no_production_module_imports_the_testing_side() -> None:
    offenders = {}
    for name in _production():
        chain = _chain_to_testing(name)
        if chain is not None:
            offenders[name] = " -> ".join(chain)
    assert {} == offenders


def test_the_graph_sees_imports() -> None:
    """The reader finds a known module-level import and a package's parents."""
    direct = _direct("connectors.core.transport")
    assert "connectors.core.deadline" in direct
    assert "connectors.core" in direct
