"""`devenv seed`: fill the stack's databases from seeds/ (also run once by `devenv up`), or, with
`--url`, one local database directly (no stack, no devenv.toml); `--suggest` drafts a spec."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from devenv.cli import common
from devenv.errors import InputError, RuntimeFailure

if TYPE_CHECKING:
    from rich.progress import (
        TaskID,
    )

    from devenv import pipeline
    from devenv.config import Config
    from devenv.seed.api import SeedSummary
    from devenv.seed.spec.model import SeedSpec


def register(app: typer.Typer) -> None:
    app.command("seed")(seed)


def seed(
    env: str = common.EnvOption,
    project: str = common.ProjectOption,
    reset: bool = typer.Option(False, "--reset", help="Empty the spec's tables first."),
    suggest: str = typer.Option(None, "--suggest", help="Draft a spec from DATABASE (a stack database name, "
                                                     "a database URL, a dump file or a CSV folder) and print it."),
    spec_path: Path = typer.Option(None, "--spec", help="Only this spec file (default: all of seeds/)."),
    context: str = common.ContextOption,
    url: str = typer.Option(None, "--url", help="Seed (or mask into) this local database with --spec: no stack "
                                               "and no devenv.toml needed."),
    key_path: Path = typer.Option(None, "--key", help="The masking key file (default: .devenv/seed.key, made "
                                                      "on first use)."),
) -> None:
    """Fill the local stack's databases with synthetic or masked data from seeds/."""
    from devenv import pipeline

    common.use_engine(context)
    if suggest and ("://" in suggest or Path(suggest).exists()):
        from devenv.seed.api import suggest as draft

        common.out.print(draft(suggest), markup=False, highlight=False, end="")
        return
    if url:
        if spec_path is None:
            raise InputError("--url needs --spec", "devenv seed --url", "write a spec (or draft one: devenv seed "
                             "--suggest URL > seeds/app.toml), then: devenv seed --url URL --spec seeds/app.toml")
        from devenv.seed import api

        spec = api.load_spec(spec_path)
        key = key_path or _default_key()
        _run(url, spec, reset, key)
        return
    config = common.STATE.config()
    name = common.project_name(config, project)
    rendered = pipeline.render(config, env)
    if suggest:
        from devenv.seed.api import suggest as draft

        target = _database_url(config, rendered, name, suggest)
        common.out.print(draft(target, database=suggest), markup=False, highlight=False, end="")
        return
    specs = (spec_path,) if spec_path else config.seeds
    if not specs:
        raise InputError("no seed specification", where=str(config.root / "seeds"),
                         hint="write seeds/NAME.toml (see seeds/README.md), or draft one with `devenv seed --suggest DB`")
    seed_stack(config, rendered, name, reset=reset, only_if_empty=False, specs=specs, key_path=key_path)


def _default_key() -> Path:
    """The masking key of the devenv project around the current folder, else ./.devenv/seed.key."""
    from devenv.config import find_config, load_config

    try:
        return load_config(find_config(Path.cwd(), common.STATE.config_path)).state_dir / "seed.key"
    except InputError:
        return Path.cwd() / ".devenv" / "seed.key"


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
               only_if_empty: bool = True, specs: tuple[Path, ...] | None = None, key_path: Path | None = None) -> None:
    """Seed every spec's database; with `only_if_empty`, leave databases that already hold data."""

    from devenv.seed import api
    from devenv.seed.stack import find_database

    for path in specs or config.seeds:
        spec = api.load_spec(path)
        database = find_database(rendered.output, spec.database, str(path))
        url = database.url(_host_port(config, project, database.sandbox, database.port), rendered.output.secret_env)
        if only_if_empty and api.has_data(url, spec):
            common.out.print(f"seed: {spec.database} already holds data (reseed with `devenv seed --reset`)")
            continue
        _run(url, spec, reset, key_path or config.state_dir / "seed.key")


def _run(url: str, spec: SeedSpec, reset: bool, key_path: Path) -> None:
    """Mask into `url` when the spec names a mask source, else seed it; print what was done.
    Warnings are printed even when the run fails."""
    from devenv.seed import api

    started = time.monotonic()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    notes: list[str] = []
    try:
        with Progress(TextColumn("  {task.description:<24}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=common.out, transient=True) as bar:
            tasks: dict[str, TaskID] = {}

            def progress(table: str, done: int, total: int) -> None:
                if table not in tasks:
                    tasks[table] = bar.add_task(table, total=total)
                bar.update(tasks[table], completed=done, total=total)

            if spec.mask is not None and spec.mask.source is not None:
                key = api.load_or_create_key(key_path)
                summary = api.mask(url, spec, key=key, reset=reset, progress=progress, warnings=notes)
            else:
                summary = api.seed(url, spec, reset=reset, progress=progress, warnings=notes)
    finally:
        for warning in notes:
            common.err.print(f"  warning: {warning}", markup=False)
    _print_summary(summary, started)


def _print_summary(summary: SeedSummary, started: float) -> None:
    verb = "masked" if summary.masked else "seeded"
    for table in summary.tables:
        common.out.print(f"  {table.name:<24} {table.rows:>9,} rows  {table.seconds:6.2f} s")
    rate = summary.rows / max(time.monotonic() - started, 1e-9)
    common.out.print(f"{verb} {summary.database}: {summary.rows:,} rows in {summary.seconds:.2f} s ({rate:,.0f} rows/s)")
