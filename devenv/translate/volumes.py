"""Pod volumes as Compose mounts: materialized ConfigMap/Secret files, named volumes, tmpfs, binds.

ConfigMap (and downward API) files are written under the output directory, where they can be
committed; anything holding a Secret value is written under the state directory, never committed.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from devenv.k8s import names as rules
from devenv.k8s.manifest import ObjectRef
from devenv.model import labels as names
from devenv.model.output import FileOut
from devenv.translate.context import Context
from devenv.translate.envvars import PodInfo, _field_value, resource_value
from devenv.translate.externals import rewrite
from devenv.translate.naming import require
from devenv.translate.privileges import ask

DEFAULT_MODE = 0o644


@dataclass(frozen=True)
class VolumePlan:
    """How one pod volume appears locally: a directory of files, a named volume, or a host path."""

    kind: str  # files | named | host
    source: str  # path relative to the output directory, volume name, or host path
    read_only: bool = False
    files: tuple[str, ...] = ()  # for kind "files": the relative file names in the directory
    create: bool = True  # for kind "host": whether a missing host path is created (hostPath `type`)


def plan_volumes(ctx: Context, pod: PodInfo, base: str, spec: dict[str, Any], field: str,
                 claim_volumes: dict[str, str]) -> dict[str, VolumePlan]:
    """One plan per volume of the pod spec; `claim_volumes` maps volumeClaimTemplate names to volumes.

    A claim template wins over a pod volume of the same name, as the StatefulSet controller replaces it.
    """
    plans: dict[str, VolumePlan] = {}
    for index, volume in enumerate(spec.get("volumes") or []):
        where = f"{field}.volumes[{index}]"
        name = require(ctx, pod.obj, f"{where}.name", str(volume.get("name", "")), rules.dns_label)
        if name not in claim_volumes:
            plans[name] = _plan(ctx, pod, base, name, volume, where)
    plans.update((name, VolumePlan("named", volume)) for name, volume in claim_volumes.items())
    return plans


def _plan(ctx: Context, pod: PodInfo, base: str, name: str, volume: dict[str, Any], where: str) -> VolumePlan:
    folder = f"{pod.namespace}/{base}/{name}"
    if "configMap" in volume:
        files = _configmap_files(ctx, pod, volume["configMap"] or {}, f"{where}.configMap")
        return _write(ctx, pod, folder, files, secret=False, where=where)
    if "secret" in volume:
        files = _secret_files(ctx, pod, volume["secret"] or {}, f"{where}.secret")
        return _write(ctx, pod, folder, files, secret=True, where=where)
    if "downwardAPI" in volume:
        files = _downward_files(ctx, pod, volume["downwardAPI"] or {}, f"{where}.downwardAPI")
        return _write(ctx, pod, folder, files, secret=False, where=where)
    if "projected" in volume:
        return _projected(ctx, pod, folder, volume["projected"] or {}, f"{where}.projected", where)
    if "emptyDir" in volume:
        return _empty_dir(ctx, pod, base, name, volume["emptyDir"] or {}, where)
    if "persistentVolumeClaim" in volume:
        claim = require(ctx, pod.obj, f"{where}.persistentVolumeClaim.claimName",
                        str((volume["persistentVolumeClaim"] or {}).get("claimName", "")), rules.dns_subdomain)
        bound = host_persistent_volume(ctx, pod.namespace, claim)
        if bound is not None:  # a claim bound to a node path is that host path
            plan = _plan(ctx, pod, base, name, {"name": name, "hostPath": bound}, f"{where}.persistentVolumeClaim")
            return replace(plan, read_only=plan.read_only or bool((volume["persistentVolumeClaim"] or {}).get("readOnly")))
        volume_name = claim_volume_name(ctx, pod.namespace, claim)
        ctx.out.volumes.setdefault(volume_name, {"labels": {names.CLAIM: f"{pod.namespace}/{claim}"}})
        return VolumePlan("named", volume_name, bool((volume["persistentVolumeClaim"] or {}).get("readOnly")))
    if "hostPath" in volume:
        path = str((volume["hostPath"] or {}).get("path", ""))
        if ask(ctx, "host-path", pod.obj, f"{where}.hostPath", prod=path, granted=f"bind mount of {path}",
               refused=f"an empty volume {base}-{name}"):
            return VolumePlan("host", path, create=_creates_host_path(volume["hostPath"] or {}))
        ctx.out.volumes.setdefault(f"{base}-{name}", {})
        return VolumePlan("named", f"{base}-{name}")
    kind = next((k for k in volume if k != "name"), "unknown")
    volume_name = f"{base}-{name}"
    ctx.out.volumes.setdefault(volume_name, {})
    ctx.report("volume-unsupported", pod.obj, f"{where}.{kind}", prod=kind, local="empty named volume")
    return VolumePlan("named", volume_name)


def _creates_host_path(spec: dict[str, Any]) -> bool:
    """Only `DirectoryOrCreate` and the unchecked default create a missing path; `Directory`, `File`, `Socket`...
    must exist or the pod does not start. (`FileOrCreate` would make a file: Docker would make a directory,
    so the file must exist locally too.)"""
    return str(spec.get("type") or "") in ("", "DirectoryOrCreate")


def host_persistent_volume(ctx: Context, namespace: str, claim: str) -> dict[str, Any] | None:
    """The hostPath (or local path) of the PersistentVolume a claim is bound to, statically: by the claim's
    `volumeName` or the volume's `claimRef`."""
    pvc = ctx.index.get("PersistentVolumeClaim", namespace, claim)
    wanted = str(((pvc.spec if pvc else {}) or {}).get("volumeName") or "")
    for volume in ctx.index.of_kind("PersistentVolume"):
        ref = volume.spec.get("claimRef") or {}
        if volume.name == wanted or (ref.get("name") == claim and ref.get("namespace", namespace) == namespace):
            if volume.spec.get("hostPath"):
                return {"path": str(volume.spec["hostPath"].get("path", "")),
                        "type": str(volume.spec["hostPath"].get("type") or "")}
            if volume.spec.get("local"):  # a local volume's path must exist on its node
                return {"path": str(volume.spec["local"].get("path", "")), "type": "Directory"}
            return None
    return None


