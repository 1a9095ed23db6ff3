"""Does the engine share this machine's files and loopback? Throw-away containers answer, once per engine.

The answer decides how a stack reaches its containers and back: bind mounts of the rendered files
and published ports on 127.0.0.1 when the engine shares this machine's disk and loopback (a local
engine, Docker Desktop), else a volume filled through the engine's API and a tunnel (a build box, a
CI pool host, an engine in other namespaces). The probe finds out (a random token a container reads
from here, then one it serves on a published port) rather than trusting the endpoint's scheme: a
unix socket may be forwarded from anywhere, and an ssh:// one may lead back to this machine.

The answers are kept in the state directory's `engines.json`, which is also the list of engines
this checkout has used (`devenv gc` visits each of them).
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from devenv import process
from devenv.engine import calls
from devenv.engine.calls import failures
from devenv.engine.selection import cli_args
from devenv.errors import RuntimeFailure
from devenv.model.engine import DEFAULT_CONTEXT, EngineTarget, Location

ENGINES_FILE = "engines.json"
PROBE_DIR = "engine-probe"
#: what the engine says when a bind source does not exist on its host
LOOPBACK_WAIT = 4.0
MISSING_SOURCE = ("bind source path does not exist", "no such file or directory", "not a directory")


def locate(state_dir: Path, helper_image: str, target: EngineTarget, refresh: bool = False) -> Location:
    """Whether `target` shares this machine's files and loopback: remembered, else probed (and remembered).
    The plain default socket (no context, no DOCKER_HOST) is taken for this machine's own engine unless a
    probe (`devenv doctor`) found otherwise."""
    known = load(state_dir).get(target.key) or {}
    if "local" in known and not refresh:
        return Location(bool(known["local"]), "cache")
    if target == EngineTarget() and not refresh:
        return Location(True, "the default local socket")
    shares = probe(state_dir, helper_image)
    if shares is None:
        local = target.scheme in ("unix", "npipe")
        return Location(local, f"guess from the {target.scheme}:// endpoint (the probe container could not run)")
    remember(state_dir, target, local=shares)
    return Location(shares, "probe")


def probe(state_dir: Path, helper_image: str) -> bool | None:
    """True when the engine shares this machine's files and loopback (a container sees a token written here
    now, and a port it publishes on its loopback answers here), False when it does not, None when the probe
    itself could not run."""
    files = _sees_files(state_dir, helper_image)
    return _shares_loopback(helper_image) if files else files


def _docker() -> list[str]:
    return [shutil.which("docker") or "docker", *cli_args()]


def _sees_files(state_dir: Path, helper_image: str) -> bool | None:
    folder = state_dir / PROBE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    (folder / "token").write_text(token)
    argv = [*_docker(), "run", "--rm", "--network", "none", "--mount",
            f"type=bind,source={folder.resolve()},target=/probe,readonly", helper_image, "cat", "/probe/token"]
    try:
        seen = process.run(argv, "the engine probe", timeout=120, failure=RuntimeFailure)
    except RuntimeFailure as exc:
        if any(words in exc.what.lower() for words in MISSING_SOURCE):
            return False
        with failures("probing the engine"):  # an unreachable engine is one clear error
            calls.run(["version"])
        return None
    return seen.strip() == token


def _shares_loopback(helper_image: str) -> bool | None:
    """Whether a port the engine publishes on its loopback answers on this machine's loopback."""
    token = secrets.token_hex(16)
    try:
        container = process.run([*_docker(), "run", "-d", "--rm", "-p", "127.0.0.1::7", helper_image, "sh", "-c",
                                 f"echo {token} | nc -l -p 7"], "the loopback probe", timeout=60,
                                failure=RuntimeFailure).strip()
    except RuntimeFailure:
        return None
    try:
        published = process.run([*_docker(), "port", container, "7/tcp"], "docker port", timeout=30,
                                failure=RuntimeFailure)
        port = int(published.split()[0].rpartition(":")[2])
        deadline = time.monotonic() + LOOPBACK_WAIT
        while time.monotonic() < deadline:
            if _read(port) == token:
                return True
            time.sleep(0.2)
        return False
    except (RuntimeFailure, ValueError, IndexError):
        return None
    finally:
        process.probe([*_docker(), "rm", "-f", container])


def _read(port: int) -> str:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            return connection.recv(64).decode(errors="replace").strip()
    except OSError:
        return ""


def load(state_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((state_dir / ENGINES_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def remember(state_dir: Path, target: EngineTarget, local: bool | None = None) -> None:
    """Record `target` as used by this checkout (and, when known, whether it shares this machine's files and
    loopback)."""
    data = load(state_dir)
    entry = data.get(target.key, {})
    entry.update({"context": target.context, "host": target.host, "used": int(time.time())})
    if local is not None:
        entry["local"] = local
    data[target.key] = entry
    state_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / ENGINES_FILE).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")


def used_engines(state_dir: Path) -> list[EngineTarget]:
    """Every engine this checkout has run a stack on (for `devenv gc`)."""
    found = []
    for entry in load(state_dir).values():
        context, host = str(entry.get("context", DEFAULT_CONTEXT)), str(entry.get("host", ""))
        if context != DEFAULT_CONTEXT:
            found.append(EngineTarget(context, host, "engines.json"))
        elif host:
            found.append(EngineTarget(DEFAULT_CONTEXT, host, "DOCKER_HOST"))
    return sorted(set(found), key=lambda t: t.name)
