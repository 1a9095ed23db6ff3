"""A stack's rendered files on an engine that cannot see this machine's disk: one volume, filled through
the engine's API from a tar stream, that the containers bind from (read-only) on the engine's host.

The tar is made here, in memory, from the rendered project (ConfigMap and Secret files, the gateway's
configuration): owned by root with the modes the pod spec asks for, as the kubelet writes them. Files
a previous render had and this one has not are deleted, so a directory mount shows exactly the keys
of its ConfigMap.
"""

from __future__ import annotations

import io
import shutil
import tarfile
import time
from collections.abc import Mapping

from devenv import process
from devenv.engine import calls
from devenv.engine.calls import ENGINE_HINT, failures
from devenv.engine.lifecycle import FILES_VOLUME, label_args
from devenv.engine.selection import cli_args
from devenv.errors import RuntimeFailure
from devenv.model import labels as names

LIST_FILE = ".devenv-files"
#: unpack the stream over the volume, then delete what the stream does not list
UNPACK = (
    "set -e; cd /files; tar -x -f -; "
    f"find . -type f ! -name {LIST_FILE} | sed 's|^[.]/||' | grep -vxF -f {LIST_FILE} | "
    'while IFS= read -r stale; do rm -f "./$stale"; done; true'
)


def volume_name(project: str) -> str:
    return f"{project}_{FILES_VOLUME}"


def archive(files: Mapping[str, tuple[bytes, int]]) -> bytes:
    """A tar of `files` (path -> content, mode), owned by root, plus the list of their paths."""
    buffer = io.BytesIO()
    now = int(time.time())
    listing = "".join(f"{path}\n" for path in sorted(files)).encode()
    folders: set[str] = set()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, (content, mode) in sorted({**files, LIST_FILE: (listing, 0o600)}.items()):
            parts = path.split("/")
            for depth in range(1, len(parts)):
                folder = "/".join(parts[:depth])
                if folder not in folders:
                    folders.add(folder)
                    tar.addfile(_member(folder, tarfile.DIRTYPE, 0o755, now))
            member = _member(path, tarfile.REGTYPE, mode, now)
            member.size = len(content)
            tar.addfile(member, io.BytesIO(content))
    return buffer.getvalue()


def _member(name: str, kind: bytes, mode: int, mtime: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.uid, info.gid, info.uname, info.gname = kind, mode, mtime, 0, 0, "", ""
    return info


def ship(project: str, files: Mapping[str, tuple[bytes, int]], labels: Mapping[str, str], helper_image: str) -> str:
    """Fill the stack's files volume with `files`; the volume's directory on the engine's host."""
    name = volume_name(project)
    with failures("creating the stack's files volume"):
        found = calls.inspect("volume", [name])
        if not found:
            calls.run(["volume", "create", *label_args({names.COMPOSE_PROJECT: project, names.META: "files",
                                                        **labels}), name])
            found = calls.inspect("volume", [name])
    mountpoint = str(found[0].get("Mountpoint") or "") if found else ""
    if not mountpoint:
        raise RuntimeFailure(f"the engine did not say where volume {name} lives", where="devenv up",
                             hint="the engine's volume driver must be `local` for stacks on a remote engine")
    binary = shutil.which("docker")
    if binary is None:
        raise RuntimeFailure("the docker command is not installed", hint=ENGINE_HINT)
    argv = [binary, *cli_args(), "run", "--rm", "-i", "--network", "none",
            "--mount", f"type=volume,source={name},target=/files", helper_image, "sh", "-c", UNPACK]
    process.feed(argv, archive(files), f"copying the stack's files into volume {name}", failure=RuntimeFailure,
                 hint=f"the helper image {helper_image} must exist on the engine (or be pullable there)")
    return mountpoint