def claim_volume_name(ctx: Context, namespace: str, claim: str) -> str:
    return f"{namespace}-{claim}" if ctx.multi_namespace else claim


def _empty_dir(ctx: Context, pod: PodInfo, base: str, name: str, spec: dict[str, Any], where: str) -> VolumePlan:
    volume_name = f"{base}-{name}"
    definition: dict[str, Any] = {"labels": {names.VOLUME: "emptyDir", names.POD: base}}  # lives as long as its pod
    if spec.get("medium") == "Memory":
        options = {"type": "tmpfs", "device": "tmpfs"}
        if spec.get("sizeLimit"):
            options["o"] = f"size={_tmpfs_size(ctx, pod, str(spec['sizeLimit']), f'{where}.emptyDir.sizeLimit')}"
        definition["driver_opts"] = options
    elif spec.get("sizeLimit"):
        ctx.report("volume-size-limit", pod.obj, f"{where}.emptyDir.sizeLimit", prod=str(spec["sizeLimit"]), local="none")
    ctx.out.volumes[volume_name] = definition
    return VolumePlan("named", volume_name)


def _tmpfs_size(ctx: Context, pod: PodInfo, limit: str, where: str) -> str:
    """The size in bytes: never the text itself, which would reach the tmpfs mount options."""
    from devenv.translate.quantities import memory_bytes

    try:
        return str(memory_bytes(limit))
    except ValueError:
        ctx.reject(pod.obj, where, f"{limit!r} is not a Kubernetes quantity", "use forms like 64Mi or 1Gi")


