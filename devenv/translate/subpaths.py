"""A pod's named volumes (emptyDirs, claims) as Kubernetes mounts them: subPaths, emptyDir semantics.

**subPath.** Kubernetes mounts a subPath as one directory (or file) inside the volume: distinct subPaths
are distinct directories, the same subPath is shared, a file an earlier container wrote can be mounted
alone (OpenSearch's `opensearch.yml`), and a missing one is created with the mode of the volume's root.
Docker mounts a named volume only whole, except on engines with API 1.45 (Compose's `volume.subpath`);
CI runs 20.10. Binding a subdirectory *of the volume itself* from the engine's disk would work on every
engine but is a host escape: a container that mounts the volume whole can replace that subdirectory with
a symbolic link to `/` before the daemon resolves the bind (the class of CVE-2017-1002101, which the
kubelet guards against). So:

- each volume with subPaths gets a private companion volume (`VOLUME-subpaths`) that no pod container
  mounts; each subPath is one entry in it, bound from the engine's volume directory
  (`${DEVENV_VOLUMES_DIR}/PROJECT_VOLUME-subpaths/_data/ENTRY`: `devenv up` asks Docker where that is).
  Only devenv's preparation step writes the companion's top level, so no container can put a link
  where the daemon resolves a bind;
- a preparation step (the helper image, as root, without network) runs before the first container that
  mounts a subPath: what earlier containers wrote at that subPath of the volume (Bitnami's init container
  copies directories into its emptyDir, OpenSearch's copies a file) moves into the entry; a subPath
  nobody wrote becomes an empty directory (mode 0777, group fsGroup), as the kubelet creates it;
- a container that mounts the volume whole after that step sees each subPath's entry mounted in place
  (the step leaves an empty file or directory there as the mount point, so a read-only view works),
  so whole and subPath views share data live; containers before it (the writers) see the volume
  without them, so `cp -r src vol/sub` creates `sub` as it does in Kubernetes.

**emptyDir.** An emptyDir starts empty, with mode 0777 (group fsGroup): the image's files at the mount
path are never copied into it (`nocopy`; Loki's gateway hides `/docker-entrypoint.d` that way), and the
step makes a fresh one writable by any user, before the pod's first container. (It lives as long as its
pod: the engine removes it with the pod, see `engine.stack`.)

The form is the same on every engine (deterministic renders), and data lives in volumes: it survives
container restarts and goes away with its volume.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from devenv.model import labels as names
from devenv.model.interpolation import engine_volume_path
from devenv.translate.context import Context
from devenv.translate.volumes import VolumePlan

VOLUMES_ROOT = "/devenv/volumes"  # where the preparation step mounts the pod's volumes
ENTRIES_ROOT = "/devenv/subpaths"  # and their companions
COMPANION_SUFFIX = "-subpaths"


@dataclass(frozen=True)
class NamedMount:
    """One volumeMount of a named volume, at its place in the pod's run order."""

    position: int  # init containers 0..n-1 in order; every container n (they start together)
    key: tuple[bool, int, int]  # (init, container index, mount index): how the container looks it up
    volume: str  # the pod volume's name
    sub_path: str  # normalized, "" for the whole volume


@dataclass
class Step:
    """A preparation step: the position it runs before, and the shell lines it runs."""

    position: int
    lines: list[str] = field(default_factory=list)
    volumes: dict[str, int] = field(default_factory=dict)  # pod volume -> its index under VOLUMES_ROOT


