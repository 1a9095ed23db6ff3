"""Writing the Compose project: byte-identical output for identical input, and `--check` for drift.

Config files go under the output directory (fit to commit); local secret material (files and the
interpolation env file) goes under the state directory, mode 600, never beside the Compose file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devenv import statedir
from devenv.compose import paths, yamlout
from devenv.errors import InputError
from devenv.model.labels import OBJECT as OBJECT_LABEL
from devenv.model.labels import SECRET_ENV_FILE
from devenv.model.output import Output

COMPOSE_FILE = "compose.yaml"
MOUNTED_DIR_MODE = 0o755  # a Kubernetes volume's directories: readable by any container user
#: the files a render wrote under the output directory: the only ones a later render may remove
FILES_LIST = ".devenv-files"
FILES_DIR = "files"
CONFIG_PREFIX = f"./{FILES_DIR}/"  # how Output.files names config files (relative to the output directory)
#: how every compose.yaml devenv renders begins
RENDERED_MARK = b"# Rendered by devenv"
LIST_HEADER = ("# Files `devenv render` wrote in this folder. A later render removes a file listed here when it\n"
               "# no longer produces it, and never touches a file that is not listed.\n")
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
    try:
        return header + yamlout.dump(document)
    except yamlout.Unrepresentable as exc:
        raise InputError(f"{_located(document, exc.text)} holds {exc}, which no YAML reader of Compose accepts",
                         where=COMPOSE_FILE, hint="a \\uD800-\\uDFFF escape in a manifest: write the character "
                                                 "itself (UTF-8) instead") from None


def _located(node: Any, text: str, trail: str = "") -> str:
    """Where `text` sits in the document (a key or value path), and the object its service comes from."""
    found = _find(node, text, trail)
    if found and found.startswith("services."):
        service = node["services"].get(found.split(".")[1], {})
        origin = (service.get("labels") or {}).get(OBJECT_LABEL)
        return f"{found} (from {origin})" if origin else found
    return found or "a value"


def _find(node: Any, text: str, trail: str) -> str:
    if isinstance(node, dict):
        for name, value in node.items():
            shown = str(name).encode("utf-8", "backslashreplace").decode("utf-8")
            here = f"{trail}.{shown}" if trail else shown
            if name == text:
                return here
            found = _find(value, text, here)
            if found:
                return found
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found = _find(value, text, f"{trail}[{index}]")
            if found:
                return found
    elif node == text:
        return trail
    return ""


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


def planned_files(output: Output, header: str, out_dir: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the output directory a render produces (path relative to it -> content, mode),
    the list of them (FILES_LIST) included."""
    files = {COMPOSE_FILE: (compose_document(output, header).encode(), 0o644)}
    for key, file in output.files.items():
        if not file.secret:
            if not key.startswith(CONFIG_PREFIX):
                raise InputError(f"refusing to write {key!r}: config files go under {FILES_DIR}/ of the output "
                                 "directory", where=COMPOSE_FILE)
            files[f"{FILES_DIR}/" + "/".join(paths.segments(key[len(CONFIG_PREFIX):], key))] = (file.content, file.mode)
    listed = "".join(f"{relative}\n" for relative in sorted(files))
    files[FILES_LIST] = ((LIST_HEADER + listed).encode(), 0o644)
    return files


def stale_files(output: Output, header: str, out_dir: Path) -> list[str]:
    """What `render` would change under the output directory (for `--check`)."""
    out_dir = out_dir.resolve()
    planned = planned_files(output, header, out_dir)
    changed = []
    for relative, (content, _) in planned.items():
        path = _located_file(out_dir, relative)
        if not path.is_file() or path.read_bytes() != content:
            changed.append(str(path))
    for relative in (_previous(out_dir) or set()) - planned.keys():
        path = _located_file(out_dir, relative)
        if path.is_file() or path.is_symlink():
            changed.append(str(path))
    return sorted(changed)