def _items(ctx: Context, pod: PodInfo, data: dict[str, bytes], spec: dict[str, Any], where: str,
           what: str) -> dict[str, tuple[bytes, int]]:
    """Files of a ConfigMap/Secret volume: every key, or only `items` under their paths and modes. Each
    file name is a path Kubernetes accepts: relative, no `..` element (checked even for missing keys)."""
    default_mode = _mode(spec.get("defaultMode"), DEFAULT_MODE)
    items = spec.get("items")
    if not items:
        for key in data:
            problem = rules.config_key(key)
            if problem:
                ctx.reject(pod.obj, where, f"{what} key {problem}: it cannot be a file name")
        return {key: (value, default_mode) for key, value in data.items()}
    files = {}
    for index, item in enumerate(items):
        key = str(item.get("key", ""))
        path = require(ctx, pod.obj, f"{where}.items[{index}].path", str(item.get("path", key)), rules.item_path)
        if key in data:
            files[path] = (data[key], _mode(item.get("mode"), default_mode))
    return files


def _configmap_files(ctx: Context, pod: PodInfo, spec: dict[str, Any], where: str) -> dict[str, tuple[bytes, int]]:
    name = str(spec.get("name", ""))
    data = ctx.index.configmap_data(pod.namespace, name)
    if data is None:
        if not spec.get("optional"):
            ctx.report("configmap-missing", pod.obj, where, prod=f"ConfigMap {name}", local="empty directory")
        return {}
    _report_missing_items(ctx, pod.obj, data, spec, where, f"ConfigMap {name}")
    return {path: (_rewritten(ctx, pod, f"{where}.items[{path}]", content), mode)
            for path, (content, mode) in _items(ctx, pod, data, spec, where, f"ConfigMap {name}").items()}


def _rewritten(ctx: Context, pod: PodInfo, where: str, content: bytes) -> bytes:
    """Config file content with external endpoints replaced (text files only)."""
    try:
        text = content.decode()
    except UnicodeDecodeError:
        return content
    return rewrite(ctx, pod.obj, where, text, in_file=True).encode()


def _secret_files(ctx: Context, pod: PodInfo, spec: dict[str, Any], where: str) -> dict[str, tuple[bytes, int]]:
    name = str(spec.get("secretName", spec.get("name", "")))
    keys = ctx.index.secret_keys(pod.namespace, name)
    if keys is None:
        if spec.get("optional"):
            return {}
        ctx.report("secret-missing", pod.obj, where, prod=f"Secret {name}", local="local values for the keys mounted")
        keys = [str(item.get("key")) for item in spec.get("items") or []]
    data = {key: ctx.secrets.value(pod.namespace, name, key).encode() for key in keys}
    _report_missing_items(ctx, pod.obj, data, spec, where, f"Secret {name}")
    return _items(ctx, pod, data, spec, where, f"Secret {name}")


def _report_missing_items(ctx: Context, obj: ObjectRef, data: dict[str, bytes], spec: dict[str, Any], where: str,
                          what: str) -> None:
    if spec.get("optional"):
        return
    for index, item in enumerate(spec.get("items") or []):
        if str(item.get("key")) not in data:
            ctx.report("config-key-missing", obj, f"{where}.items[{index}]", prod=f"{what} key {item.get('key')}",
                       local="missing")


def _downward_files(ctx: Context, pod: PodInfo, spec: dict[str, Any], where: str) -> dict[str, tuple[bytes, int]]:
    default_mode = _mode(spec.get("defaultMode"), DEFAULT_MODE)
    files = {}
    for index, item in enumerate(spec.get("items") or []):
        path = require(ctx, pod.obj, f"{where}.items[{index}].path", str(item.get("path", "")), rules.item_path)
        if "fieldRef" in item:
            value = _field_value(ctx, pod, str((item["fieldRef"] or {}).get("fieldPath", "")), f"{where}.items[{index}]")
        else:  # a volume names its container (containerName is required there)
            value = resource_value(ctx, pod, None, item.get("resourceFieldRef") or {},
                                   f"{where}.items[{index}].resourceFieldRef")
        files[path] = (value.encode(), _mode(item.get("mode"), default_mode))
    return files


