"""A pod unit as Compose services: a sandbox holding the pod's network, init containers, containers.

The sandbox (the helper image, busybox) plays the role of the pod's pause container: it owns the
network namespace and the DNS aliases, forwards Service ports to target ports, and runs the network
probes, so every container of the pod shares `localhost` and no application image needs a shell.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from devenv.k8s import names as rules
from devenv.model import labels
from devenv.model.interpolation import published_port, reference
from devenv.model.output import Output
from devenv.translate.context import Context
from devenv.translate.envvars import PodInfo, container_env, expand_env
from devenv.translate.externals import rewrite
from devenv.translate.images import image_fields
from devenv.translate.naming import require
from devenv.translate.privileges import PodPrivileges, container_privileges, pod_privileges
from devenv.translate.probes import Check, combine, container_checks
from devenv.translate.runtime import dns_fields, runtime_fields
from devenv.translate.service_links import EnvVar
from devenv.translate.subpaths import Layout, NamedMount, clean_sub_path, plan_layout, step_service
from devenv.translate.volumes import VolumePlan, mount, plan_volumes, sub_path
from devenv.translate.workloads import APP, JOB, MANUAL, PodUnit, pod_level_deltas


def sandbox_name(unit: PodUnit) -> str:
    return f"{unit.base}-pod"


def container_service_name(unit: PodUnit, container: dict[str, Any], init: bool = False) -> str:
    name = str(container.get("name", ""))
    if init:
        return f"{unit.base}-init-{name}"
    if len(unit.spec.get("containers") or []) == 1:
        return unit.base
    return f"{unit.base}-{name}"


def pod_info(ctx: Context, unit: PodUnit) -> PodInfo:
    return PodInfo(unit.obj, unit.pod_name, unit.namespace, unit.labels, unit.annotations,
                   str(unit.spec.get("serviceAccountName") or unit.spec.get("serviceAccount") or "default"),
                   ctx.options.service_links and unit.spec.get("enableServiceLinks", True) is not False,
                   tuple((unit.spec.get("initContainers") or []) + (unit.spec.get("containers") or [])))


def translate_pod(ctx: Context, unit: PodUnit) -> dict[str, str]:
    """Add the unit's services to the output; returns what dependants must wait for (service -> condition)."""
    pod_level_deltas(ctx, unit)
    privileges = pod_privileges(ctx, unit)
    info = pod_info(ctx, unit)
    plans = plan_volumes(ctx, info, unit.base, unit.spec, unit.field, unit.claim_volumes)
    volumes = _PodVolumes(plans, *_sub_paths(ctx, unit, info, plans))
    sandbox = sandbox_name(unit)
    network_checks: list[Check] = []
    ready: dict[str, str] = {}
    previous: dict[str, str] = {sandbox: "service_started"}
    inits = unit.spec.get("initContainers") or []
    for index, container in enumerate(inits):
        previous = _prepare(ctx, unit, volumes.layout, index, previous)
        field = f"{unit.field}.initContainers[{index}]"
        require(ctx, unit.obj, f"{field}.name", str(container.get("name", "")), rules.dns_label)
        name = container_service_name(unit, container, init=True)
        service = _container(ctx, unit, info, container, field, volumes, name, privileges, (True, index))
        service["depends_on"] = dict(previous)
        if container.get("restartPolicy") == "Always":  # a native sidecar: runs for the pod's life
            ctx.report("init-container-sidecar", unit.obj, field, prod="sidecar", local="long-running service")
            checks = container_checks(ctx, unit.obj, container, field)
            _add_checks(service, checks, network_checks)
            service["restart"] = _restart(unit.role)
            previous = {**previous, name: "service_healthy" if "healthcheck" in service else "service_started"}
        else:
            service["restart"] = "no"
            service["labels"][labels.ROLE] = labels.ROLE_INIT
            previous = {sandbox: "service_started", name: "service_completed_successfully"}
        _finish(ctx, unit, name, service)
    previous = _prepare(ctx, unit, volumes.layout, len(inits), previous)
    for index, container in enumerate(unit.spec.get("containers") or []):
        field = f"{unit.field}.containers[{index}]"
        require(ctx, unit.obj, f"{field}.name", str(container.get("name", "")), rules.dns_label)
        name = container_service_name(unit, container)
        service = _container(ctx, unit, info, container, field, volumes, name, privileges, (False, index))
        service["depends_on"] = dict(previous)
        service["restart"] = _restart(unit.role)
        checks = container_checks(ctx, unit.obj, container, field)
        _add_checks(service, checks, network_checks)
        if unit.role == JOB and not unit.serves:
            ready[name] = "service_completed_successfully"
        else:
            ready[name] = "service_healthy" if "healthcheck" in service else "service_started"
        _finish(ctx, unit, name, service)
    sandbox_service = _sandbox(ctx, unit, network_checks, privileges)
    held = volumes.layout.held()
    if held:
        sandbox_service["volumes"] = [{"type": "volume", "source": v, "target": f"/devenv/hold/{i}", "volume": {"nocopy": True}}
                                      for i, v in enumerate(held)]
    _finish(ctx, unit, sandbox, sandbox_service)
    if unit.long_running:
        ready[sandbox] = "service_healthy" if "healthcheck" in sandbox_service else "service_started"
    return ready


