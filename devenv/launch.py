"""The Compose interpolation environment of one stack (its labels and host ports), the project files
Compose runs for the engine in use, and the addresses that reach the stack from this machine.

Every command that runs Compose for a stack (up, run, exec) must pass the same values, or Compose sees
a changed configuration and recreates containers (a pod sandbox recreated under a running app would
cut the app off its network).

On an engine that does not share this machine's disk and loopback (a remote engine), the stack runs
from compose.yaml's remote form (rendered files shipped into a volume through the engine's API, see
devenv.compose.remote), its ports are chosen by the engine, and a tunnel carries them to 127.0.0.1 here.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

from devenv import ports, stackid
from devenv.compose.remote import RELAY, remote_document, shipped_files
from devenv.config import Config
from devenv.engine import files as engine_files
from devenv.engine import lifecycle, probe, tunnel
from devenv.engine.selection import current_target
from devenv.engine.pod_volumes import volumes_dir
from devenv.engine.stack import ServiceState, container_ids
from devenv.errors import RuntimeFailure
from devenv.model import labels as names
from devenv.model.engine import TUNNEL_EXEC, Location
from devenv.model.labels import VOLUMES_DIR_VARIABLE, port_variable
from devenv.model.project import ProjectFiles
from devenv.pipeline import Rendered, helper_image

REMOTE_DIR = "remote"


class StackRun(NamedTuple):
    """What Compose runs a stack from on the engine in use."""

    files: ProjectFiles
    notes: list[str]  # host paths the engine reads on its own host
    helpers: list[str]  # services devenv adds there (the relay), started with any subset of the stack
    engine: str  # the remote engine's name, "" for an engine sharing this machine's files


def location(config: Config) -> Location:
    """Where the engine in use sits: sharing this machine's files and loopback, or not (probed once per engine)."""
    return probe.locate(config.state_dir, helper_image(config), current_target())


def ports_key(config: Config, name: str) -> str:
    """Whose ports ports.json keeps: the project's on a local engine, the project's on that engine otherwise."""
    return f"{name}@{current_target().key}" if location(config).remote else name


def stack_environment(config: Config, rendered: Rendered, name: str, ttl: str | None = None) -> dict[str, str]:
    target = current_target()
    fresh = stackid.new_labels(rendered.env.name, stackid.parse_duration(ttl) if ttl else None)
    variables = ports.port_variables(rendered.output.services)
    with ThreadPoolExecutor(2) as pool:  # independent engine round-trips at once
        listed = pool.submit(container_ids, name) if variables else None
        labels = lifecycle.ensure_meta(name, fresh, {names.ENGINE: target.name})
        volumes = volumes_dir(name)
        running = bool(listed.result()) if listed else False
    probe.remember(config.state_dir, target)
    remote = location(config).remote
    # the developer's own stack keeps its port numbers; extra stacks side by side, CI and remote engines
    # (shared by many, and whose free ports cannot be checked from here) get free ones from the engine
    stable = name == config.project and not stackid.in_ci(dict(os.environ)) and not remote
    chosen = ports.choose_ports(variables, config.state_dir, ports_key(config, name), stable=stable, running=running)
    return {**labels.as_environ(), **chosen, VOLUMES_DIR_VARIABLE: volumes}


def stack_files(config: Config, rendered: Rendered, name: str, environment: dict[str, str]) -> StackRun:
    """The project files Compose runs the stack from on the engine in use, and notes on host paths.

    On a remote engine: the rendered files shipped into the stack's files volume, and compose.yaml's
    remote form written to the state directory (relative build and watch paths still resolve from the
    output directory, the project directory)."""
    files = rendered.files(name).with_environment(environment)
    if not location(config).remote:
        return StackRun(files, [], [], "")
    target = current_target()
    labels = {label: environment.get(variable, "") for label, variable in names.STACK_VARIABLES.items()}
    mountpoint = engine_files.ship(name, shipped_files(rendered.output), labels, helper_image(config))
    relay = helper_image(config) if target.tunnel == TUNNEL_EXEC else ""
    text, notes = remote_document(rendered.output, rendered.header, target.name, mountpoint, relay,
                                  config.local.remote_bind)
    path = remote_compose_file(config, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text() != text:
        path.write_text(text)
    remote = ProjectFiles(path, files.env_file, name, files.environment, project_dir=rendered.out_dir)
    return StackRun(remote, notes, [RELAY] if relay else [], target.name)


def remote_compose_file(config: Config, name: str) -> Path:
    return config.state_dir / REMOTE_DIR / f"{current_target().key}-{name}.compose.yaml"


def running_ports(states: list[ServiceState]) -> dict[str, int]:
    """Port variable -> host port currently published by the stack's containers."""
    found = {}
    for state in states:
        for container_port, host in state.published():
            found[port_variable(state.service, container_port)] = int(host.rpartition(":")[2])
    return found


def reach(config: Config, name: str, states: list[ServiceState]) -> dict[str, str]:
    """Each published "HOST:PORT" on the engine -> the address that reaches it from this machine: itself on a
    local engine, the tunnel's 127.0.0.1 end on a remote one (started, or restarted, as needed)."""
    published = {f"{s.service}:{port}": host for s in states for port, host in s.published()}
    if not published or not location(config).remote:
        return {host: host for host in published.values()}
    target = current_target()
    relay = next((s.id for s in states if s.service == RELAY and s.status == "running"), "")
    if target.tunnel == TUNNEL_EXEC and not relay:
        raise RuntimeFailure(f"the relay of project '{name}' on {target.name} is not running",
                             hint="run `devenv up` again (it starts the relay with the stack)")
    wanted = {label: int(host.rpartition(":")[2]) for label, host in published.items()}
    carried = tunnel.ensure(config.state_dir, target, name, wanted, target.cli_args, relay)
    return {host: f"127.0.0.1:{carried.forwards[label][1]}" for label, host in published.items()}


def stop_tunnel(config: Config, name: str) -> bool:
    return tunnel.stop(config.state_dir, current_target(), name)