def _projected(ctx: Context, pod: PodInfo, folder: str, spec: dict[str, Any], where: str, volume: str) -> VolumePlan:
    files: dict[str, tuple[bytes, int]] = {}
    secret = False
    default_mode = spec.get("defaultMode")
    for index, source in enumerate(spec.get("sources") or []):
        at = f"{where}.sources[{index}]"
        inherited = {"defaultMode": default_mode} if default_mode is not None else {}
        if "configMap" in source:
            files.update(_configmap_files(ctx, pod, {**inherited, **(source["configMap"] or {})}, f"{at}.configMap"))
        elif "secret" in source:
            files.update(_secret_files(ctx, pod, {**inherited, **(source["secret"] or {})}, f"{at}.secret"))
            secret = True
        elif "downwardAPI" in source:
            files.update(_downward_files(ctx, pod, {**inherited, **(source["downwardAPI"] or {})}, f"{at}.downwardAPI"))
        elif "serviceAccountToken" in source:
            path = require(ctx, pod.obj, f"{at}.serviceAccountToken.path",
                           str((source["serviceAccountToken"] or {}).get("path", "token")), rules.item_path)
            files[path] = (b"devenv-local-token-no-api-server", _mode(default_mode, DEFAULT_MODE))
            secret = True
            ctx.report("service-account", pod.obj, f"{at}.serviceAccountToken", prod="projected token",
                       local="a placeholder token")
    return _write(ctx, pod, folder, files, secret=secret, where=volume)


def _write(ctx: Context, pod: PodInfo, folder: str, files: dict[str, tuple[bytes, int]], secret: bool,
           where: str) -> VolumePlan:
    """The volume's files under files/NAMESPACE/POD/VOLUME: every name was checked, none climbs out."""
    root = f"{ctx.options.state_rel}/files/{folder}" if secret else f"./files/{folder}"
    written: set[str] = set()
    for path, (content, mode) in files.items():
        clean = posixpath.normpath(path)
        parents = {"/".join(clean.split("/")[:n]) for n in range(1, clean.count("/") + 1)}
        if clean in written or parents & written or any(other.startswith(clean + "/") for other in written):
            ctx.reject(pod.obj, where, f"two files of the volume collide at {clean!r} (a file and a folder, or "
                                       "one path twice)", "give each item its own path")
        written.add(clean)
        ctx.out.files[f"{root}/{clean}"] = FileOut(content, mode, secret)
    if not files:  # an empty directory still has to exist to be mounted
        ctx.out.files.setdefault(f"{root}/.devenv-keep", FileOut(b"", 0o644, secret))
    return VolumePlan("files", root, True, tuple(sorted(files)))


def _mode(value: Any, default: int) -> int:
    return int(value) & 0o777 if isinstance(value, int) else default


def mount(plan: VolumePlan, mount_spec: dict[str, Any]) -> dict[str, Any]:
    """The Compose long-syntax mount for a volumeMount of a file or host volume (named volumes: `subpaths`)."""
    target = str(mount_spec.get("mountPath", ""))
    inner = str(mount_spec.get("subPath") or mount_spec.get("subPathExpr") or "")
    read_only = bool(mount_spec.get("readOnly")) or plan.read_only
    if plan.kind == "files":
        source = f"{plan.source}/{inner}" if inner else plan.source
        return {"type": "bind", "source": source, "target": target, "read_only": True}
    if plan.kind == "host":
        source = posixpath.join(plan.source, inner) if inner else plan.source
        bind: dict[str, Any] = {"type": "bind", "source": source, "target": target,
                                "bind": {"create_host_path": plan.create}}
        return {**bind, "read_only": True} if read_only else bind
    entry: dict[str, Any] = {"type": "volume", "source": plan.source, "target": target}
    return {**entry, "read_only": True} if read_only else entry


def sub_path(ctx: Context, obj: ObjectRef, mount_spec: dict[str, Any], where: str,
             expand: Callable[[str], str]) -> str:
    """A volumeMount's subPath, or its subPathExpr expanded as the kubelet does (`expand`), refused as
    Kubernetes refuses it when absolute or holding a `..` element."""
    if mount_spec.get("subPathExpr"):
        field, value = "subPathExpr", expand(str(mount_spec["subPathExpr"]))
    else:
        field, value = "subPath", str(mount_spec.get("subPath") or "")
    if value:
        require(ctx, obj, f"{where}.{field}", value, rules.descending_path,
                "a subPath names a file or folder inside its volume")
    return value
