"""`devenv up`, `down`, `status`, `logs`: the stack's life cycle on the engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from devenv.cli import common
from devenv.compose import paths
from devenv.config import Config
from devenv.errors import InputError, RuntimeFailure
from devenv.model import labels as names
from devenv.model.project import ProjectFiles

if TYPE_CHECKING:
    from rich.table import Table

    from devenv import pipeline
    from devenv.config import Config


if TYPE_CHECKING:
    from devenv.engine.stack import ServiceState, UpResult


def register(app: typer.Typer) -> None:
    app.command("up")(up)
    app.command("down")(down)
    app.command("status")(status)
    app.command("logs")(logs)
    app.command("watch")(watch)


def up(
    services: list[str] = typer.Argument(None, help="Start only these services and what they depend on."),
    env: str = common.EnvOption,
    project: str = common.ProjectOption,
    timeout: int = typer.Option(None, "--timeout", "-t", help="Seconds to wait for readiness (default: devenv.toml, 300)."),
    logs_dir: Path = typer.Option(None, "--logs-dir", help="On failure, save every service's full log here."),
    rm_on_failure: bool = typer.Option(False, "--rm-on-failure", help="Tear the stack down after reporting a failure."),
    ttl: str = typer.Option(None, "--ttl", help="Time-to-live for `devenv gc` (e.g. 2h; default: none, 2h in CI)."),
    seed: bool = typer.Option(True, "--seed/--no-seed", help="Seed the databases once the stack is ready."),
    watch: bool = typer.Option(False, "--watch", "-w", help="Then sync source changes into the services built "
                                                             "from the working tree (Compose watch) until Ctrl-C."),
    context: str = common.ContextOption,
) -> None:
    """Render, start the stack and wait until every service is ready (or say which one is not, and why)."""
    from devenv import builds, pipeline, ports

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    rendered = pipeline.prepare(config, env)
    from devenv.engine import lifecycle
    from devenv.engine import stack as engine
    from devenv.engine.pod_volumes import discard_pod_volumes
    from devenv.launch import ports_key, reach, running_ports, stack_environment, stack_files

    expected = rendered.startable_services
    unknown = sorted(set(services or []) - set(rendered.output.services))
    if unknown:
        raise InputError(f"no service named {', '.join(unknown)}", where="devenv up",
                         hint=f"services: {', '.join(expected)}")
    if services:
        expected = sorted(_closure(rendered, services))
    stack_env = stack_environment(config, rendered, name, ttl)
    files, notes, helpers, remote = stack_files(config, rendered, name, stack_env)
    discard_pod_volumes(name, all_pods=False)  # pods starting anew get empty emptyDirs
    for note in notes:
        common.err.print(f"note: {note}", markup=False)
    where = f" on {remote} (remote engine)" if remote else ""
    common.out.print(f"starting {len(expected)} services of project '{name}' (environment '{rendered.env.name}'){where}")
    fingerprints = builds.fingerprints(rendered.output.services, rendered.out_dir)
    built = {service: digest for service, digest in fingerprints.items() if not services or service in expected}
    key = ports_key(config, name)  # this project on this engine, for what the state directory remembers
    changed, unrecorded = builds.stale(built, config.state_dir, key)
    rebuild = sorted({*changed, *existing_images(rendered, unrecorded)})
    if rebuild:
        common.out.print(f"building {', '.join(rebuild)}: its build context changed since the last `devenv up` "
                         "(or its image was built elsewhere)")
    result = _run_up(files, expected, timeout or config.local.timeout, [*services, *helpers] if services else None,
                     build=bool(rebuild))
    if result.ready:
        lifecycle.mark_ready(name)
        builds.remember(built, config.state_dir, key)
        ports.remember(config.state_dir, key, running_ports(result.states),
                       {k: v for k, v in stack_env.items() if k.startswith("DEVENV_PORT_")})
        common.out.print(f"[green]ready[/] in {result.seconds:.1f} s: {len(result.states)} containers", markup=True)
        everything = engine.project_states(name) if remote else result.states  # with the relay, if any
        _print_ports(result.states, _ingress_hosts(rendered), reach(config, name, everything))
        if seed and config.local.seed_on_up and not services:
            _seed_after_up(config, rendered, name)
        if watch:
            raise typer.Exit(_watch(files, rendered))
        return
    _report_failure(files, result, logs_dir)
    if rm_on_failure:
        engine.down(files, volumes=True)
        lifecycle.remove_markers(name)
        common.err.print(f"removed project '{name}' (--rm-on-failure)")
    else:
        common.err.print("the stack is left as it is for inspection: `devenv logs SERVICE`, then `devenv down`")
    raise RuntimeFailure("the stack did not become ready", where=f"project '{name}'",
                         hint="fix the failing service(s) above and run `devenv up` again")


def existing_images(rendered: pipeline.Rendered, services: list[str]) -> list[str]:
    """Those of `services` whose image exists on the engine (one `docker image inspect`)."""
    if not services:
        return []
    from devenv.engine.stack import present_images

    images = {service: str(rendered.output.services[service].get("image", "")) for service in services}
    present = present_images(list(images.values()))
    return sorted(service for service, image in images.items() if image in present)


def _watch(files: ProjectFiles, rendered: pipeline.Rendered) -> int:
    from devenv.engine.passthrough import compose

    watched = sorted(n for n, s in rendered.output.services.items() if s.get("develop"))
    if not watched:
        raise InputError("no service is built from source with watch rules", where="devenv.toml",
                         hint='add watch = [{ action = "sync", path = ".", target = "/app" }] under [build."IMAGE"]')
    common.out.print(f"watching {', '.join(watched)}: edits sync into the running containers (Ctrl-C stops)")
    return compose(files, "watch", "--no-up", *watched)


def watch(
    env: str = common.EnvOption,
    project: str = common.ProjectOption,
    context: str = common.ContextOption,
) -> None:
    """Sync source changes into the running services built from the working tree (Compose watch)."""
    from devenv import pipeline

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    rendered = pipeline.prepare(config, env)
    from devenv.engine.client import require_engine
    from devenv.launch import stack_environment, stack_files

    require_engine()
    files = stack_files(config, rendered, name, stack_environment(config, rendered, name)).files
    raise typer.Exit(_watch(files, rendered))


def _seed_after_up(config: Config, rendered: pipeline.Rendered, name: str) -> None:
    from devenv.cli.seed import seed_stack

    seed_stack(config, rendered, name)


def _closure(rendered: pipeline.Rendered, wanted: list[str]) -> set[str]:
    """The services named and everything they depend on, transitively (the pod sandboxes included)."""
    services = rendered.output.services
    seen: set[str] = set()
    pending = list(wanted)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        service = services[name]
        pending.extend(service.get("depends_on") or {})
        mode = service.get("network_mode", "")
        if mode.startswith("service:"):
            pending.append(mode.split(":", 1)[1])
    return seen


def _run_up(files: ProjectFiles, expected: list[str], timeout: float, services: list[str] | None,
            build: bool) -> UpResult:
    from devenv.engine import stack as engine

    interactive = common.out.is_terminal
    seen: dict[str, str] = {}

    def table(states: list[ServiceState]) -> Table:
        from rich.table import Table

        grid = Table(box=None, show_header=False, pad_edge=False)
        for state in states:
            colour = "green" if state.ready else "red" if state.failure else "yellow"
            grid.add_row(state.service, f"[{colour}]{state.summary}[/]")
        return grid

    if interactive:
        from rich.live import Live

        with Live(table([]), console=common.out, refresh_per_second=4, transient=True) as live:
            return engine.up(files, expected, timeout, lambda states: live.update(table(states)), services, build)

    def lines(states: list[ServiceState]) -> None:
        for state in states:
            if seen.get(state.service) != state.summary:
                seen[state.service] = state.summary
                common.out.print(f"  {state.service}: {state.summary}")

    return engine.up(files, expected, timeout, lines, services, build)


def _report_failure(files: ProjectFiles, result: UpResult, logs_dir: Path | None) -> None:
    from devenv.engine import stack as engine

    if result.compose_error:
        common.err.print("[red]docker compose up failed:[/]", markup=True)
        for line in result.compose_error.splitlines()[-20:]:
            common.err.print(f"  {line}", markup=False)
    for state in result.failed:
        why = "not ready before the timeout" if result.timed_out else state.failure
        common.err.print(f"[red]{state.service}[/]: {why} (status {state.status})", markup=True)
        tail = engine.logs(files.project, state.service, tail=20).rstrip()
        for line in tail.splitlines() or ["(no log output)"]:
            common.err.print(f"  | {line}", markup=False)
    if logs_dir is not None:
        logs_dir.mkdir(parents=True, exist_ok=True)
        for state in result.states:
            log = paths.inside(logs_dir, f"{state.service}.log", "--logs")
            log.write_text(engine.logs(files.project, state.service, tail=None))
        common.err.print(f"full logs saved in {logs_dir}")


def _ingress_hosts(rendered: pipeline.Rendered) -> list[str]:
    from devenv.translate.gateway import local_host

    return sorted({local_host(str(rule["host"])) for m in rendered.manifests if m.kind == "Ingress"
                   for rule in m.spec.get("rules") or [] if rule.get("host")})


def _print_ports(states: list[ServiceState], ingress_hosts: list[str], reachable: dict[str, str]) -> None:
    """Each published port at the address that works from here (a tunnel's end for a remote engine)."""
    for state in states:
        for port in state.ports:
            published, _, container = port.partition("->")
            host = reachable.get(published, published)
            if state.role == names.ROLE_GATEWAY:
                for name in ingress_hosts:
                    common.out.print(f"  ingress: http://{name}:{host.rpartition(':')[2]}/")
            else:
                scheme = "http://" if container.split("/")[0] in ("80", "8000", "8080", "3000", "8443") else ""
                common.out.print(f"  {state.service}: {scheme}{host} -> {container}")


def down(
    project: str = common.ProjectOption,
    volumes: bool = typer.Option(False, "--volumes", "-v", help="Also delete the stack's volumes (its data)."),
    context: str = common.ContextOption,
) -> None:
    """Stop and remove the stack's containers and networks (and volumes with --volumes)."""
    from concurrent.futures import ThreadPoolExecutor

    from devenv.engine import lifecycle, tunnel
    from devenv.engine import stack as engine
    from devenv.engine.pod_volumes import pod_volumes
    from devenv.engine.selection import current_target

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    files = ProjectFiles(config.out / "compose.yaml", config.state_dir / names.SECRET_ENV_FILE, name)
    if not files.compose_file.is_file():
        from devenv import pipeline

        pipeline.write(pipeline.render(config))
    with ThreadPoolExecutor(1) as pool:  # the emptyDirs are listed while Compose stops the containers
        listed = pool.submit(pod_volumes, name)
        engine.down(files, volumes=volumes)
        empty_dirs = [volume for volume, _ in listed.result()]
    lifecycle.remove_markers(name, also=empty_dirs)  # an emptyDir ends with its pod: one call for all
    tunnel.stop(config.state_dir, current_target(), name)
    common.out.print(f"project '{name}' is down" + (" and its volumes removed" if volumes else ""))


def status(
    project: str = common.ProjectOption,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    context: str = common.ContextOption,
) -> None:
    """Each container of the stack: state, health and the addresses of its published ports from here."""
    from rich.table import Table

    from devenv.engine import stack as engine
    from devenv.engine.selection import current_target
    from devenv.launch import location, reach

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    found = engine.project_states(name)
    states = _reachable_states(found, reach(config, name, found))
    if as_json:
        target = current_target()
        common.out.print_json(json.dumps({"project": name, "services": engine.describe(states),
                                          "engine": {"name": target.name, "host": target.host,
                                                     "remote": location(config).remote}}))
        return
    if not states:
        common.out.print(f"project '{name}' has no containers (run `devenv up`)")
        return
    grid = Table("service", "role", "state", "ports", box=None)
    for state in states:
        grid.add_row(state.service, state.role, state.summary, " ".join(state.ports))
    common.out.print(grid)


def logs(
    service: str = typer.Argument(None, help="Service name (see `devenv status`)."),
    project: str = common.ProjectOption,
    tail: int = typer.Option(100, "--tail", "-n", help="Lines to show."),
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new lines."),
    context: str = common.ContextOption,
) -> None:
    """Show a service's recent log lines (all services when none is named)."""
    from devenv.engine.client import require_engine
    from devenv.engine.passthrough import compose

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    require_engine()
    files = ProjectFiles(config.out / "compose.yaml", config.state_dir / names.SECRET_ENV_FILE, name)
    args = ["logs", "--tail", str(tail), *(["--follow"] if follow else []), *([service] if service else [])]
    raise typer.Exit(compose(files, *args))


def _reachable_states(states: list[ServiceState], reachable: dict[str, str]) -> list[ServiceState]:
    """The states with each published port shown at the address that reaches it from here."""
    from dataclasses import replace

    def shown(port: str) -> str:
        published, arrow, container = port.partition("->")
        return reachable.get(published, published) + arrow + container

    return [replace(s, ports=tuple(shown(p) for p in s.ports)) for s in states]