@dataclass
class Layout:
    """Where each named volume's subPaths live and what the pod must prepare."""

    plans: dict[str, VolumePlan]
    definitions: dict[str, dict[str, Any]]  # the project's volumes (Compose definitions by name)
    sub_paths: dict[str, list[str]] = field(default_factory=dict)  # volume -> its subPaths, sorted
    prepared_at: dict[str, int] = field(default_factory=dict)  # volume -> position of its subPath preparation
    empty_dirs: set[str] = field(default_factory=set)
    steps: list[Step] = field(default_factory=list)

    def in_memory(self, volume: str) -> bool:
        return bool(self.definitions.get(self.plans[volume].source, {}).get("driver_opts", {}).get("type") == "tmpfs")

    def held(self) -> list[str]:
        """Memory-backed volumes (and their companions): the engine unmounts a tmpfs volume, and drops its data,
        when no container mounts it; the sandbox holds them for the pod's life, as the kubelet does."""
        found = []
        for volume in sorted(v for v in self.empty_dirs if self.in_memory(v)):
            found.append(self.plans[volume].source)
            if volume in self.sub_paths:
                found.append(self.companion(volume))
        return found

    def companion(self, volume: str) -> str:
        return self.plans[volume].source + COMPANION_SUFFIX

    def entries(self, mount: NamedMount, target: str, read_only: bool) -> list[dict[str, Any]]:
        """The Compose mounts of one volumeMount: the view itself, then the subPath entries nested in it."""
        plan, volume = self.plans[mount.volume], mount.volume
        nested: list[tuple[str, str]] = []
        if mount.sub_path:
            main = self._bind(volume, mount.sub_path, target, read_only)
            nested = [(t, posixpath.join(target, t[len(mount.sub_path) + 1:]))
                      for t in self.sub_paths[volume] if t.startswith(mount.sub_path + "/")]
        else:
            main = {"type": "volume", "source": plan.source, "target": target}
            if volume in self.empty_dirs:
                main["volume"] = {"nocopy": True}
            if read_only:
                main["read_only"] = True
            if volume in self.sub_paths and mount.position >= self.prepared_at[volume]:
                nested = [(t, posixpath.join(target, t)) for t in self.sub_paths[volume]]
        return [main, *(self._bind(volume, sub, where, read_only) for sub, where in nested)]

    def _bind(self, volume: str, sub_path: str, target: str, read_only: bool) -> dict[str, Any]:
        source = engine_volume_path(self.companion(volume), entry_name(sub_path), names.VOLUMES_DIR_VARIABLE,
                                    names.DEFAULT_VOLUMES_DIR)
        bind: dict[str, Any] = {"type": "bind", "source": source, "target": target, "bind": {"create_host_path": True}}
        return {**bind, "read_only": True} if read_only else bind


def clean_sub_path(text: str) -> str | None:
    """A subPath as a relative path inside the volume; None when it leaves it (absolute, `..`)."""
    if text.startswith("/"):
        return None
    clean = posixpath.normpath(text) if text else ""
    if clean in (".", ""):
        return ""
    return None if clean == ".." or clean.startswith("../") else clean


def entry_name(sub_path: str) -> str:
    """The companion entry of a subPath: one path component, readable, unique."""
    readable = re.sub(r"[^A-Za-z0-9._-]", "-", sub_path).strip(".-")[:40]
    return f"{readable or 'root'}-{hashlib.sha256(sub_path.encode()).hexdigest()[:8]}"


def plan_layout(ctx: Context, spec: dict[str, Any], plans: dict[str, VolumePlan],
                mounts: list[NamedMount]) -> Layout:
    """Decide companions, nesting and preparation steps for the pod's named volumes."""
    layout = Layout(plans, ctx.out.volumes)
    layout.empty_dirs = {name for name, plan in plans.items() if plan.kind == "named" and
                         (ctx.out.volumes.get(plan.source) or {}).get("labels", {}).get(names.VOLUME) == "emptyDir"}
    for mount in mounts:
        if mount.sub_path:
            layout.sub_paths.setdefault(mount.volume, [])
            if mount.sub_path not in layout.sub_paths[mount.volume]:
                layout.sub_paths[mount.volume].append(mount.sub_path)
            previous = layout.prepared_at.get(mount.volume, mount.position)
            layout.prepared_at[mount.volume] = min(previous, mount.position)
    fs_group = _fs_group(spec)
    for volume in sorted(v for v in layout.empty_dirs if layout.in_memory(v)):  # a tmpfs is created with its mode
        options = ctx.out.volumes[plans[volume].source]["driver_opts"]
        extra = f"mode=2777,gid={fs_group}" if fs_group is not None else "mode=0777"
        options["o"] = ",".join(part for part in (options.get("o", ""), extra) if part)
    for volume in layout.sub_paths:
        layout.sub_paths[volume].sort()
        definition = ctx.out.volumes.get(plans[volume].source) or {}
        labels = {**definition.get("labels", {}), names.SUBPATHS: plans[volume].source}
        ctx.out.volumes[layout.companion(volume)] = {**definition, "labels": labels}
    _steps(layout, mounts, fs_group)
    return layout


