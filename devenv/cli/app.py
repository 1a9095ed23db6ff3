"""The devenv command: global options, command registration and the single error handler."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from devenv import __version__
from devenv.cli import common
from devenv.errors import DevenvError

app = typer.Typer(
    name="devenv",
    help="Run the Kubernetes manifests production deploys as a local Docker Compose stack, "
         "and report every difference from production.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: Rich's help renderer costs 40 ms of start-up
)


def _version(value: bool) -> None:
    if value:
        common.out.print(f"devenv {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    config: Path = typer.Option(None, "--config", "-c", help="Path of devenv.toml (default: found upwards)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    common.STATE.config_path = config
    common.STATE.debug = debug


def _register() -> None:
    from devenv.cli import doctor, ephemeral, init, parity, render, report, seed, stack

    for module in (init, render, stack, report, doctor, parity, ephemeral, seed):
        module.register(app)


def report_error(exc: DevenvError) -> None:
    """The one place an error becomes text: what, where, the engine's or renderer's words, and a hint."""
    where = f"{exc.where}: " if exc.where else ""
    common.err.print(f"[bold red]error:[/] {escape(where + exc.what)}", markup=True, highlight=False)
    if exc.details:
        for line in exc.details.strip().splitlines()[-25:]:
            common.err.print(f"  {line}", markup=False)
    if exc.hint:
        common.err.print(f"[bold]hint:[/] {escape(exc.hint)}", markup=True, highlight=False)


def main() -> None:
    _register()
    command = typer.main.get_command(app)
    try:
        command.main(prog_name="devenv", standalone_mode=True)
    except DevenvError as exc:
        if common.STATE.debug:
            raise
        report_error(exc)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        common.err.print("interrupted")
        sys.exit(130)
