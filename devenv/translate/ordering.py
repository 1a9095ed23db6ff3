"""Start order derived from what each pod references, so `up` comes healthy without crash loops.

A pod that names a Service (in an env value, an argument, or a ConfigMap it reads) waits for the pods
behind it; a workload waits for the Jobs of its namespace that touch the same Services (migrations);
Helm hooks keep Helm's order. Kubernetes has no start order at all, so any acyclic subset is faithful,
but not every subset starts: a cycle is broken by meaning, never by name order, and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from devenv.translate.context import Context
from devenv.translate.workloads import JOB, PodUnit

HOST_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*")
CLUSTER_SUFFIXES = (".svc.cluster.local", ".svc")
TOKEN_BEFORE = " \t\n\"'="
TOKEN_AFTER = " \t\n\"'/"


def referenced_services(ctx: Context, unit: PodUnit, services: set[tuple[str, str]]) -> set[str]:
    """The Services (as ns/name) whose DNS names appear in the unit's pod spec or the ConfigMaps it reads.

    One pass over the text: every host-like word is looked up, so the cost does not grow with the number
    of Services. A qualified name (`svc.ns`, `svc.ns.svc...`) counts anywhere; a bare name counts when used
    as a host (`//svc`, `@svc`, `svc:port`), or as a whole token of an env value or argument (`-h db`).
    """
    own, files = _reference_text(ctx, unit)
    found: set[str] = set()
    for text, tokens_count in ((own, True), (files, False)):
        for match in HOST_RE.finditer(text):
            word = match.group(0)
            for suffix in CLUSTER_SUFFIXES:
                if word.endswith(suffix):
                    word = word[: -len(suffix)]
                    break
            name, _, namespace = word.partition(".")
            if namespace and "." not in namespace:
                if (namespace, name) in services and _bounded(text, match.start(), match.end()):
                    found.add(f"{namespace}/{name}")
            elif not namespace and (unit.namespace, name) in services:
                if _used_as_host(text, match.start(), match.end()) or (
                        tokens_count and _whole_token(text, match.start(), match.end())):
                    found.add(f"{unit.namespace}/{name}")
    return found


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    return before not in (".", "-", "_") and (after == "" or not (after.isalnum() or after in "-_"))


def _used_as_host(text: str, start: int, end: int) -> bool:
    if not _bounded(text, start, end):
        return False
    return text[max(0, start - 2):start] == "//" or text[start - 1:start] == "@" or (
        text[end:end + 1] == ":" and text[end + 1:end + 2].isdigit())


def _whole_token(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else "\n"
    after = text[end] if end < len(text) else "\n"
    return before in TOKEN_BEFORE and after in TOKEN_AFTER


def _reference_text(ctx: Context, unit: PodUnit) -> tuple[str, str]:
    """(env values and arguments, data of the ConfigMaps the pod reads)."""
    spec = unit.spec
    own: list[str] = []
    for group in ("initContainers", "containers"):
        for container in spec.get(group) or []:
            own.extend(str(part) for part in (container.get("command") or []) + (container.get("args") or []))
            own.extend(str(item.get("value")) for item in container.get("env") or [] if item.get("value") is not None)
    files: list[str] = []
    for name in sorted(_configmaps_read(spec)):
        data = ctx.index.configmap_data(unit.namespace, name) or {}
        files.extend(v.decode(errors="replace") for v in data.values())
    return "\n".join(own), "\n".join(files)


def _configmaps_read(spec: dict[str, Any]) -> set[str]:
    names = set()
    for group in ("initContainers", "containers"):
        for container in spec.get(group) or []:
            for source in container.get("envFrom") or []:
                if "configMapRef" in source:
                    names.add(str((source["configMapRef"] or {}).get("name")))
            for item in container.get("env") or []:
                ref = (item.get("valueFrom") or {}).get("configMapKeyRef")
                if ref:
                    names.add(str(ref.get("name")))
    for volume in spec.get("volumes") or []:
        if "configMap" in volume:
            names.add(str((volume["configMap"] or {}).get("name")))
    return names


@dataclass(frozen=True)
class Wait:
    """One start-order edge: `unit` waits for `other`, for a reason, with a rank saying how much it matters."""

    rank: int  # 0: a one-shot after what it needs, or Helm's hook order; 1: a client after its server;
    #            2: a server after a one-shot (migration, pre-install hook), which must yield to the others
    unit: PodUnit
    other: PodUnit
    why: str
    fanout: int = 0  # how many Services the waiting unit dials: a gateway's waits yield to a single client's


def order(ctx: Context, units: list[PodUnit], backends: dict[str, list[PodUnit]],
          ready: dict[str, dict[str, str]]) -> None:
    """Fill each unit's `depends` with the services (and conditions) it waits for.

    Waits are kept by meaning, most binding first (see `Wait.rank`), each unless it would close a cycle:
    a one-shot that dials a Service runs after that Service is ready, and a server never waits for a
    one-shot that needs it. Between two servers that dial each other, the one dialing fewer Services keeps
    its wait (a gateway or proxy fans out to many and tolerates a late upstream; a client of one server
    needs it). Every wait dropped is reported, so the stack always starts and says why.
    """
    kept: dict[str, set[str]] = {unit.base: set() for unit in units}
    for wait in sorted(_waits(ctx, units, backends), key=lambda w: (w.rank, w.fanout, w.unit.base, w.other.base)):
        if wait.other.base not in ready or wait.other.base in kept[wait.unit.base]:
            continue
        if _reaches(kept, wait.other.base, wait.unit.base):
            ctx.report("start-order-cycle", wait.unit.obj, wait.unit.field,
                       prod=f"waits for {wait.other.obj} ({wait.why})", local="starts without waiting for it")
            continue
        kept[wait.unit.base].add(wait.other.base)
        wait.unit.depends.update(ready[wait.other.base])


def _waits(ctx: Context, units: list[PodUnit], backends: dict[str, list[PodUnit]]) -> list[Wait]:
    services = {tuple(key.split("/", 1)) for key in backends}
    waits: list[Wait] = []
    touches: dict[str, set[str]] = {}
    for unit in units:
        refs = referenced_services(ctx, unit, services)  # type: ignore[arg-type]
        touches[unit.base] = refs
        for ref in sorted(refs):
            waits.extend(Wait(1 if unit.long_running else 0, unit, backend, f"it dials Service {ref}", len(refs))
                         for backend in backends.get(ref, []) if backend.base != unit.base)
    jobs = [u for u in units if u.role == JOB and not u.serves]
    for unit in units:
        if not unit.long_running:
            continue
        for job in jobs:
            if job.hook_weight is not None:
                if job.hook_weight[0] == 0:
                    waits.append(Wait(2, unit, job, "a Helm pre-install hook"))
                else:
                    waits.append(Wait(0, job, unit, "a Helm post-install hook runs after the release"))
            elif job.namespace == unit.namespace and touches[job.base] & touches[unit.base]:
                shared = ", ".join(sorted(touches[job.base] & touches[unit.base]))
                waits.append(Wait(2, unit, job, f"a Job of its namespace that also uses {shared}"))
    hooks = sorted((j for j in jobs if j.hook_weight is not None), key=lambda j: j.hook_weight or (0, 0, ""))
    for earlier, hook in zip(hooks, hooks[1:]):  # Helm runs hooks one at a time: phase, weight, then name
        waits.append(Wait(0, hook, earlier, "Helm runs hooks one at a time, by phase, weight and name"))
    return waits


def _reaches(needs: dict[str, set[str]], start: str, goal: str) -> bool:
    stack, seen = [start], set()
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(needs.get(current, ()))
    return False
