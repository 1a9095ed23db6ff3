"""`devenv report`: every delta between the local stack and production, gated by severity.

`emit` is shared with `devenv diff` and `devenv verify`: one way to print deltas and apply the gate.
"""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import TYPE_CHECKING, Any

import typer

from devenv.cli import common
from devenv.errors import EXIT_GATE

if TYPE_CHECKING:
    from devenv.model.delta import Delta



class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    junit = "junit"
    sarif = "sarif"


class Severity(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"


FormatOption = typer.Option(Format.table, "--format", "-f", help="Output format.")
FailOnOption = typer.Option(None, "--fail-on",
                            help="Exit 1 when an unaccepted delta at or above this severity exists.")


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def emit(deltas: list[Delta], meta: dict[str, Any], fmt: Format, fail_on: Severity | None) -> None:
    """Print the deltas in the chosen format; exit 1 when the gate fails (accepted deltas never do)."""
    from devenv.model.delta import at_or_above
    from devenv.parity.formats import FORMATS

    meta = {**meta, "fail_on": fail_on.value if fail_on is not None else None}
    text = FORMATS[fmt.value](deltas, meta)
    common.out.print(text, markup=False, highlight=False, emoji=False, soft_wrap=True,
                     end="" if text.endswith("\n") else "\n")
    if fail_on is not None and at_or_above(deltas, fail_on.value):
        raise typer.Exit(EXIT_GATE)


def report(
    env: str = common.EnvOption,
    fmt: Format = FormatOption,
    fail_on: Severity = FailOnOption,
) -> None:
    """List every way the local stack differs from the environment it mirrors, with reasons and hints."""
    from devenv import pipeline
    from devenv.parity.accept import rules_for_command
    from devenv.parity.locations import with_sources

    config = common.STATE.config()
    config = dataclasses.replace(config, accept=rules_for_command(config.accept, "report"))
    rendered = pipeline.render(config, env)
    deltas = with_sources(rendered.deltas, rendered.manifests, config.root, config.path)
    emit(deltas, {"command": "report", "environment": rendered.env.name, "project": config.project}, fmt, fail_on)
