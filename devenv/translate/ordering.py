"""Start order derived from what each pod references, so `up` comes healthy without crash loops.

A pod that names a Service (in an env value, an argument, or a ConfigMap it reads) waits for the pods
behind it; a workload waits for the Jobs of its namespace that touch the same Services (migrations);
Helm hooks keep Helm's order. Edges that would close a cycle are dropped: Kubernetes has no start order
at all, so any acyclic subset is faithful.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from devenv.translate.context import Context
from devenv.translate.workloads import APP, JOB, PodUnit


def referenced_services(ctx: Context, unit: PodUnit, services: list[tuple[str, str]]) -> set[str]:
    """The Services (as ns/name) whose DNS names appear in the unit's pod spec or the ConfigMaps it reads."""
    own, files = _reference_text(ctx, unit)
    both = own + "\n" + files
    found = set()
    for namespace, name in services:
        qualified = rf"(?<![\w.-]){re.escape(name)}\.{re.escape(namespace)}(\.svc(\.cluster\.local)?)?(?![\w-])"
        if re.search(qualified, both):
            found.add(f"{namespace}/{name}")
        elif namespace == unit.namespace and (re.search(_host_pattern(name), both)
                                              or re.search(_token_pattern(name), own)):
            found.add(f"{namespace}/{name}")
    return found


def _host_pattern(name: str) -> str:
    """A bare Service name used as a host: after `//` or `@`, or before `:port`."""
    token = re.escape(name)
    return rf"(?:(?<=//)|(?<=@)){token}(?![\w.-])|(?<![\w.-]){token}:\d"


def _token_pattern(name: str) -> str:
    """A bare Service name as a whole token of an env value or argument (`-h db`, `--host=db`)."""
    token = re.escape(name)
    return rf"(?:^|(?<=[\s\"'=])){token}(?=$|[\s\"'/])"


def _reference_text(ctx: Context, unit: PodUnit) -> tuple[str, str]:
    """(env values and arguments, data of the ConfigMaps the pod reads)."""
    spec = unit.spec
    parts: list[Any] = []
    for group in ("initContainers", "containers"):
        for container in spec.get(group) or []:
            parts.append([container.get("command"), container.get("args"), container.get("env")])
    text = yaml.safe_dump(parts, default_flow_style=False, width=1 << 20)
    values = re.findall(r"value: (.*)", text)
    files = []
    for name in sorted(_configmaps_read(spec)):
        data = ctx.index.configmap_data(unit.namespace, name) or {}
        files.extend(v.decode(errors="replace") for v in data.values())
    args = re.findall(r"^\s*- (.*)$", text, flags=re.MULTILINE)
    return "\n".join(str(v).strip("'\"") for v in [*values, *args]), "\n".join(files)


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


def order(ctx: Context, units: list[PodUnit], backends: dict[str, list[PodUnit]],
          ready: dict[str, dict[str, str]]) -> None:
    """Fill each unit's `depends` with the services (and conditions) it waits for."""
    services = sorted(tuple(key.split("/", 1)) for key in backends)  # type: ignore[misc]
    needs: dict[str, set[str]] = {unit.base: set() for unit in units}
    touches: dict[str, set[str]] = {}
    for unit in units:
        refs = referenced_services(ctx, unit, services)  # type: ignore[arg-type]
        touches[unit.base] = refs
        for ref in refs:
            needs[unit.base].update(b.base for b in backends.get(ref, []) if b.base != unit.base)
    jobs = [u for u in units if u.role == JOB]
    for unit in units:
        if unit.role != APP:
            continue
        for job in jobs:
            if job.hook_weight is not None:
                if job.hook_weight[0] == 0:
                    needs[unit.base].add(job.base)
                else:
                    needs[job.base].add(unit.base)
            elif job.namespace == unit.namespace and touches[job.base] & touches[unit.base]:
                needs[unit.base].add(job.base)
    for hook in sorted((j for j in jobs if j.hook_weight is not None), key=lambda j: j.hook_weight or (0, 0)):
        for earlier in jobs:
            if earlier.hook_weight is not None and earlier.hook_weight < (hook.hook_weight or (0, 0)):
                needs[hook.base].add(earlier.base)
    kept: dict[str, set[str]] = {unit.base: set() for unit in units}
    for unit in sorted(units, key=lambda u: u.base):
        for other in sorted(needs[unit.base]):
            if other in ready and not _reaches(kept, other, unit.base):
                kept[unit.base].add(other)
                unit.depends.update(ready[other])


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
