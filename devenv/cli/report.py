"""`devenv report`: every delta between the local stack and production, gated by severity."""

from __future__ import annotations

from enum import Enum

import typer

from devenv import pipeline
from devenv.cli import common
from devenv.errors import EXIT_GATE
from devenv.parity.delta import at_or_above
from devenv.parity.formats import FORMATS


class Format(str, Enum):
    table = "table"
    json = "json"


class Severity(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def report(
    env: str = common.EnvOption,
    fmt: Format = typer.Option(Format.table, "--format", "-f", help="Output format."),
    fail_on: Severity = typer.Option(None, "--fail-on", help="Exit 1 when an unaccepted delta at or above this severity exists."),
) -> None:
    """List every way the local stack differs from the environment it mirrors, with reasons and hints."""
    config = common.STATE.config()
    rendered = pipeline.render(config, env)
    text = FORMATS[fmt.value](rendered.deltas, {"environment": rendered.env.name, "project": config.project})
    common.out.print(text, markup=False, highlight=False, soft_wrap=True)
    if fail_on is not None and at_or_above(rendered.deltas, fail_on.value):
        raise typer.Exit(EXIT_GATE)
