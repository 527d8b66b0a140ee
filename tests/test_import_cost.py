"""Pay only for what you use: importing a part of the library loads none of the heavy
modules it does not need (each case in a fresh interpreter, then `sys.modules` is read).

zeep (SOAP), lxml and signxml (XML, XML signatures), cryptography's X.509, phonenumbers
and pydantic-settings load where they are first used; the simulator kit never loads in
production code; the command line imports a subcommand's code only when it runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

HEAVY = (
    "zeep",
    "lxml",
    "signxml",
    "cryptography.x509",
    "phonenumbers",
    "pydantic_settings",
    "connectors.testing",
    "rich",
)


def loaded_after(code: str) -> set[str]:
    """The modules of `HEAVY` (and the CLI's) present once `code` ran in a new interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('zeep', 'lxml', 'signxml', 'cryptography', 'phonenumbers', 'pydantic_settings', "
        "'rich', 'connectors'))))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    modules = set(json.loads(done.stdout.strip().splitlines()[-1]))
    return {name for name in modules if name in HEAVY or name.startswith("connectors.cli.")}


@pytest.mark.parametrize(
    ("code", "allowed"),
    [
        ("import connectors.core", set()),
        ("import connectors.core.transport", set()),
        ("import connectors.core.errors, connectors.core.retry", set()),
        ("import connectors.vn", set()),
        ("import connectors.einvoice", set()),
        ("import connectors.einvoice.gdt", {"lxml", "cryptography.x509"}),
    ],
)
def test_an_import_loads_only_what_it_needs(code: str, allowed: set[str]) -> None:
    assert allowed == loaded_after(code)


def test_connectors_version_loads_no_subcommand_and_no_rich() -> None:
    code = (
        "from connectors.cli import app\n"
        "try:\n    app(['--version'], prog_name='connectors')\nexcept SystemExit:\n    pass"
    )
    # help.py tidies every command's help (typer.core, already loaded): no subcommand
    expected = {"connectors.cli.app", "connectors.cli.output", "connectors.cli.help"}
    assert expected == loaded_after(code)


def test_a_subcommand_loads_its_own_module_only() -> None:
    code = (
        "from connectors.cli import app\n"
        "try:\n    app(['words', '50000'], prog_name='connectors')\nexcept SystemExit:\n    pass"
    )
    loaded = loaded_after(code)
    assert "connectors.cli.vn" in loaded
    assert not loaded & {"connectors.cli.outbox", "connectors.cli.invoice", "connectors.cli.demo"}
    assert not loaded & {"zeep", "signxml", "connectors.testing", "pydantic_settings"}


def test_the_lazy_names_of_the_core_are_the_real_objects() -> None:
    import connectors.core
    from connectors.core.soap import SoapClient
    from connectors.core.transport import Transport

    assert Transport is connectors.core.Transport
    assert SoapClient is connectors.core.SoapClient
    assert set(connectors.core.__all__) <= set(dir(connectors.core))
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        connectors.core.Nothing  # noqa: B018