def write_project(output: Output, header: str, out_dir: Path, state_dir: Path) -> Written:
    """Write the project and the local secret material; remove the files an earlier render wrote that this
    one no longer produces, and nothing else (FILES_LIST records what devenv wrote)."""
    out_dir = out_dir.resolve()
    statedir.ensure(state_dir)
    planned = planned_files(output, header, out_dir)
    previous = _previous(out_dir)
    targets = {relative: _located_file(out_dir, relative) for relative in planned}
    secrets = _secret_files(output, out_dir, state_dir)
    _refuse_foreign(targets, planned, previous, out_dir)
    changed = []
    for relative, (content, mode) in planned.items():
        if relative.startswith(f"{FILES_DIR}/"):
            _mounted_dirs(_files_root(out_dir), targets[relative].parent)
        if _write_if_changed(targets[relative], content, mode):
            changed.append(str(targets[relative]))
    for relative in sorted((previous or set()) - planned.keys()):
        stale = _located_file(out_dir, relative)
        if stale.is_file() or stale.is_symlink():
            stale.unlink()
            changed.append(str(stale))
            _prune_empty_parents(stale.parent, out_dir / FILES_DIR)
    mounted = statedir.private_dir(state_dir / statedir.MOUNTED).resolve()
    for path, (content, mode) in secrets.items():
        _mounted_dirs(mounted, path.parent)
        _write_if_changed(path, content, mode)
    env_lines = [f"{name}={_quote(value)}" for name, value in sorted(output.secret_env.items())]
    _write_if_changed(state_dir / SECRET_ENV_FILE, ("\n".join(env_lines) + "\n").encode(), 0o600)
    return Written(changed, out_dir / COMPOSE_FILE)


def _quote(value: str) -> str:
    """A dotenv value Compose reads literally (single quotes: no interpolation, no escapes)."""
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("\n", "\\n")
    return f'"{escaped}"'


def _secret_files(output: Output, out_dir: Path, state_dir: Path) -> dict[Path, tuple[bytes, int]]:
    """Where each secret file goes: under the state directory's files/, named as the Compose file mounts it."""
    prefix = f"{os.path.relpath(state_dir, out_dir)}/{FILES_DIR}/"
    found = {}
    for key, file in output.files.items():
        if file.secret:
            if not key.startswith(prefix):
                raise InputError(f"refusing to write secret material to {key!r}: it belongs under {prefix}",
                                 where=COMPOSE_FILE)
            found[paths.inside(_files_root(state_dir), key[len(prefix):], key)] = (file.content, file.mode)
    return found


def _files_root(folder: Path) -> Path:
    """`folder/files`, refused when it is a link leading out of `folder`."""
    root = (folder / FILES_DIR).resolve()
    if not root.is_relative_to(folder.resolve()):
        raise InputError(f"{folder / FILES_DIR} leads to {root}, outside {folder}", where=str(folder),
                         hint=f"remove the symbolic link {folder / FILES_DIR}")
    return root


def _located_file(out_dir: Path, relative: str) -> Path:
    """A path FILES_LIST may name, checked to stay inside the output directory (files/ for config files)."""
    if relative in (COMPOSE_FILE, FILES_LIST):
        return out_dir / relative
    if not relative.startswith(f"{FILES_DIR}/"):
        raise InputError(f"{relative!r} is not a file devenv writes", where=str(out_dir / FILES_LIST),
                         hint=f"the list was edited by hand: delete {FILES_LIST} and render again")
    return paths.inside(_files_root(out_dir), relative[len(FILES_DIR) + 1:], str(out_dir / FILES_LIST))


def _previous(out_dir: Path) -> set[str] | None:
    """The files an earlier render wrote here, or None when no render has recorded them."""
    listing = out_dir / FILES_LIST
    if not listing.is_file():
        return None
    entries = {line for line in listing.read_text(encoding="utf-8", errors="replace").splitlines()
               if line and not line.startswith("#")}
    for relative in entries:
        _located_file(out_dir, relative)
    return entries


def _refuse_foreign(targets: dict[str, Path], planned: dict[str, tuple[bytes, int]], previous: set[str] | None,
                    out_dir: Path) -> None:
    """Never overwrite a file devenv did not write: one in the way is bad input, before anything is written.

    Without FILES_LIST, a compose.yaml devenv rendered marks an output directory of an earlier release:
    its files are devenv's."""
    compose = out_dir / COMPOSE_FILE
    legacy = previous is None and compose.is_file() and compose.read_bytes().startswith(RENDERED_MARK)
    for relative, path in targets.items():
        if relative == FILES_LIST or legacy or relative in (previous or set()):
            continue
        if path.is_dir() or (path.is_file() and path.read_bytes() != planned[relative][0]
                             and not (relative == COMPOSE_FILE and path.read_bytes().startswith(RENDERED_MARK))):
            raise InputError(f"{path} exists and was not written by devenv: render will not replace it",
                             where=str(out_dir), hint="render into a folder of its own (`out` in devenv.toml or "
                                                      "--out), or move the file away")


def _write_if_changed(path: Path, content: bytes, mode: int) -> bool:
    path = path.resolve() if not path.is_absolute() else path
    if not path.is_symlink() and path.is_file() and path.read_bytes() == content:
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


def _prune_empty_parents(folder: Path, root: Path) -> None:
    """Remove the folders a removed file leaves empty, up to (not including) `root`."""
    root = root.resolve()
    while folder != root and folder.is_relative_to(root) and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
