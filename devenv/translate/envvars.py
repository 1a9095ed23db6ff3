"""A container's environment as the kubelet builds it: envFrom, then env, with `$(VAR)` expansion.

Values that come from a Secret (directly or through expansion) are marked secret: they go to an env
file under the state directory, never into the rendered Compose file.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from devenv.errors import InputError
from devenv.k8s import names as rules
from devenv.k8s.manifest import ObjectRef
from devenv.translate.context import Context
from devenv.translate.controllers import JOB_COMPLETION_INDEX
from devenv.translate.expansion import expand
from devenv.translate.naming import require
from devenv.translate.resourcefields import resource_field
from devenv.translate.service_links import EnvVar

ENV_NAME_RE = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")


@dataclass(frozen=True)
class PodInfo:
    """What the downward API can tell a container about its pod."""

    obj: ObjectRef
    pod_name: str
    namespace: str
    labels: dict[str, str]
    annotations: dict[str, str]
    service_account: str
    service_links: bool = True
    containers: tuple[dict[str, Any], ...] = ()  # init containers and containers, for resourceFieldRef.containerName


def container_env(ctx: Context, pod: PodInfo, container: dict[str, Any], field: str) -> list[EnvVar]:
    """The environment in kubelet order; later definitions of a name replace earlier ones."""
    # Service links come first: a definition of the container replaces one, and $(VAR) can use them.
    resolved: dict[str, EnvVar] = {v.name: v for v in ctx.index.service_links(pod.namespace)} if pod.service_links else {}
    for index, source in enumerate(container.get("envFrom") or []):
        for var in _env_from(ctx, pod, source, f"{field}.envFrom[{index}]"):
            resolved[var.name] = var
    for index, item in enumerate(container.get("env") or []):
        where = f"{field}.env[{index}]"
        name = require(ctx, pod.obj, f"{where}.name", str(item.get("name", "")), rules.env_name)
        if "valueFrom" in item:
            found = _value_from(ctx, pod, container, name, item["valueFrom"] or {}, where)
            if found is None:
                continue
            var = found
        else:
            value, secret = expand_env(str(item.get("value") if item.get("value") is not None else ""), resolved)
            var = EnvVar(name, value, secret)
        resolved[name] = var
    declared = {str(item.get("name", "")) for item in container.get("env") or []}
    if JOB_COMPLETION_INDEX in pod.annotations and "JOB_COMPLETION_INDEX" not in declared:
        # the Job controller adds it to every container of an Indexed Job's pods, from the annotation
        resolved["JOB_COMPLETION_INDEX"] = EnvVar("JOB_COMPLETION_INDEX", pod.annotations[JOB_COMPLETION_INDEX])
    return list(resolved.values())


def expand_env(text: str, values: dict[str, EnvVar]) -> tuple[str, bool]:
    """`text` with `$(VAR)` expanded from `values`, and whether a secret value went into the result."""
    secret = False

    def lookup(ref: str) -> str | None:
        nonlocal secret
        found = values.get(ref)
        if found is None:
            return None
        secret = secret or found.secret
        return found.value

    return expand(text, lookup), secret


def _env_from(ctx: Context, pod: PodInfo, source: dict[str, Any], where: str) -> list[EnvVar]:
    prefix = str(source.get("prefix") or "")
    if "configMapRef" in source:
        ref = source["configMapRef"] or {}
        data = ctx.index.configmap_data(pod.namespace, str(ref.get("name", "")))
        if data is None:
            _missing(ctx, pod, "configmap-missing", "ConfigMap", ref, where)
            return []
        return [EnvVar(prefix + k, v.decode(errors="replace")) for k, v in sorted(data.items())
                if ENV_NAME_RE.match(prefix + k)]
    if "secretRef" in source:
        ref = source["secretRef"] or {}
        name = str(ref.get("name", ""))
        keys = ctx.index.secret_keys(pod.namespace, name)
        if keys is None:
            _missing(ctx, pod, "secret-missing", "Secret", ref, where)
            return []
        return [EnvVar(prefix + k, ctx.secrets.value(pod.namespace, name, k), True) for k in keys
                if ENV_NAME_RE.match(prefix + k)]
    return []


def _value_from(ctx: Context, pod: PodInfo, container: dict[str, Any], name: str, source: dict[str, Any],
                where: str) -> EnvVar | None:
    if "configMapKeyRef" in source:
        ref = source["configMapKeyRef"] or {}
        data = ctx.index.configmap_data(pod.namespace, str(ref.get("name", "")))
        key = str(ref.get("key", ""))
        if data is None:
            _missing(ctx, pod, "configmap-missing", "ConfigMap", ref, f"{where}.valueFrom.configMapKeyRef")
            return None if ref.get("optional") else EnvVar(name, "")
        if key not in data:
            if not ref.get("optional"):
                ctx.report("config-key-missing", pod.obj, f"{where}.valueFrom.configMapKeyRef",
                           prod=f"ConfigMap {ref.get('name')} key {key}", local="unset")
            return None
        return EnvVar(name, data[key].decode(errors="replace"))
    if "secretKeyRef" in source:
        ref = source["secretKeyRef"] or {}
        secret, key = str(ref.get("name", "")), str(ref.get("key", ""))
        keys = ctx.index.secret_keys(pod.namespace, secret)
        if keys is None:
            _missing(ctx, pod, "secret-missing", "Secret", ref, f"{where}.valueFrom.secretKeyRef")
            if ref.get("optional"):
                return None
        elif key not in keys:
            if ref.get("optional"):
                return None
            ctx.report("config-key-missing", pod.obj, f"{where}.valueFrom.secretKeyRef",
                       prod=f"Secret {secret} key {key}", local="a local value")
        return EnvVar(name, ctx.secrets.value(pod.namespace, secret, key), True)
    if "fieldRef" in source:
        return EnvVar(name, _field_value(ctx, pod, str((source["fieldRef"] or {}).get("fieldPath", "")),
                                         f"{where}.valueFrom.fieldRef"))
    if "resourceFieldRef" in source:
        return EnvVar(name, resource_value(ctx, pod, container, source["resourceFieldRef"] or {},
                                           f"{where}.valueFrom.resourceFieldRef"))
    return EnvVar(name, "")


def _field_value(ctx: Context, pod: PodInfo, path: str, where: str) -> str:
    exact = {
        "metadata.name": pod.pod_name,
        "metadata.namespace": pod.namespace,
        "metadata.uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"devenv:{pod.namespace}/{pod.pod_name}")),
        "spec.serviceAccountName": pod.service_account,
    }
    if path in exact:
        return exact[path]
    for prefix, mapping in (("metadata.labels", pod.labels), ("metadata.annotations", pod.annotations)):
        match = re.fullmatch(re.escape(prefix) + r"\['(.+)'\]", path)
        if match:
            return mapping.get(match.group(1), "")
        if path == prefix:
            return "\n".join(f'{k}="{v}"' for k, v in sorted(mapping.items()))
    approximations = {"spec.nodeName": "devenv", "status.hostIP": "127.0.0.1", "status.hostIPs": "127.0.0.1",
                      "status.podIP": "0.0.0.0", "status.podIPs": "0.0.0.0"}
    local = approximations.get(path, "")
    ctx.report("env-field-approximated", pod.obj, where, prod=path, local=local or "empty")
    return local


def resource_value(ctx: Context, pod: PodInfo, container: dict[str, Any] | None, ref: dict[str, Any],
                   where: str) -> str:
    """A resourceFieldRef's value (env var or downward API file); a stand-in for the node is reported."""
    try:
        found = resource_field(list(pod.containers), container, ref)
    except ValueError as exc:
        raise InputError(f"{pod.obj}: {where}: {exc}", hint="use quantities like 500m, 1, 64Mi, 1Gi") from None
    if found.approximated:
        ctx.report("env-field-approximated", pod.obj, where, prod=str(ref.get("resource", "")),
                   local=found.value, reason=found.approximated)
    return found.value


def _missing(ctx: Context, pod: PodInfo, code: str, kind: str, ref: dict[str, Any], where: str) -> None:
    if ref.get("optional"):
        return
    ctx.report(code, pod.obj, where, prod=f"{kind} {ref.get('name')}", local="missing")