@dataclass(frozen=True)
class _PodVolumes:
    plans: dict[str, VolumePlan]
    sub_paths: dict[tuple[bool, int, int], str | None]  # (init, container, mount) -> subPath; None: invalid
    layout: Layout


def _sub_paths(ctx: Context, unit: PodUnit, info: PodInfo,
               plans: dict[str, VolumePlan]) -> tuple[dict[tuple[bool, int, int], str | None], Layout]:
    """Every mount's subPath (subPathExpr expanded with the container's environment), and the layout of the
    pod's named volumes that follows from them."""
    found: dict[tuple[bool, int, int], str | None] = {}
    named: list[NamedMount] = []
    inits = unit.spec.get("initContainers") or []
    for init, group in ((True, inits), (False, unit.spec.get("containers") or [])):
        for number, container in enumerate(group):
            position = number if init else len(inits)
            for index, volume_mount in enumerate(container.get("volumeMounts") or []):
                text = str(volume_mount.get("subPath") or "")
                if not text and volume_mount.get("subPathExpr"):
                    scratch = replace(ctx, out=Output())  # the environment's deltas are reported once, later
                    values = {v.name: v for v in container_env(scratch, info, container, "")}
                    expanded, secret = expand_env(str(volume_mount["subPathExpr"]), values)
                    text = str(volume_mount["subPathExpr"]) if secret else expanded
                key = (init, number, index)
                found[key] = clean_sub_path(text)
                plan = plans.get(str(volume_mount.get("name", "")))
                if plan is not None and plan.kind == "named" and found[key] is not None:
                    named.append(NamedMount(position, key, str(volume_mount["name"]), found[key] or ""))
    return found, plan_layout(ctx, unit.spec, plans, named)


def _prepare(ctx: Context, unit: PodUnit, layout: Layout, position: int, previous: dict[str, str]) -> dict[str, str]:
    """Insert the pod's volume preparation step due before `position` in the run order, if there is one."""
    step = next((s for s in layout.steps if s.position == position), None)
    if step is None:
        return previous
    name = f"{sandbox_name(unit)}-volumes" + ("" if position == layout.steps[0].position else f"-{position}")
    service = step_service(layout, step, ctx.options.helper_image)
    service["depends_on"] = dict(previous)
    service["labels"] = _labels(unit, labels.ROLE_INIT)
    _finish(ctx, unit, name, service)
    running = {k: v for k, v in previous.items() if v != "service_completed_successfully"}  # sandbox, sidecars
    return {**running, name: "service_completed_successfully"}


def _restart(role: str) -> str:
    return "unless-stopped" if role == APP else "no"


def _add_checks(service: dict[str, Any], checks: list[Check], network_checks: list[Check]) -> None:
    own = [c for c in checks if c.runs_in == "container"]
    network_checks.extend(c for c in checks if c.runs_in == "sandbox")
    healthcheck = combine(own)
    if healthcheck:
        service["healthcheck"] = healthcheck


def _finish(ctx: Context, unit: PodUnit, name: str, service: dict[str, Any]) -> None:
    if unit.role == MANUAL:
        service["profiles"] = [labels.MANUAL_PROFILE]
    ctx.out.services[name] = service


def _labels(unit: PodUnit, role: str, container: str = "") -> dict[str, str]:
    if role == JOB and unit.serves:  # `up` waits for a serving Job's pod to be ready, as for an app
        role = labels.ROLE_APP
    found = {labels.OBJECT: str(unit.obj), labels.POD: unit.base, labels.ROLE: role}
    if container:
        found[labels.CONTAINER] = container
    return {**found, **labels.STACK_LABELS}