def _fs_group(spec: dict[str, Any]) -> int | None:
    group = (spec.get("securityContext") or {}).get("fsGroup")
    return int(group) if isinstance(group, int) else None


def _steps(layout: Layout, mounts: list[NamedMount], fs_group: int | None) -> None:
    """emptyDirs are made writable before the first container that mounts one whole; each volume's subPaths
    are prepared before the first container that mounts one of them. Steps at one position are one step."""
    at: dict[int, Step] = {}

    def step(position: int, volume: str) -> tuple[Step, int]:
        found = at.setdefault(position, Step(position))
        return found, found.volumes.setdefault(volume, len(found.volumes))

    on_disk = {v for v in layout.empty_dirs if not layout.in_memory(v)}
    whole = [m.position for m in mounts if m.volume in on_disk and not m.sub_path]
    for volume in sorted(on_disk) if whole else ():
        target, index = step(min(whole), volume)
        root = f"{VOLUMES_ROOT}/{index}"
        target.lines.append(f'[ -n "$(ls -A {root})" ] || {{ {_fresh(root, fs_group)}; }}')
    for volume, subs in sorted(layout.sub_paths.items()):
        target, index = step(layout.prepared_at[volume], volume)
        for sub in sorted(subs, key=lambda s: (-s.count("/"), s)):  # deepest first: a/b leaves a before a moves
            source = shlex.quote(f"{VOLUMES_ROOT}/{index}/{sub}")
            entry = shlex.quote(f"{ENTRIES_ROOT}/{index}/{entry_name(sub)}")
            refusal = shlex.quote(f"devenv: subPath {sub} of volume {volume} is a symbolic link; "
                                  "Kubernetes resolves it inside the volume, devenv does not")
            # once the entry exists it is the pod's data: what a writer that runs again (`devenv up` re-runs init
            # containers) puts at the subPath stays behind the entry, and the mount point is never removed (that
            # would unmount the entry from the containers that run)
            target.lines.append(
                f"if [ ! -e {entry} ]; then\n"
                f"  if [ -L {source} ]; then echo {refusal} >&2; exit 1\n"
                f"  elif [ -e {source} ]; then cp -a {source} {entry} && rm -rf {source}\n"
                f"  else mkdir {entry} && {_fresh(entry, fs_group)}; fi\n"
                f"fi")
        for sub in subs:  # mount points of the nested entries, so read-only views need not create them
            places = [f"{VOLUMES_ROOT}/{index}/{sub}"] + [
                f"{ENTRIES_ROOT}/{index}/{entry_name(outer)}/{sub[len(outer) + 1:]}" for outer in subs
                if sub.startswith(outer + "/")]
            entry = shlex.quote(f"{ENTRIES_ROOT}/{index}/{entry_name(sub)}")
            for place in map(shlex.quote, places):  # owned like the entry: a writer that runs again can write it
                target.lines.append(f"[ -e {place} ] || {{ mkdir -p \"$(dirname {place})\"; "
                                    f"if [ -d {entry} ]; then mkdir {place}; else touch {place}; fi; "
                                    f"chown \"$(stat -c %u:%g {entry})\" {place}; chmod \"$(stat -c %a {entry})\" {place}; }}")
    layout.steps = [at[p] for p in sorted(at)]


def _fresh(path: str, fs_group: int | None) -> str:
    """A new emptyDir root or subPath directory as the kubelet leaves it: 0777, group fsGroup (setgid)."""
    return f"chmod 0777 {path}" + (f" && chgrp {fs_group} {path} && chmod g+s {path}" if fs_group is not None else "")


def step_service(layout: Layout, step: Step, image: str) -> dict[str, Any]:
    """The Compose service of a preparation step (labels and dependencies are the pod's to add)."""
    volumes: list[dict[str, Any]] = []
    for volume, index in step.volumes.items():
        volumes.append({"type": "volume", "source": layout.plans[volume].source, "target": f"{VOLUMES_ROOT}/{index}",
                        "volume": {"nocopy": True}})
        if volume in layout.sub_paths:
            volumes.append({"type": "volume", "source": layout.companion(volume),
                            "target": f"{ENTRIES_ROOT}/{index}", "volume": {"nocopy": True}})
    return {"image": image, "entrypoint": ["sh", "-c", "set -e\n" + "\n".join(step.lines)],
            "network_mode": "none", "volumes": volumes, "restart": "no", "pull_policy": "missing"}
