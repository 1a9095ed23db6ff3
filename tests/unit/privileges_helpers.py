"""Hostile pod specs, one per host privilege, and a scanner of compose.yaml for anything privileged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from devenv.model.privileges import DOCKER_DEFAULT_CAPABILITIES, is_safe_sysctl

Doc = dict[str, Any]


def deployment(pod: Doc | None = None, container: Doc | None = None, annotations: dict[str, str] | None = None,
               name: str = "agent", namespace: str = "ops", object_annotations: dict[str, str] | None = None) -> str:
    """A Deployment NAMESPACE/NAME whose pod spec and single container carry the given fields."""
    template: Doc = {"metadata": {"labels": {"app": name}}, "spec": {
        **(pod or {}), "containers": [{"name": "agent", "image": "busybox:1.36.1", **(container or {})}]}}
    if annotations:
        template["metadata"]["annotations"] = annotations
    metadata: Doc = {"name": name, "namespace": namespace}
    if object_annotations:
        metadata["annotations"] = object_annotations
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata,
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": template}}
    return yaml.safe_dump(body, sort_keys=False)


def _has(service: str, key: str, value: Any) -> Callable[[Doc], bool]:
    """The service's `key` equals `value`, contains it (list), or contains its items (mapping)."""
    def probe(doc: Doc) -> bool:
        found = doc["services"].get(service, {}).get(key)
        if isinstance(value, dict):
            return isinstance(found, dict) and value.items() <= found.items()
        if isinstance(found, list) and not isinstance(value, list):
            return value in found
        return bool(found == value)
    return probe


def _bind(service: str, source: str) -> Callable[[Doc], bool]:
    return lambda doc: any(v.get("type") == "bind" and v.get("source") == source
                           for v in doc["services"][service].get("volumes") or [])


@dataclass(frozen=True)
class Hostile:
    """A manifest asking for one host privilege: the delta code, the allow entry, and the Compose key."""

    id: str
    manifest: str
    code: str
    entry: str
    granted: Callable[[Doc], bool]
    fields: tuple[str, ...] = field(default=())  # the field path(s) of the delta


