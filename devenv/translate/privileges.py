"""Host privileges a pod asks for, as Compose keys only when the developer granted them by name.

Each privilege a pod spec asks for (model/privileges.py) is one delta. Without a `[local] allow`
grant it is an error and the setting stays out of compose.yaml (`devenv up` refuses to start); with
one, the setting becomes its Compose equivalent and the delta is accepted by that grant. Nothing in
the manifests, annotations included, can grant a privilege.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devenv.errors import InputError
from devenv.model.catalogue import delta
from devenv.model.privileges import (
    CAPABILITY_CODE,
    DOCKER_DEFAULT_CAPABILITIES,
    LINUX_CAPABILITIES,
    allow_entry,
    canonical_sysctl,
    capability_name,
    capability_token,
    find_grant,
    is_safe_sysctl,
)
from devenv.model.refs import ObjectRef
from devenv.translate.context import Context
from devenv.translate.workloads import PodUnit

Fields = dict[str, Any]
SECCOMP_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
CONTAINER_SECCOMP_ANNOTATION = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


@dataclass
class PodPrivileges:
    """The granted pod-level privileges as Compose keys: for every container, and for the sandbox."""

    containers: Fields = field(default_factory=dict)  # pid, ipc, non-network sysctls
    sandbox: Fields = field(default_factory=dict)  # network sysctls, host ports, network_mode: host
    host_network: bool = False


def ask(ctx: Context, privilege: str, obj: ObjectRef, where: str, prod: str, granted: str,
        refused: str = "left out", code: str = "") -> bool:
    """Report that `obj` asks for `privilege` at `where`; True when devenv.toml grants it.

    A pod-level setting is reported once, however many containers it applies to.
    """
    code = code or privilege
    grant = find_grant(ctx.options.allow, privilege, obj)
    if any(d.code == code and d.object == obj and d.field == where for d in ctx.out.deltas):
        return grant is not None
    if grant is None:
        entry = allow_entry(privilege, obj)
        ctx.out.deltas.append(delta(code, obj, where, prod, refused, hint=(
            f'if you trust it, add "{entry}" to allow under [local] in devenv.toml; '
            "annotations and [[accept]] rules cannot accept it")))
        return False
    ctx.out.deltas.append(delta(code, obj, where, prod, granted, severity="warning").accept(
        grant.rule, "granted by name in devenv.toml"))
    return True


def pod_privileges(ctx: Context, unit: PodUnit) -> PodPrivileges:
    """hostNetwork, hostPID, hostIPC, sysctls and hostPorts: what the pod as a whole asks of the host."""
    spec, obj, at = unit.spec, unit.obj, unit.field
    result = PodPrivileges()
    if spec.get("hostNetwork") is True:
        result.host_network = ask(ctx, "host-network", obj, f"{at}.hostNetwork", "true", refused="the pod's own network",
                                  granted="the host's network: no Service names or port forwards for this pod")
        if result.host_network:
            result.sandbox["network_mode"] = "host"
    for key, privilege, compose_key in (("hostPID", "host-pid", "pid"), ("hostIPC", "host-ipc", "ipc")):
        if spec.get(key) is True and ask(ctx, privilege, obj, f"{at}.{key}", "true", granted=f"{compose_key}: host",
                                         refused="the pod's own namespace"):
            result.containers[compose_key] = "host"
    _sysctls(ctx, unit, result)
    if not result.host_network:  # on the host's network a hostPort is the container port itself
        _host_ports(ctx, unit, result)
    return result


def _sysctls(ctx: Context, unit: PodUnit, result: PodPrivileges) -> None:
    """Safe sysctls always apply; others only when granted. Network ones go to the sandbox, which owns the
    network namespace; the others apply per container (IPC namespaces are not shared)."""
    where = f"{unit.field}.securityContext.sysctls"
    for index, item in enumerate((unit.spec.get("securityContext") or {}).get("sysctls") or []):
        name, value = canonical_sysctl(str(item.get("name", ""))), str(item.get("value", ""))
        at = f"{where}[{index}]"
        if not is_safe_sysctl(name) and not ask(ctx, "unsafe-sysctl", unit.obj, at, f"{name}={value}",
                                                granted=f"{name}={value}", refused="not set"):
            continue
        network = name.startswith("net.")
        if result.host_network if network else result.containers.get("ipc") == "host":
            ctx.report("security-context", unit.obj, at, prod=f"{name}={value}", local="not applied",
                       reason=f"the pod shares the host's {'network' if network else 'IPC namespace'}, whose "
                              "settings are not changed (Kubernetes refuses this combination too)")
        else:
            (result.sandbox if network else result.containers).setdefault("sysctls", {})[name] = value


def _host_ports(ctx: Context, unit: PodUnit, result: PodPrivileges) -> None:
    """A granted hostPort is published on 127.0.0.1 only, whatever its hostIP; never on every interface."""
    for group in ("initContainers", "containers"):
        for index, container in enumerate(unit.spec.get(group) or []):
            for number, port in enumerate(container.get("ports") or []):
                if not port.get("hostPort"):
                    continue
                at = f"{unit.field}.{group}[{index}].ports[{number}]"
                host, target = _port(unit.obj, f"{at}.hostPort", port.get("hostPort")), _port(
                    unit.obj, f"{at}.containerPort", port.get("containerPort"))
                protocol = str(port.get("protocol") or "TCP").lower()
                prod = f"{port.get('hostIP') or '0.0.0.0'}:{host} -> {target}/{protocol}"
                if ask(ctx, "host-port", unit.obj, f"{at}.hostPort", prod, granted=f"127.0.0.1:{host} -> {target}/{protocol}",
                       refused="not published"):
                    suffix = "" if protocol == "tcp" else f"/{protocol}"
                    result.sandbox.setdefault("ports", []).append(f"127.0.0.1:{host}:{target}{suffix}")


def _port(obj: ObjectRef, where: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536:
        return value
    raise InputError(f"{obj}: {where} must be a port number (1-65535), not {value!r}", hint="fix the manifest")


def container_privileges(ctx: Context, unit: PodUnit, container: Fields, at: str) -> Fields:
    """privileged, added capabilities, seccomp, AppArmor and procMount of one container."""
    obj, name = unit.obj, str(container.get("name", ""))
    own = container.get("securityContext") or {}
    pod = unit.spec.get("securityContext") or {}
    where = f"{at}.securityContext"
    result: Fields = {}
    options: list[str] = []
    if own.get("privileged") is True and ask(ctx, "privileged", obj, f"{where}.privileged", "true",
                                             granted="privileged: true", refused="not privileged"):
        result["privileged"] = True
    added = _capabilities(ctx, obj, (own.get("capabilities") or {}).get("add"), f"{where}.capabilities.add")
    if added:
        result["cap_add"] = added
    seccomp = _profile(own, pod, "seccompProfile", where, f"{unit.field}.securityContext")
    if seccomp is None:
        seccomp = _annotated(unit, (CONTAINER_SECCOMP_ANNOTATION + name, SECCOMP_ANNOTATION))
    if _confinement(ctx, obj, "seccomp", seccomp):
        options.append("seccomp:unconfined")
    apparmor = _profile(own, pod, "appArmorProfile", where, f"{unit.field}.securityContext")
    if apparmor is None:
        apparmor = _annotated(unit, (APPARMOR_ANNOTATION + name,))
    if _confinement(ctx, obj, "apparmor", apparmor):
        options.append("apparmor:unconfined")
    if own.get("procMount") == "Unmasked" and ask(ctx, "proc-unmasked", obj, f"{where}.procMount", "Unmasked",
                                                  granted="systempaths=unconfined", refused="masked"):
        options.append("systempaths=unconfined")
    if options:
        result["security_opt"] = options
    return result


def _capabilities(ctx: Context, obj: ObjectRef, value: Any, where: str) -> list[str]:
    """Docker's default capabilities pass as they are; any other one only when granted by name."""
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    added: list[str] = []
    for index, raw in enumerate(names):
        name, at = capability_name(raw), f"{where}[{index}]"
        if name in added:
            continue
        if name in DOCKER_DEFAULT_CAPABILITIES:
            added.append(name)
        elif name not in LINUX_CAPABILITIES and name != "ALL":
            ctx.report("security-context", obj, at, prod=str(raw), local="not added",
                       reason="it is not a Linux capability (the container runtime would refuse it)")
        elif ask(ctx, capability_token(name), obj, at, name, granted=f"cap_add {name}", refused="not added",
                 code=CAPABILITY_CODE):
            added.append(name)
    return added


