"""The `connectors` command line; `app` is the typer application (console script)."""

from connectors.cli.app import app

__all__ = ["app"]
