"""`connectors demo`: the end-to-end run on the bundled simulators."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from connectors.cli.files import quoted
from connectors.cli.output import JSON_OPTION, ExitCode, console, emit_json, fail

__all__ = ["demo"]

OUTPUT = typer.Option(
    Path("connectors-demo"), "--output", "-o", help="Folder for the QR, receipt and databases."
)


def demo(output: Path = OUTPUT, as_json: bool = JSON_OPTION) -> None:
    """Run 24 dossiers end to end on the bundled simulators (127.0.0.1 only).

    Exit code 0 when every invariant holds, 1 when one fails.
    """
    from rich.console import Console

    from connectors.demo import run

    try:  # a bad --output is one line before the run, not an error in the middle of it
        output.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:
        problem = "exists and is not a folder" if output.exists() else getattr(exc, "strerror", exc)
        fail(f"--output {quoted(output)}: {problem}", ExitCode.INVALID_INPUT)
    # The demo provokes failures on purpose (a forged IPN, an invalid phone) and reports
    # them itself; the library's own warnings would only repeat them.
    library_log = logging.getLogger("connectors")
    level = library_log.level
    library_log.setLevel(logging.CRITICAL)
    try:
        result = run(output=output, console=Console(quiet=True) if as_json else console)
    finally:
        library_log.setLevel(level)
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "dossiers": result.dossiers,
                "paid": result.paid,
                "seconds": round(result.seconds, 2),
                "checks": [
                    {"name": c.name, "ok": c.ok, "detail": c.detail} for c in result.findings.checks
                ],
                "dead_letters": [
                    {"key": job.key, "error": job.last_error} for job in result.findings.dead
                ],
                "repaired": result.repaired,
                "files": result.files,
            }
        )
    else:
        console.print(
            f"{result.dossiers} dossiers, {result.paid} paid, {result.seconds:.1f} s; "
            f"files in {output}: {', '.join(result.files)}"
        )
    if not result.ok:
        if not as_json:
            console.print("[red]Some invariants failed.[/red]")
        raise typer.Exit(int(ExitCode.CHECK_FAILED))
    if not as_json:
        console.print("[green]All invariants hold.[/green]")