def _profile(own: Fields, pod: Fields, key: str, where: str, pod_where: str) -> tuple[str, str] | None:
    """(profile type, field path) of a seccomp/AppArmor profile: the container's, else the pod's."""
    for context, at in ((own, where), (pod, pod_where)):
        if isinstance(context.get(key), dict):
            return str(context[key].get("type", "")), f"{at}.{key}"
    return None


def _annotated(unit: PodUnit, keys: tuple[str, ...]) -> tuple[str, str] | None:
    """The older annotation form (`unconfined`, `localhost/NAME`, `runtime/default`), as a profile type."""
    metadata = f"{unit.field[:-len('spec')]}metadata.annotations"
    for key in keys:
        value = unit.annotations.get(key)
        if value is not None:
            kind = ("Unconfined" if value == "unconfined" else "Localhost" if value.startswith("localhost/")
                    else "RuntimeDefault")
            return kind, f"{metadata}[{key}]"
    return None


def _confinement(ctx: Context, obj: ObjectRef, family: str, profile: tuple[str, str] | None) -> bool:
    """True when an Unconfined profile is granted; a Localhost profile is not loaded (the engine's default)."""
    if profile is None:
        return False
    kind, at = profile
    if kind == "Unconfined":
        return ask(ctx, f"{family}-unconfined", obj, at, "Unconfined", granted=f"{family}:unconfined",
                   refused="the engine's default profile")
    reported = any(d.code == "security-context" and d.object == obj and d.field == at for d in ctx.out.deltas)
    if kind == "Localhost" and not reported:
        ctx.report("security-context", obj, at, prod="Localhost", local="engine default",
                   reason="the node's own profile is not loaded locally")
    return False
