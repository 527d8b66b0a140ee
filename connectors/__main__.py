"""`python -m connectors` runs the CLI."""

from connectors.cli import app

app(prog_name="connectors")
