"""Stack bookkeeping on the engine: the meta volume holding a stack's labels, the ready marker, and
finding and removing stacks (for `devenv gc`), all by label so no state on disk is needed.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from devenv.engine import calls
from devenv.engine.calls import failures
from devenv.model import labels as names
from devenv.stackid import StackLabels

PROJECT_LABEL = names.COMPOSE_PROJECT
META_LABEL = names.META
META_VOLUME = "devenv-meta"
READY_VOLUME = "devenv-ready"
FILES_VOLUME = "devenv-files"  # a remote engine's copy of the rendered files (devenv.engine.files)


def _volume(project: str, name: str) -> str:
    return f"{project}_{name}"


def label_args(labels: Mapping[str, str]) -> list[str]:
    """`--label KEY=VALUE` options for a docker create command."""
    return [arg for key, value in sorted(labels.items()) for arg in ("--label", f"{key}={value}")]


def ensure_meta(project: str, fresh: StackLabels, extra: dict[str, str] | None = None) -> StackLabels:
    """The stack's labels: those recorded when it was created, or `fresh` ones recorded now (with `extra`
    labels, such as the engine as the creating client named it)."""
    name = _volume(project, META_VOLUME)
    with failures("reading the stack's meta volume"):
        found = calls.inspect("volume", [name])
        if found:
            return StackLabels.from_labels(found[0].get("Labels") or {})
        calls.run(["volume", "create", *label_args({PROJECT_LABEL: project, META_LABEL: "stack",
                                                     **fresh.as_labels(), **(extra or {})}), name])
    return fresh


def mark_ready(project: str) -> None:
    """Record that the stack became ready (creating a volume that exists already changes nothing)."""
    with failures("recording that the stack is ready"):
        calls.run(["volume", "create", *label_args({PROJECT_LABEL: project, META_LABEL: "ready"}),
                   _volume(project, READY_VOLUME)])


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
    with failures("listing devenv stacks"):
        metas = calls.inspect("volume", calls.listed("volume", META_LABEL))
        inspected = calls.inspect("container", calls.listed("container", names.CREATED))
    labels: dict[str, StackLabels] = {}
    ready: set[str] = set()
    counts: dict[str, int] = {}
    for volume in metas:
        volume_labels = volume.get("Labels") or {}
        project = volume_labels.get(PROJECT_LABEL, "")
        if volume_labels.get(META_LABEL) == "ready":
            ready.add(project)
        elif project and volume_labels.get(META_LABEL) == "stack":
            labels[project] = StackLabels.from_labels(volume_labels)
    for container in inspected:
        container_labels = (container.get("Config") or {}).get("Labels") or {}
        project = container_labels.get(PROJECT_LABEL, "")
        counts[project] = counts.get(project, 0) + 1
        labels.setdefault(project, StackLabels.from_labels(container_labels))
    return [StackInfo(p, labels[p], p in ready, counts.get(p, 0)) for p in sorted(labels) if p]


def remove_stack(project: str) -> None:
    """Remove every container, network and volume labelled with the project (no compose file needed)."""
    label = f"{PROJECT_LABEL}={project}"
    with failures(f"removing stack {project}"):
        containers = calls.listed("container", label)
        if containers:
            calls.run(["rm", "--force", "--volumes", *containers])
        networks = calls.listed("network", label)
        if networks:
            calls.run(["network", "rm", *networks])
        volumes = calls.listed("volume", label)
        if volumes:
            calls.run(["volume", "rm", *volumes])


def remove_markers(project: str, also: Sequence[str] = ()) -> None:
    """Remove the stack's meta, ready and files volumes (those that exist) and the volumes named in `also`
    (its pods' emptyDirs after `down`), in one call; a volume still in use is left, not an error."""
    volumes = [*(_volume(project, name) for name in (META_VOLUME, READY_VOLUME, FILES_VOLUME)), *also]
    try:
        calls.run(["volume", "rm", "--force", *volumes])
    except calls.CallFailed as exc:
        refusals = [line for line in exc.output.splitlines() if line.strip()]
        if not refusals or not all("in use" in line for line in refusals):
            raise calls.failure(exc.output, "removing the stack's meta volumes") from None
