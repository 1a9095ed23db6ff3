"""Writing the Compose project: byte-identical output for identical input, and `--check` for drift.

Config files go under the output directory (fit to commit); local secret material (files and the
interpolation env file) goes under the state directory (0700, see devenv.statedir), never beside the
Compose file. Mounted files get the modes a pod sees and their directories 0755, whatever the umask.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devenv import statedir
from devenv.compose import yamlout
from devenv.model.labels import SECRET_ENV_FILE
from devenv.model.output import Output

COMPOSE_FILE = "compose.yaml"
MOUNTED_DIR_MODE = 0o755  # a Kubernetes volume's directories: readable by any container user
SERVICE_KEY_ORDER = (
    "image", "build", "pull_policy", "profiles", "entrypoint", "command", "working_dir", "user", "group_add",
    "environment", "env_file", "network_mode", "networks", "hostname", "extra_hosts", "ports", "volumes",
    "depends_on", "healthcheck", "restart", "stop_grace_period", "read_only", "privileged", "cap_add", "cap_drop",
    "security_opt", "sysctls", "tty", "stdin_open", "deploy", "develop", "labels",
)


def compose_document(output: Output, header: str) -> str:
    services = {name: _ordered(output.services[name]) for name in sorted(output.services)}
    document: dict[str, Any] = {"services": services}
    if output.networks:
        document["networks"] = {k: output.networks[k] for k in sorted(output.networks)}
    if output.volumes:
        document["volumes"] = {k: output.volumes[k] for k in sorted(output.volumes)}
    return header + yamlout.dump(document)


def _ordered(service: dict[str, Any]) -> dict[str, Any]:
    if "depends_on" in service:
        service = {**service, "depends_on": {name: {"condition": condition}
                                             for name, condition in sorted(service["depends_on"].items())}}
    ordered = {key: service[key] for key in SERVICE_KEY_ORDER if key in service}
    ordered.update({key: service[key] for key in sorted(service) if key not in ordered})
    return ordered


@dataclass(frozen=True)
class Written:
    changed: list[str]
    compose_file: Path


def planned_files(output: Output, header: str, out_dir: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file under the output directory a render produces (path -> content, mode)."""
    out_dir = out_dir.resolve()
    files = {out_dir / COMPOSE_FILE: (compose_document(output, header).encode(), 0o644)}
    for relative, file in output.files.items():
        if not file.secret:
            files[(out_dir / relative).resolve()] = (file.content, file.mode)
    return files


def stale_files(output: Output, header: str, out_dir: Path) -> list[str]:
    """What `render` would change under the output directory (for `--check`)."""
    out_dir = out_dir.resolve()
    planned = planned_files(output, header, out_dir)
    changed = [str(p) for p, (content, _) in planned.items() if not p.is_file() or p.read_bytes() != content]
    existing = _existing(out_dir)
    changed += [str(p) for p in existing if p not in planned]
    return sorted(changed)


def write_project(output: Output, header: str, out_dir: Path, state_dir: Path) -> Written:
    """Write the project and the local secret material; remove files a previous render left behind."""
    out_dir = out_dir.resolve()
    statedir.ensure(state_dir)
    planned = planned_files(output, header, out_dir)
    changed = []
    for path, (content, mode) in planned.items():
        if path.is_relative_to(out_dir / "files"):
            _mounted_dirs(out_dir / "files", path.parent)
        if _write_if_changed(path, content, mode):
            changed.append(str(path))
    for stale in _existing(out_dir):
        if stale not in planned:
            stale.unlink()
            changed.append(str(stale))
    _prune_empty(out_dir / "files")
    mounted = statedir.private_dir(state_dir / statedir.MOUNTED).resolve()
    for relative, file in output.files.items():
        if file.secret:
            path = (out_dir / relative).resolve()
            _mounted_dirs(mounted, path.parent)
            _write_if_changed(path, file.content, file.mode)
    env_lines = [f"{name}={_quote(value)}" for name, value in sorted(output.secret_env.items())]
    _write_if_changed(state_dir / SECRET_ENV_FILE, ("\n".join(env_lines) + "\n").encode(), 0o600)
    return Written(changed, out_dir / COMPOSE_FILE)


def _quote(value: str) -> str:
    """A dotenv value Compose reads literally (single quotes: no interpolation, no escapes)."""
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("\n", "\\n")
    return f'"{escaped}"'


def _existing(out_dir: Path) -> list[Path]:
    folder = out_dir / "files"
    found = [p.resolve() for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    compose = out_dir / COMPOSE_FILE
    return found + ([compose.resolve()] if compose.is_file() else [])


def _write_if_changed(path: Path, content: bytes, mode: int) -> bool:
    path = path.resolve() if not path.is_absolute() else path
    if path.is_file() and path.read_bytes() == content:
        if (path.stat().st_mode & 0o777) != mode:
            os.chmod(path, mode)
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.devenv-tmp")  # unique: parallel renders of one tree
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private until its mode is set
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        os.fchmod(handle.fileno(), mode)
    tmp.replace(path)
    return True


def _mounted_dirs(root: Path, folder: Path) -> None:
    """The directories from `root` down to `folder`, created 0755 (not by the umask) as a pod sees them;
    those above `root` with the default mode."""
    if folder.is_dir():
        return
    if not folder.is_relative_to(root):
        folder.mkdir(parents=True, exist_ok=True)
        return
    _mounted_dirs(root, folder.parent)
    folder.mkdir(exist_ok=True)
    os.chmod(folder, MOUNTED_DIR_MODE)


def _prune_empty(folder: Path) -> None:
    if not folder.is_dir():
        return
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