def _container(ctx: Context, unit: PodUnit, info: PodInfo, container: dict[str, Any], field: str,
               volumes: _PodVolumes, name: str, privileges: PodPrivileges, place: tuple[bool, int]) -> dict[str, Any]:
    service: dict[str, Any] = image_fields(ctx, unit.obj, str(container.get("image", "")), f"{field}.image")
    env = container_env(ctx, info, container, field)
    values = {var.name: var for var in env}
    for key, compose_key in (("command", "entrypoint"), ("args", "command")):
        if container.get(key) is not None:
            parts = []
            for index, part in enumerate(container.get(key) or []):
                value, secret = expand_env(str(part), values)
                if secret:
                    parts.append(_interpolated(ctx, name, f"{key}{index}", value))
                else:
                    parts.append(rewrite(ctx, unit.obj, f"{field}.{key}[{index}]", value))
            service[compose_key] = parts
    environment = {var.name: _env_value(ctx, name, var if var.secret else EnvVar(
        var.name, rewrite(ctx, unit.obj, f"{field}.env[{var.name}]", var.value))) for var in env}
    if environment:
        service["environment"] = environment
    service["network_mode"] = f"service:{sandbox_name(unit)}"
    if unit.spec.get("shareProcessNamespace"):  # the sandbox holds the PID namespace, as the pause container does
        service["pid"] = f"service:{sandbox_name(unit)}"
    mounts = []
    for index, volume_mount in enumerate(container.get("volumeMounts") or []):
        plan = volumes.plans.get(str(volume_mount.get("name", "")))
        if plan is None:
            continue
        if volume_mount.get("mountPropagation") not in (None, "None"):
            ctx.report("mount-propagation", unit.obj, f"{field}.volumeMounts[{index}].mountPropagation",
                       prod=str(volume_mount["mountPropagation"]), local="private")
        where = f"{field}.volumeMounts[{index}]"
        sub_path(ctx, unit.obj, volume_mount, where, lambda text: expand_env(text, values)[0])  # refuses traversal
        inner = volumes.sub_paths[(*place, index)]
        if inner is None:  # cannot happen: `sub_path` above refused a subPath that leaves its volume
            continue
        if plan.kind == "named":
            read_only = bool(volume_mount.get("readOnly")) or plan.read_only
            position = place[1] if place[0] else len(unit.spec.get("initContainers") or [])
            named = NamedMount(position, (*place, index), str(volume_mount["name"]), inner)
            mounts.extend(volumes.layout.entries(named, str(volume_mount.get("mountPath", "")), read_only))
        else:
            mounts.append(mount(plan, {**volume_mount, "subPath": inner, "subPathExpr": None}))
    if mounts:
        service["volumes"] = mounts
    service.update(runtime_fields(ctx, unit.obj, unit.spec, container, field))
    granted = {**privileges.containers, **container_privileges(ctx, unit, container, field)}
    granted["security_opt"] = service.get("security_opt", []) + granted.get("security_opt", [])
    service.update({key: value for key, value in granted.items() if value})
    if "build" in service and service.get("pull_policy") == "always":  # built here: nothing to pull
        service["pull_policy"] = "missing"
    service["labels"] = _labels(unit, unit.role, str(container.get("name", "")))
    return service


def _env_value(ctx: Context, service: str, var: EnvVar) -> str:
    return _interpolated(ctx, service, var.name, var.value) if var.secret else var.value


def _interpolated(ctx: Context, service: str, key: str, value: str) -> str:
    """A secret-derived value: Compose interpolates it from the state directory's env file at run time."""
    variable = labels.secret_variable(service, key)
    ctx.out.secret_env[variable] = value
    return reference(variable)


def _sandbox(ctx: Context, unit: PodUnit, checks: list[Check], privileges: PodPrivileges) -> dict[str, Any]:
    lines = ["trap 'exit 0' TERM INT"]
    for port, target in sorted(unit.forwards.items()) if not privileges.host_network else ():
        lines.append(f"nc -ll -p {port} -e nc 127.0.0.1 {target} &")
    lines.append("while :; do sleep 3600 & wait $!; done")
    networks = {network: ({"aliases": sorted(aliases)} if aliases else None)
                for network, aliases in sorted(unit.aliases.items())}
    service: dict[str, Any] = {
        "image": ctx.options.helper_image,
        "entrypoint": ["sh", "-c", "\n".join(lines)],
        "networks": networks,
        "restart": _restart(unit.role),
        "labels": _labels(unit, labels.ROLE_SANDBOX),
        "pull_policy": "missing",
    }
    service["hostname"] = unit.hostname
    extra_hosts = _extra_hosts(ctx, unit)
    if extra_hosts:
        service["extra_hosts"] = extra_hosts
    service.update(dns_fields(unit.spec))
    ports = [published_port(labels.port_variable(sandbox_name(unit), port), port)
             for port in sorted(unit.publish)] + privileges.sandbox.get("ports", [])
    if ports:
        service["ports"] = ports
    service.update({key: value for key, value in privileges.sandbox.items() if key != "ports"})
    if privileges.host_network:  # the host's own network: no aliases, no hostname, nothing to publish
        for key in ("networks", "hostname", "ports"):
            service.pop(key, None)
    healthcheck = combine(checks)
    if healthcheck:
        service["healthcheck"] = healthcheck
    return service


def _extra_hosts(ctx: Context, unit: PodUnit) -> list[str]:
    """`hostAliases` as `host:ip` entries of the pod's /etc/hosts, each part checked as Kubernetes does."""
    entries = []
    for index, alias in enumerate(unit.spec.get("hostAliases") or []):
        where = f"{unit.field}.hostAliases[{index}]"
        address = require(ctx, unit.obj, f"{where}.ip", str(alias.get("ip")), rules.ip_address)
        for number, host in enumerate(alias.get("hostnames") or []):
            entries.append(f"{require(ctx, unit.obj, f'{where}.hostnames[{number}]', str(host), rules.dns_subdomain)}"
                           f":{address}")
    return entries
