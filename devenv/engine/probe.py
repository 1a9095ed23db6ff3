"""Does the engine share this machine's files? One throw-away container answers, once per engine.

The answer decides how a stack's rendered files reach its containers: bind mounts when the engine
sees this machine's disk (a local engine, Docker Desktop), a volume filled through the engine's API
when it does not (a build box, a CI pool host, an engine in another mount namespace). Where a bind
mount would read the engine host's disk instead, the probe finds out (a random token it cannot see)
rather than trusting the endpoint's scheme: a unix socket may be forwarded from anywhere.

The answers are kept in the state directory's `engines.json`, which is also the list of engines
this checkout has used (`devenv gc` visits each of them).
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from devenv import process
from devenv.engine.client import cli_args, docker, engine_errors
from devenv.errors import RuntimeFailure
from devenv.model.engine import DEFAULT_CONTEXT, EngineTarget, Location

ENGINES_FILE = "engines.json"
PROBE_DIR = "engine-probe"
#: what the engine says when a bind source does not exist on its host
MISSING_SOURCE = ("bind source path does not exist", "no such file or directory", "not a directory")


def locate(state_dir: Path, helper_image: str, target: EngineTarget, refresh: bool = False) -> Location:
    """Whether `target` shares this machine's files: remembered, else probed (and remembered)."""
    known = load(state_dir).get(target.key)
    if known is not None and not refresh:
        return Location(bool(known.get("shares_files")), "cache")
    shares = probe(state_dir, helper_image)
    if shares is None:
        local = target.scheme in ("unix", "npipe")
        return Location(local, f"guess from the {target.scheme}:// endpoint (the probe container could not run)")
    remember(state_dir, target, shares=shares)
    return Location(shares, "probe")


def probe(state_dir: Path, helper_image: str) -> bool | None:
    """True when a container sees a token written here now, False when its bind source is missing on the
    engine's host (or holds something else), None when the probe itself could not run."""
    folder = state_dir / PROBE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    (folder / "token").write_text(token)
    binary = shutil.which("docker") or "docker"
    argv = [binary, *cli_args(), "run", "--rm", "--network", "none", "--mount",
            f"type=bind,source={folder.resolve()},target=/probe,readonly", helper_image, "cat", "/probe/token"]
    try:
        seen = process.run(argv, "the engine probe", timeout=120, failure=RuntimeFailure)
    except RuntimeFailure as exc:
        if any(words in exc.what.lower() for words in MISSING_SOURCE):
            return False
        with engine_errors("probing the engine"):  # an unreachable engine is one clear error
            docker().version()
        return None
    return str(seen).strip() == token


def load(state_dir: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((state_dir / ENGINES_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}


def remember(state_dir: Path, target: EngineTarget, shares: bool | None = None) -> None:
    """Record `target` as used by this checkout (and, when known, whether it shares this machine's files)."""
    data = load(state_dir)
    entry = data.get(target.key, {})
    entry.update({"context": target.context, "host": target.host, "used": int(time.time())})
    if shares is not None:
        entry["shares_files"] = bool(shares)
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
