"""Host ports for published services: 127.0.0.1 only, the same number from run to run when it is free.

In CI every port is left to the engine (0), so stacks side by side never collide.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from devenv import statedir
from devenv.model import labels as names

PORT_VARIABLE_RE = names.PORT_MAPPING_RE
PORTS_FILE = "ports.json"


def port_variables(services: dict[str, dict[str, Any]]) -> dict[str, int]:
    """Interpolation variable -> container port, for every published port of the project."""
    found = {}
    for service in services.values():
        for mapping in service.get("ports") or []:
            match = PORT_VARIABLE_RE.search(str(mapping))
            if match:
                found[match.group(1)] = int(match.group(2))
    return found


def is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_ports(variables: dict[str, int], state_dir: Path, project: str, stable: bool,
                 running: bool = False) -> dict[str, str]:
    """A host port for each variable: while the stack runs, the value it was created with (a new value
    would make Compose recreate the pod); else last run's port, else the container's own number (above
    1024), else 0 (the engine picks). With `stable` False, 0 for new stacks."""
    data = _load(state_dir)
    in_use = data.get(f"{project}:chosen", {}) if running else {}
    remembered = data.get(project, {}) if stable else {}
    chosen: dict[str, str] = {}
    for name, container_port in sorted(variables.items()):
        if name in in_use:
            chosen[name] = str(in_use[name])
            continue
        if not stable:
            chosen[name] = "0"
            continue
        for candidate in (remembered.get(name), container_port if container_port > 1024 else None):
            if candidate and str(candidate) not in chosen.values() and is_free(int(candidate)):
                chosen[name] = str(candidate)
                break
        else:
            chosen[name] = "0"
    return chosen


def remember(state_dir: Path, project: str, actual: dict[str, int], chosen: dict[str, str]) -> None:
    """Record the ports a stack got (to keep them next time) and the values it was created with."""
    data = _load(state_dir)
    data[project] = {**data.get(project, {}), **actual}
    data[f"{project}:chosen"] = dict(chosen)
    statedir.ensure(state_dir)
    statedir.write_private(state_dir / PORTS_FILE, json.dumps(data, indent=1, sort_keys=True).encode())


def _load(state_dir: Path) -> dict[str, dict[str, int | str]]:
    try:
        loaded = json.loads((state_dir / PORTS_FILE).read_text())
        return loaded if isinstance(loaded, dict) else {}
    except (OSError, ValueError):
        return {}
