"""The Compose interpolation environment of one stack: its labels and host ports.

Every command that runs Compose for a stack (up, run, exec) must pass the same values, or Compose sees
a changed configuration and recreates containers (a pod sandbox recreated under a running app would
cut the app off its network).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from devenv import ports, stackid
from devenv.config import Config
from devenv.engine import lifecycle
from devenv.engine.stack import ServiceState, container_ids
from devenv.model.labels import port_variable
from devenv.pipeline import Rendered


def stack_environment(config: Config, rendered: Rendered, name: str, ttl: str | None = None) -> dict[str, str]:
    fresh = stackid.new_labels(rendered.env.name, stackid.parse_duration(ttl) if ttl else None)
    variables = ports.port_variables(rendered.output.services)
    with ThreadPoolExecutor(2) as pool:  # two independent engine round-trips at once
        meta = pool.submit(lifecycle.ensure_meta, name, fresh)
        listed = pool.submit(container_ids, name) if variables else None
        labels = meta.result()
        running = bool(listed.result()) if listed else False
    # the developer's own stack keeps its port numbers; extra stacks side by side (and CI) get free ones
    stable = name == config.project and not stackid.in_ci(dict(os.environ))
    chosen = ports.choose_ports(variables, config.state_dir, name, stable=stable, running=running)
    return {**labels.as_environ(), **chosen}


def running_ports(states: list[ServiceState]) -> dict[str, int]:
    """Port variable -> host port currently published by the stack's containers."""
    found = {}
    for state in states:
        for container_port, host in state.published():
            found[port_variable(state.service, container_port)] = int(host.rpartition(":")[2])
    return found
