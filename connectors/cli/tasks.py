"""The portal's tasks for `connectors outbox run`, named as ``module:attribute``.

The attribute is a dict of job kind -> `Task`, anything with `tasks()` (a `Flow`, a
`FeeFlow`), or a callable returning one of those. A callable that takes an argument gets
the commune's adapters, loaded and built from its configuration (`--config`, else
./connectors.toml), the way the portal builds them:

    def fee_tasks(adapters: Adapters) -> FeeFlow:          # myportal/jobs.py
        return fee_steps(invoices=adapters.invoices, sms=adapters.sms, ...)

    connectors outbox run --tasks myportal.jobs:fee_tasks --config connectors.toml
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from connectors.core.errors import ConfigError, ValidationError
from connectors.delivery import PostgresOutbox, SqliteOutbox, Task

__all__ = ["DEFAULT_CONFIG", "portal_tasks"]

DEFAULT_CONFIG = Path("connectors.toml")
"""The commune's configuration when none is named."""


def _attribute(target: str) -> object:
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ValidationError(f"--tasks must be module:attribute, got {target!r}", field="tasks")
    try:
        found: object = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"cannot load {target}: {exc}", field="tasks") from None
    return found


def _tasks(found: object, target: str) -> dict[str, Task]:
    make = getattr(found, "tasks", None)
    if callable(make):
        found = make()
    if isinstance(found, dict) and found and all(isinstance(t, Task) for t in found.values()):
        return found
    raise ConfigError(f"{target} is not a dict of Task or a Flow", field="tasks")


def _wants_adapters(factory: Callable[..., object]) -> bool:
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: called bare
        return False
    return any(
        p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        for p in parameters
    )


def _configuration(config: Path | None) -> Path:
    if config is not None:
        return config
    if DEFAULT_CONFIG.is_file():
        return DEFAULT_CONFIG
    raise ConfigError(
        "the tasks take the commune's adapters: name its configuration with --config",
        field="config",
    )


@contextmanager
def portal_tasks(
    target: str, *, outbox: SqliteOutbox | PostgresOutbox, config: Path | None
) -> Iterator[dict[str, Task]]:
    """The tasks `target` names; the adapters a factory asked for are closed on exit
    (the outbox is the caller's and stays open)."""
    found = _attribute(target)
    if callable(found) and not callable(getattr(found, "tasks", None)):
        if _wants_adapters(found):
            from connectors.commune import build, load

            with build(load(_configuration(config)), outbox=outbox) as adapters:
                yield _tasks(found(adapters), target)
            return
        found = found()
    yield _tasks(found, target)
