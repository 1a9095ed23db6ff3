"""Volumes that live as long as their pod (emptyDirs and their subPath companions): a new pod never
inherits one, and `down` (which ends every pod) removes them, with or without `--volumes`."""

from __future__ import annotations

import posixpath

from python_on_whales.exceptions import DockerException

from devenv.engine.client import docker, engine_errors
from devenv.engine.lifecycle import META_VOLUME
from devenv.model import labels as names


def volumes_dir(project: str) -> str:
    """Where the engine keeps local volumes (`docker volume inspect`'s Mountpoint, two levels up), from the
    stack's meta volume: subPath entries are bound from there."""
    client = docker()
    with engine_errors("reading where the engine keeps volumes"):
        mountpoint = str(client.volume.inspect(f"{project}_{META_VOLUME}").mountpoint)
    return posixpath.dirname(posixpath.dirname(mountpoint.rstrip("/"))) or names.DEFAULT_VOLUMES_DIR


def discard_pod_volumes(project: str, all_pods: bool) -> list[str]:
    """Remove the project's emptyDir volumes: all of them (`down`), or those of pods whose sandbox is gone
    (before `up`: a pod that starts again starts with empty emptyDirs). Returns the names removed."""
    client = docker()
    with engine_errors("removing the volumes of ended pods"):
        volumes = client.volume.list(filters={"label": f"{names.COMPOSE_PROJECT}={project}"})
        running: set[str] = set()
        if not all_pods:
            sandboxes = client.container.list(all=True, filters=[("label", f"{names.COMPOSE_PROJECT}={project}"),
                                                                 ("label", f"{names.ROLE}={names.ROLE_SANDBOX}")])
            running = {str((c.config.labels or {}).get(names.POD, "")) for c in sandboxes}
        removed = []
        for volume in volumes:
            labels = volume.labels or {}
            if labels.get(names.VOLUME) == "emptyDir" and labels.get(names.POD) not in running:
                try:
                    client.volume.remove([volume.name])
                except DockerException:  # still used by a container of the ended pod: Compose replaces it
                    continue
                removed.append(volume.name)
    return sorted(removed)
