"""`devenv seed`: fill the stack's databases from seeds/ (also run once by `devenv up`)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from devenv import statedir
from devenv.cli import common
from devenv.errors import InputError, RuntimeFailure

if TYPE_CHECKING:
    from rich.progress import (
        TaskID,
    )

    from devenv import pipeline
    from devenv.config import Config



def register(app: typer.Typer) -> None:
    app.command("seed")(seed)


def seed(
    env: str = common.EnvOption,
    project: str = common.ProjectOption,
    reset: bool = typer.Option(False, "--reset", help="Empty the spec's tables first."),
    suggest: str = typer.Option(None, "--suggest", help="Draft a spec from DATABASE (a stack database name, "
                                                     "a local URL, a dump file or a CSV folder) and print it."),
    spec_path: Path = typer.Option(None, "--spec", help="Only this spec file (default: all of seeds/)."),
    context: str = common.ContextOption,
) -> None:
    """Fill the local stack's databases with synthetic or masked data from seeds/."""
    from devenv import pipeline

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    rendered = pipeline.render(config, env)
    if suggest:
        from devenv.seed.api import suggest as draft

        target = suggest
        if "://" not in suggest and not Path(suggest).exists():
            target = _database_url(config, rendered, name, suggest)
        common.out.print(draft(target, database=suggest), markup=False, highlight=False)
        return
    specs = (spec_path,) if spec_path else config.seeds
    if not specs:
        raise InputError("no seed specification", where=str(config.root / "seeds"),
                         hint="write seeds/NAME.toml (see seeds/README.md), or draft one with `devenv seed --suggest DB`")
    seed_stack(config, rendered, name, reset=reset, only_if_empty=False, specs=specs)


def _database_url(config: Config, rendered: pipeline.Rendered, project: str, database: str) -> str:
    from devenv.seed.stack import find_database

    found = find_database(rendered.output, database, "--suggest")
    return found.url(_host_port(config, project, found.sandbox, found.port), rendered.output.secret_env)


def _host_port(config: Config, project: str, sandbox: str, port: int) -> int:
    """The port on 127.0.0.1 here that reaches the database: published by a local engine, or the local end of
    the tunnel to a remote one (so the seeder only ever connects to this machine's loopback)."""
    from devenv.engine.stack import project_states
    from devenv.launch import reach

    states = project_states(project)
    for state in states:
        if state.service == sandbox:
            for target, host in state.published():
                if target == port:
                    return int(reach(config, project, states).get(host, host).rpartition(":")[2])
    raise RuntimeFailure(f"the database port {port} of {sandbox} is not published in project '{project}'",
                         hint="run `devenv up` first (it publishes the databases named in seeds/ on 127.0.0.1)")


def seed_stack(config: Config, rendered: pipeline.Rendered, project: str, reset: bool = False,
               only_if_empty: bool = True, specs: tuple[Path, ...] | None = None) -> None:
    """Seed every spec's database; with `only_if_empty`, leave databases that already hold data."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from devenv.seed import api
    from devenv.seed.stack import find_database

    for path in specs or config.seeds:
        spec = api.load_spec(path)
        database = find_database(rendered.output, spec.database, str(path))
        url = database.url(_host_port(config, project, database.sandbox, database.port), rendered.output.secret_env)
        if only_if_empty and api.has_data(url, spec):
            common.out.print(f"seed: {spec.database} already holds data (reseed with `devenv seed --reset`)")
            continue
        started = time.monotonic()
        with Progress(TextColumn("  {task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=common.out, transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(table: str, done: int, total: int) -> None:
                if table not in tasks:
                    tasks[table] = bar.add_task(table, total=total)
                bar.update(tasks[table], completed=done, total=total)

            if spec.mask is not None:
                key = api.load_or_create_key(statedir.ensure(config.state_dir) / "seed.key")
                summary = api.mask(url, spec, key=key, reset=reset, progress=progress)
            else:
                summary = api.seed(url, spec, reset=reset, progress=progress)
        for table in summary.tables:
            common.out.print(f"  {table.name:<24} {table.rows:>9,} rows  {table.seconds:6.2f} s")
        for warning in summary.warnings:
            common.err.print(f"  warning: {warning}")
        rate = summary.rows / max(time.monotonic() - started, 1e-9)
        common.out.print(f"seeded {spec.database}: {summary.rows:,} rows in {summary.seconds:.2f} s ({rate:,.0f} rows/s)")
