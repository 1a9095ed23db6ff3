"""Stack bookkeeping on the engine: the meta volume holding a stack's labels, the ready marker, and
finding and removing stacks (for `devenv gc`), all by label so no state on disk is needed.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass

from python_on_whales import Volume

from devenv.engine.client import docker, engine_errors
from devenv.model import labels as names
from devenv.stackid import StackLabels

PROJECT_LABEL = names.COMPOSE_PROJECT
META_LABEL = names.META
META_VOLUME = "devenv-meta"
READY_VOLUME = "devenv-ready"
FILES_VOLUME = "devenv-files"  # a remote engine's copy of the rendered files (devenv.engine.files)


def _volume(project: str, name: str) -> str:
    return f"{project}_{name}"


def ensure_meta(project: str, fresh: StackLabels, extra: dict[str, str] | None = None) -> StackLabels:
    """The stack's labels: those recorded when it was created, or `fresh` ones recorded now (with `extra`
    labels, such as the engine as the creating client named it)."""
    client = docker()
    with engine_errors("reading the stack's meta volume"):
        found = client.volume.list(filters={"label": f"{META_LABEL}=stack", "name": _volume(project, META_VOLUME)})
        for volume in found:
            if volume.name == _volume(project, META_VOLUME):
                return StackLabels.from_labels(volume.labels or {})
        client.volume.create(_volume(project, META_VOLUME),
                             labels={PROJECT_LABEL: project, META_LABEL: "stack", **fresh.as_labels(), **(extra or {})})
    return fresh


def mark_ready(project: str) -> None:
    client = docker()
    with engine_errors("recording that the stack is ready"):
        if not client.volume.exists(_volume(project, READY_VOLUME)):
            client.volume.create(_volume(project, READY_VOLUME), labels={PROJECT_LABEL: project, META_LABEL: "ready"})


@dataclass(frozen=True)
class StackInfo:
    project: str
    labels: StackLabels
    ready: bool
    containers: int

    def verdict(self, now: float | None = None) -> str:
        """Why `gc` would remove this stack, or "" to keep it."""
        now = now or time.time()
        if self.labels.ttl and self.labels.created + self.labels.ttl < now:
            return f"expired ({_age(now - self.labels.created)} old, time-to-live {_age(self.labels.ttl)})"
        owner_alive = _alive(self.labels.owner)
        if not self.ready and owner_alive is False:
            return "its `devenv up` died before the stack was ready"
        if self.labels.ci_job and owner_alive is False:
            return f"its CI job ({self.labels.ci_job}) is gone"
        return ""


def _age(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes // 60}h{minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def _alive(owner: str) -> bool | None:
    """Whether the owner process runs; None when it is on another host (cannot tell)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def list_stacks() -> list[StackInfo]:
    """Every devenv stack on the engine, found by its meta volume or by its containers' labels."""
    client = docker()
    with engine_errors("listing devenv stacks"):
        metas = client.volume.list(filters={"label": META_LABEL})
        containers = client.container.list(all=True, filters=[("label", names.CREATED)])
        inspected = client.container.inspect([c.id for c in containers]) if containers else []
    labels: dict[str, StackLabels] = {}
    ready: set[str] = set()
    counts: dict[str, int] = {}
    for volume in metas:
        project = (volume.labels or {}).get(PROJECT_LABEL, "")
        if (volume.labels or {}).get(META_LABEL) == "ready":
            ready.add(project)
        elif project and (volume.labels or {}).get(META_LABEL) == "stack":
            labels[project] = StackLabels.from_labels(volume.labels or {})
    for container in inspected:
        container_labels = container.config.labels or {}
        project = container_labels.get(PROJECT_LABEL, "")
        counts[project] = counts.get(project, 0) + 1
        labels.setdefault(project, StackLabels.from_labels(container_labels))
    return [StackInfo(p, labels[p], p in ready, counts.get(p, 0)) for p in sorted(labels) if p]


def remove_stack(project: str) -> None:
    """Remove every container, network and volume labelled with the project (no compose file needed)."""
    client = docker()
    with engine_errors(f"removing stack {project}"):
        containers = client.container.list(all=True, filters={"label": f"{PROJECT_LABEL}={project}"})
        if containers:
            client.container.remove(list(containers), force=True, volumes=True)
        networks = client.network.list(filters={"label": f"{PROJECT_LABEL}={project}"})
        if networks:
            client.network.remove([n.name for n in networks])
        volumes = client.volume.list(filters={"label": f"{PROJECT_LABEL}={project}"})
        if volumes:
            client.volume.remove([v.name for v in volumes])


def remove_markers(project: str) -> None:
    client = docker()
    with engine_errors("removing the stack's meta volumes"):
        names = [_volume(project, META_VOLUME), _volume(project, READY_VOLUME), _volume(project, FILES_VOLUME)]
        existing: list[Volume | str] = [n for n in names if client.volume.exists(n)]
        if existing:
            client.volume.remove(existing)