SEC = "securityContext"
CASES = [
    Hostile("privileged", deployment(container={SEC: {"privileged": True, "allowPrivilegeEscalation": True}}),
            "privileged", "privileged:ops/agent", _has("agent", "privileged", True),
            ("spec.template.spec.containers[0].securityContext.privileged",)),
    Hostile("privileged-init", deployment(pod={"initContainers": [{"name": "setup", "image": "busybox:1.36.1",
                                                                   SEC: {"privileged": True}}]}),
            "privileged", "privileged:ops/agent", _has("agent-init-setup", "privileged", True),
            ("spec.template.spec.initContainers[0].securityContext.privileged",)),
    Hostile("cap-sys-admin", deployment(container={SEC: {"capabilities": {"add": ["SYS_ADMIN"]}}}),
            "capability", "cap-sys-admin:ops/agent", _has("agent", "cap_add", "SYS_ADMIN"),
            ("spec.template.spec.containers[0].securityContext.capabilities.add[0]",)),
    Hostile("cap-net-admin-spelled", deployment(container={SEC: {"capabilities": {"add": ["CHOWN", "cap_net_admin"]}}}),
            "capability", "cap-net-admin:ops/agent", _has("agent", "cap_add", "NET_ADMIN"),
            ("spec.template.spec.containers[0].securityContext.capabilities.add[1]",)),
    Hostile("cap-all", deployment(container={SEC: {"capabilities": {"add": ["ALL"]}}}),
            "capability", "cap-all:ops/agent", _has("agent", "cap_add", "ALL")),
    Hostile("host-pid", deployment(pod={"hostPID": True}), "host-pid", "host-pid:ops/agent", _has("agent", "pid", "host"),
            ("spec.template.spec.hostPID",)),
    Hostile("host-ipc", deployment(pod={"hostIPC": True}), "host-ipc", "host-ipc:ops/agent", _has("agent", "ipc", "host"),
            ("spec.template.spec.hostIPC",)),
    Hostile("host-network", deployment(pod={"hostNetwork": True}), "host-network", "host-network:ops/agent",
            _has("agent-pod", "network_mode", "host"), ("spec.template.spec.hostNetwork",)),
    Hostile("host-port", deployment(container={"ports": [{"containerPort": 80, "hostPort": 8080}]}),
            "host-port", "host-port:ops/agent", _has("agent-pod", "ports", "127.0.0.1:8080:80"),
            ("spec.template.spec.containers[0].ports[0].hostPort",)),
    Hostile("host-port-any-ip", deployment(container={"ports": [{"containerPort": 53, "hostPort": 5353,
                                                                  "hostIP": "0.0.0.0", "protocol": "UDP"}]}),
            "host-port", "host-port:ops/agent", _has("agent-pod", "ports", "127.0.0.1:5353:53/udp")),
    Hostile("seccomp-pod", deployment(pod={SEC: {"seccompProfile": {"type": "Unconfined"}}}),
            "seccomp-unconfined", "seccomp-unconfined:ops/agent", _has("agent", "security_opt", "seccomp:unconfined"),
            ("spec.template.spec.securityContext.seccompProfile",)),
    Hostile("seccomp-container", deployment(container={SEC: {"seccompProfile": {"type": "Unconfined"}}}),
            "seccomp-unconfined", "seccomp-unconfined:ops/agent", _has("agent", "security_opt", "seccomp:unconfined"),
            ("spec.template.spec.containers[0].securityContext.seccompProfile",)),
    Hostile("seccomp-annotation", deployment(annotations={"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}),
            "seccomp-unconfined", "seccomp-unconfined:ops/agent", _has("agent", "security_opt", "seccomp:unconfined"),
            ("spec.template.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]",)),
    Hostile("seccomp-container-annotation",
            deployment(annotations={"container.seccomp.security.alpha.kubernetes.io/agent": "unconfined"}),
            "seccomp-unconfined", "seccomp-unconfined:ops/agent", _has("agent", "security_opt", "seccomp:unconfined")),
    Hostile("apparmor-container", deployment(container={SEC: {"appArmorProfile": {"type": "Unconfined"}}}),
            "apparmor-unconfined", "apparmor-unconfined:ops/agent",
            _has("agent", "security_opt", "apparmor:unconfined"),
            ("spec.template.spec.containers[0].securityContext.appArmorProfile",)),
    Hostile("apparmor-pod", deployment(pod={SEC: {"appArmorProfile": {"type": "Unconfined"}}}),
            "apparmor-unconfined", "apparmor-unconfined:ops/agent",
            _has("agent", "security_opt", "apparmor:unconfined")),
    Hostile("apparmor-annotation",
            deployment(annotations={"container.apparmor.security.beta.kubernetes.io/agent": "unconfined"}),
            "apparmor-unconfined", "apparmor-unconfined:ops/agent", _has("agent", "security_opt", "apparmor:unconfined"),
            ("spec.template.metadata.annotations[container.apparmor.security.beta.kubernetes.io/agent]",)),
    Hostile("kernel-sysctl", deployment(pod={SEC: {"sysctls": [{"name": "kernel.msgmax", "value": "65536"}]}}),
            "unsafe-sysctl", "unsafe-sysctl:ops/agent", _has("agent", "sysctls", {"kernel.msgmax": "65536"}),
            ("spec.template.spec.securityContext.sysctls[0]",)),
    Hostile("net-sysctl-unsafe", deployment(pod={SEC: {"sysctls": [{"name": "net.core.somaxconn", "value": "1024"}]}}),
            "unsafe-sysctl", "unsafe-sysctl:ops/agent", _has("agent-pod", "sysctls", {"net.core.somaxconn": "1024"})),
    Hostile("proc-unmasked", deployment(container={SEC: {"procMount": "Unmasked"}}), "proc-unmasked",
            "proc-unmasked:ops/agent", _has("agent", "security_opt", "systempaths=unconfined"),
            ("spec.template.spec.containers[0].securityContext.procMount",)),
    *(Hostile(f"host-path-{path.strip('/').replace('/', '-') or 'root'}",
              deployment(pod={"volumes": [{"name": "host", "hostPath": {"path": path}}]},
                         container={"volumeMounts": [{"name": "host", "mountPath": "/host"}]}),
              "host-path", "host-path:ops/agent", _bind("agent", path), ("spec.template.spec.volumes[0].hostPath",))
      for path in ("/", "/var/run/docker.sock", "/etc", "/dev/kvm")),
]


def host_privileges(doc: Doc) -> list[str]:
    """Everything in a Compose document that reaches beyond the container: empty for a safe project."""
    found = []
    for name, service in doc["services"].items():
        if service.get("privileged"):
            found.append(f"{name}: privileged")
        for key in ("pid", "ipc", "network_mode", "userns_mode", "cgroup", "uts"):
            if service.get(key) == "host":
                found.append(f"{name}: {key}: host")
        found += [f"{name}: cap_add {c}" for c in service.get("cap_add") or [] if c not in DOCKER_DEFAULT_CAPABILITIES]
        found += [f"{name}: security_opt {o}" for o in service.get("security_opt") or [] if "unconfined" in o]
        found += [f"{name}: sysctl {s}" for s in service.get("sysctls") or {} if not is_safe_sysctl(s)]
        found += [f"{name}: device {d}" for d in service.get("devices") or []]
        found += [f"{name}: bind {v.get('source')}" for v in service.get("volumes") or []
                  if v.get("type") == "bind" and str(v.get("source", "")).startswith("/")]
        for port in service.get("ports") or []:
            host = str(port).rsplit(":", 1)[0]
            if not host.startswith("127.0.0.1:") or not host.endswith(":-0}"):
                found.append(f"{name}: port {port}")
    return found
