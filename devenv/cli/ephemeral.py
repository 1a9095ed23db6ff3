"""Commands for throw-away and CI stacks: `gc`, `port`, `run`, `exec`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from devenv.cli import common
from devenv.errors import InputError, RuntimeFailure
from devenv.model import labels as names
from devenv.model.labels import MANUAL_PROFILE

if TYPE_CHECKING:
    from devenv import pipeline



def register(app: typer.Typer) -> None:
    app.command("gc")(gc)
    app.command("port")(port)
    app.command("run")(run)
    app.command("exec", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})(exec_)


def gc(
    all_stacks: bool = typer.Option(False, "--all", help="Remove every devenv stack on the engine(s)."),
    dry_run: bool = typer.Option(False, "--dry-run", "-n", help="Only list what would be removed."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    contexts: list[str] = typer.Option(None, "--context", help="Sweep this engine (repeat to sweep a pool). Default: "
                                                               "the engine in use and every engine this checkout "
                                                               "ran stacks on."),
) -> None:
    """Remove stacks whose time-to-live has passed, whose CI job is gone, or whose `devenv up` was killed."""
    from devenv.cli.sweep import engines_to_sweep, sweep

    verb = "would remove" if dry_run else "removed"
    reports = []
    engines, state_dir = engines_to_sweep(contexts or [])
    for target in engines:
        report = sweep(target, state_dir, all_stacks, dry_run, several=len(engines) > 1)
        reports.append(report)
        if not as_json:
            prefix = f"{target.name}: " if report.several else ""
            if report.error:
                common.err.print(f"{prefix}skipped: {report.error}", markup=False)
            for project, why in report.doomed:
                common.out.print(f"{prefix}{verb} {project}: {why}", markup=False)
            for project, error in report.failed:
                common.err.print(f"{prefix}could not remove {project}: {error}", markup=False)
    if as_json:
        document = [{"engine": r.target.name, "host": r.target.host, "error": r.error,
                     ("would_remove" if dry_run else "removed"): [{"project": p, "reason": w} for p, w in r.doomed],
                     "failed": [{"project": p, "error": e} for p, e in r.failed], "kept": r.kept} for r in reports]
        common.out.print_json(json.dumps(document[0] if len(document) == 1 else {"engines": document}))
    else:
        doomed, kept = sum(len(r.doomed) for r in reports), sum(len(r.kept) for r in reports)
        where = f" on {len(reports)} engines" if len(reports) > 1 else ""
        common.out.print(f"{doomed} stack(s) {verb}, {kept} kept{where}")
    if reports and all(r.error for r in reports):
        raise RuntimeFailure("no engine could be swept", details="\n".join(r.error for r in reports),
                             hint=reports[0].hint)
    failed = [project for r in reports for project, _ in r.failed]
    if failed:
        raise RuntimeFailure(f"{len(failed)} stack(s) could not be removed: {', '.join(failed)}",
                             hint="see the engine's message for each above (`docker network inspect` names a "
                                  "container still attached); remove that, then run `devenv gc` again")


def port(
    service: str = typer.Argument(..., help="Kubernetes Service or Compose service name."),
    container_port: int = typer.Argument(..., help="Service port (or container port)."),
    project: str = common.ProjectOption,
    context: str = common.ContextOption,
) -> None:
    """Print the 127.0.0.1:PORT where a Service port is reachable from here (a tunnel's end for a remote engine)."""
    from devenv import pipeline
    from devenv.engine import stack as engine
    from devenv.engine.client import require_engine
    from devenv.launch import reach

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    require_engine()
    rendered = pipeline.render(config)
    candidates = _port_candidates(rendered, service, container_port)
    states = engine.project_states(name)
    for state in states:
        for target, host in state.published():
            if (state.service, target) in candidates:
                common.out.print(reach(config, name, states).get(host, host))
                return
    raise InputError(f"{service}:{container_port} is not published in project '{name}'",
                     hint=f"list it under [publish] in devenv.toml (e.g. {service} = [{container_port}]) and run `devenv up`")


def _port_candidates(rendered: pipeline.Rendered, service: str, number: int) -> set[tuple[str, int]]:
    """(compose service, container port) pairs that a Service name and port (or a service and port) mean."""
    candidates = {(service, number), (f"{service}-pod", number)}
    for key, endpoints in rendered.output.endpoints.items():
        name, _, port = key.rpartition(":")
        if int(port) == number and service in (name, name.split("/", 1)[1]):
            candidates.update((f"{pod}-pod", target) for pod, target in endpoints)
    return candidates


def run(
    job: str = typer.Argument(..., help="Job or CronJob name."),
    env: str = common.EnvOption,
    project: str = common.ProjectOption,
    context: str = common.ContextOption,
) -> None:
    """Run a Job or CronJob of the stack once, now, and exit with its exit code."""
    from devenv import pipeline
    from devenv.engine.client import require_engine
    from devenv.engine.passthrough import compose

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    rendered = pipeline.prepare(config, env)
    services = rendered.output.services
    if job not in services or services[job]["labels"].get(names.ROLE) not in (names.ROLE_JOB, names.ROLE_MANUAL):
        jobs = sorted(n for n, s in services.items() if s["labels"].get(names.ROLE) in (names.ROLE_JOB, names.ROLE_MANUAL))
        raise InputError(f"no Job or CronJob named '{job}'", where="devenv run", hint=f"jobs: {', '.join(jobs) or 'none'}")
    require_engine()
    from devenv.launch import stack_environment, stack_files

    files = stack_files(config, rendered, name, stack_environment(config, rendered, name)).files
    code = compose(files, "run", "--rm", "-T", job, profiles=(MANUAL_PROFILE,))
    raise typer.Exit(code)


def exec_(
    ctx: typer.Context,
    service: str = typer.Argument(..., help="Service name (see `devenv status`)."),
    project: str = common.ProjectOption,
    context: str = common.ContextOption,
) -> None:
    """Run a command in a running service's container: `devenv exec api -- env`."""
    from devenv import pipeline
    from devenv.engine.client import require_engine
    from devenv.engine.passthrough import compose

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    command = [a for a in ctx.args if a != "--"] or ["sh"]
    require_engine()
    from devenv.launch import stack_environment

    rendered = pipeline.render(config)
    files = rendered.files(name).with_environment(stack_environment(config, rendered, name))
    raise typer.Exit(compose(files, "exec", *(["-T"] if not common.out.is_terminal else []), service, *command))
