"""Tunnels from this machine's loopback to a remote engine's published ports, kept per stack.

A stack on a remote engine publishes its ports on the engine host's loopback, out of this machine's
reach. `ensure` starts (or reuses) one background process per stack, `devenv.engine.relay`, that
listens on 127.0.0.1 here and carries each connection to the engine host: through an SSH local
forward for ssh:// engines, else through the engine's API (`docker exec -i devenv-relay nc
127.0.0.1 PORT`, one per connection), which works wherever the docker CLI reaches the engine.

The process outlives the command that started it (the developer keeps using the ports); `down` and
`gc` stop it. Its state lives in the state directory: `tunnels/<engine>-<project>.json`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from devenv import process
from devenv.errors import RuntimeFailure
from devenv.model.engine import TUNNEL_SSH, EngineTarget
from devenv.ports import is_free

TUNNELS_DIR = "tunnels"
START_TIMEOUT = 30.0  # an SSH connection may take a while
RELAY_MODULE = "devenv.engine.relay"


@dataclass(frozen=True)
class Tunnel:
    """A running tunnel: its process, and local port per published port ("service:port" -> (remote, local))."""

    pid: int
    kind: str
    forwards: dict[str, tuple[int, int]]
    relay: str = ""  # the relay container it execs into (API tunnels)

    def local(self, remote_port: int) -> int | None:
        return next((local for remote, local in self.forwards.values() if remote == remote_port), None)


def paths(state_dir: Path, target: EngineTarget, project: str) -> tuple[Path, Path, Path]:
    """The tunnel's spec, state and log files."""
    base = state_dir / TUNNELS_DIR / f"{target.key}-{project}"
    return base.with_suffix(".spec.json"), base.with_suffix(".json"), base.with_suffix(".log")


def current(state_dir: Path, target: EngineTarget, project: str) -> Tunnel | None:
    """The stack's tunnel when its process still runs."""
    spec, state, _ = paths(state_dir, target, project)
    try:
        data = json.loads(state.read_text())
        tunnel = Tunnel(int(data["pid"]), str(data["kind"]),
                        {k: (int(v[0]), int(v[1])) for k, v in dict(data["forwards"]).items()}, str(data.get("relay", "")))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    return tunnel if _ours(tunnel.pid, spec) else None


def _ours(pid: int, spec: Path) -> bool:
    """Whether `pid` is the relay process started for `spec` (never another process that reused the pid)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return RELAY_MODULE.encode() in command and str(spec).encode() in command


def ensure(state_dir: Path, target: EngineTarget, project: str, published: dict[str, int],
           docker_args: list[str], relay_container: str) -> Tunnel:
    """A tunnel carrying every `published` port ("service:container port" -> the engine host's port)."""
    running = current(state_dir, target, project)
    if running and {k: v[0] for k, v in running.forwards.items()} == published and running.relay == relay_container:
        return running
    remembered = {k: local for k, (_, local) in running.forwards.items()} if running else _remembered(state_dir,
                                                                                                      target, project)
    stop(state_dir, target, project)
    forwards = _choose(published, remembered)
    spec, state, log = paths(state_dir, target, project)
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(json.dumps(_spec(target, forwards, docker_args, relay_container, state), indent=1))
    with open(log, "ab") as handle:
        process.start([sys.executable, "-m", RELAY_MODULE, str(spec)], stdin=subprocess.DEVNULL, stdout=handle,
                      stderr=handle, start_new_session=True, close_fds=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        tunnel = current(state_dir, target, project)
        if tunnel:
            return tunnel
        time.sleep(0.1)
    tail = log.read_text(errors="replace").strip().splitlines()[-15:] if log.is_file() else []
    raise RuntimeFailure(f"the tunnel to {target.name} did not start", where=f"project '{project}'",
                         details="\n".join(tail), hint=_hint(target))


def _hint(target: EngineTarget) -> str:
    if target.tunnel == TUNNEL_SSH:
        return f"check that `ssh {_destination(target)[-1]}` logs in without a prompt (an agent or a key)"
    return "check that `docker exec` works on the engine, then run `devenv status` again"


def _remembered(state_dir: Path, target: EngineTarget, project: str) -> dict[str, int]:
    try:
        data = json.loads(paths(state_dir, target, project)[0].read_text())
        return {str(k): int(v[1]) for k, v in dict(data["forwards"]).items()}
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return {}


def _choose(published: dict[str, int], remembered: dict[str, int]) -> dict[str, tuple[int, int]]:
    """A local port per published port: last time's, else the container's own number (above 1024), else any."""
    chosen: dict[str, tuple[int, int]] = {}
    taken: set[int] = set()
    for label, remote in sorted(published.items()):
        container_port = int(label.rpartition(":")[2])
        candidates = [remembered.get(label), container_port if container_port > 1024 else None]
        local = next((c for c in candidates if c and c not in taken and is_free(c)), None) or _any_port(taken)
        taken.add(local)
        chosen[label] = (remote, local)
    return chosen


def _any_port(taken: set[int]) -> int:
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in taken:
            return port


def _destination(target: EngineTarget) -> list[str]:
    """ssh options and destination for an ssh:// endpoint (ssh://[user@]host[:port])."""
    url = urlsplit(target.host)
    options = ["-p", str(url.port)] if url.port else []
    return [*options, "--", f"{url.username}@{url.hostname}" if url.username else str(url.hostname)]


def _spec(target: EngineTarget, forwards: dict[str, tuple[int, int]], docker_args: list[str], relay: str,
          state: Path) -> dict[str, object]:
    docker = shutil.which("docker") or "docker"
    spec: dict[str, object] = {"kind": target.tunnel, "engine": target.name, "state": str(state),
                               "forwards": {k: list(v) for k, v in forwards.items()}, "relay": relay}
    if target.tunnel == TUNNEL_SSH:
        ssh = shutil.which("ssh") or "ssh"
        spec["ssh"] = [ssh, "-N", "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes",
                       "-o", "ServerAliveInterval=15", *_destination(target)]
    else:
        spec["connect"] = [docker, *docker_args, "exec", "-i", relay, "nc", "127.0.0.1"]
        spec["alive"] = [docker, *docker_args, "inspect", "--format", "{{.State.Running}}", relay]
    return spec


def stop(state_dir: Path, target: EngineTarget, project: str) -> bool:
    """Stop the stack's tunnel; whether one was running."""
    spec, state, _ = paths(state_dir, target, project)
    tunnel = current(state_dir, target, project)
    state.unlink(missing_ok=True)
    if tunnel is None:
        return False
    try:
        os.kill(tunnel.pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _ours(tunnel.pid, spec):
        time.sleep(0.05)
    return True
