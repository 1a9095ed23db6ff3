"""Volumes that live as long as their pod (emptyDirs and their subPath companions): a new pod never
inherits one, and `down` (which ends every pod) removes them, with or without `--volumes`."""

from __future__ import annotations

import posixpath

from devenv.engine import calls
from devenv.engine.calls import failures
from devenv.engine.lifecycle import META_VOLUME
from devenv.model import labels as names


def volumes_dir(project: str) -> str:
    """Where the engine keeps local volumes (`docker volume inspect`'s Mountpoint, two levels up), from the
    stack's meta volume: subPath entries are bound from there."""
    with failures("reading where the engine keeps volumes"):
        found = calls.inspect("volume", [f"{project}_{META_VOLUME}"])
    mountpoint = str(found[0].get("Mountpoint") or "") if found else ""
    return posixpath.dirname(posixpath.dirname(mountpoint.rstrip("/"))) or names.DEFAULT_VOLUMES_DIR


def pod_volumes(project: str) -> list[tuple[str, str]]:
    """The project's emptyDir volumes and the pod each belongs to: one `docker volume ls`."""
    with failures("listing the volumes of the stack's pods"):
        listed = calls.run(["volume", "ls", "--filter", f"label={names.COMPOSE_PROJECT}={project}",
                            "--filter", f"label={names.VOLUME}=emptyDir",
                            "--format", '{{.Name}}\t{{.Label "%s"}}' % names.POD]).splitlines()
    return [(volume, pod) for volume, _, pod in (line.partition("\t") for line in listed) if volume]


def discard_pod_volumes(project: str, all_pods: bool) -> list[str]:
    """Remove the project's emptyDir volumes: all of them, or those of pods whose sandbox is gone (before
    `up`: a pod that starts again starts with empty emptyDirs). Returns the names removed."""
    listed = pod_volumes(project)
    running: set[str] = set()
    with failures("removing the volumes of ended pods"):
        if not all_pods and listed:
            running = set(calls.run(["ps", "-a", "--filter", f"label={names.COMPOSE_PROJECT}={project}",
                                     "--filter", f"label={names.ROLE}={names.ROLE_SANDBOX}",
                                     "--format", '{{.Label "%s"}}' % names.POD]).split())
        removed = []
        for volume, pod in listed:
            if pod in running:
                continue
            try:
                calls.run(["volume", "rm", volume])
            except calls.CallFailed:  # still used by a container of the ended pod: Compose replaces it
                continue
            removed.append(volume)
    return sorted(removed)
