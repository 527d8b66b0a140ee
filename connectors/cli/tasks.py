"""The portal's tasks for `connectors outbox run`, named as ``module:attribute``.

The attribute is a dict of job kind -> `Task`, anything with `tasks()` (a `Flow`, a
`FeeFlow`), or a callable returning one of those. A callable that takes an argument gets
the commune's adapters, loaded and built from its configuration (`--config`, else
./connectors.toml), the way the portal builds them:

    def fee_tasks(adapters: Adapters) -> FeeFlow:          # myportal/jobs.py
        return fee_steps(invoices=adapters.invoices, sms=adapters.sms, ...)

    connectors outbox run --tasks myportal.jobs:fee_tasks --config connectors.toml

The module is imported with the current directory first on `sys.path` (run the command
from the project's root, as `manage.py` is). A Django project's tasks need Django set up
first: `--django-settings mysite.settings`, or `DJANGO_SETTINGS_MODULE` in the
environment, makes the command call `django.setup()` before importing them.

A `--tasks` that names nothing (no such module or attribute, not tasks) is a configuration
error (exit 4); the portal's code failing while it is imported or set up (Django's
`AppRegistryNotReady`, `ImproperlyConfigured`, a missing dependency of the module, any
exception its module body raises) is `PortalCodeError`: one line, exit 6.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from connectors.core.errors import ConfigError, ValidationError
from connectors.delivery import PostgresOutbox, SqliteOutbox, Task

__all__ = ["DEFAULT_CONFIG", "PortalCodeError", "portal_tasks", "prepare_portal"]

DEFAULT_CONFIG = Path("connectors.toml")
"""The commune's configuration when none is named."""


class PortalCodeError(Exception):
    """The portal's own code failed while being imported or set up (the CLI's exit 6)."""


def _failed(what: str, exc: BaseException) -> PortalCodeError:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return PortalCodeError(f"{what}: {type(exc).__name__}{': ' + first if first else ''}")


def prepare_portal(django_settings: str | None = None) -> None:
    """Make the portal's code importable: the current directory first on `sys.path`, and
    `django.setup()` when `django_settings` is given or `DJANGO_SETTINGS_MODULE` is set.

    `PortalCodeError` if Django is asked for but missing, or its setup fails.
    """
    here = os.getcwd()
    if here not in sys.path:
        sys.path.insert(0, here)
    if django_settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = django_settings
    settings = os.environ.get("DJANGO_SETTINGS_MODULE")
    if not settings:
        return
    try:
        django = importlib.import_module("django")
    except ImportError:
        if django_settings:
            raise PortalCodeError("--django-settings needs Django installed") from None
        return  # DJANGO_SETTINGS_MODULE left in an environment without Django
    try:
        django.setup()
    except Exception as exc:
        raise _failed(f"django.setup() with {settings} failed", exc) from None


def _names_target(exc: ModuleNotFoundError, module_name: str) -> bool:
    """Whether the missing module is `module_name` itself or one of its packages."""
    missing = exc.name or ""
    return bool(missing) and (module_name == missing or module_name.startswith(missing + "."))


def _attribute(target: str) -> object:
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ValidationError(f"--tasks must be module:attribute, got {target!r}", field="tasks")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if _names_target(exc, module_name):
            raise ConfigError(f"cannot load {target}: {exc}", field="tasks") from None
        raise _failed(f"importing {module_name} failed", exc) from None
    except Exception as exc:
        raise _failed(f"importing {module_name} failed", exc) from None
    try:
        found: object = getattr(module, attribute)
    except AttributeError as exc:
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
