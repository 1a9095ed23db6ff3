"""One environment's side of `devenv diff`: its objects by base name, and what a container of it sees
(each variable name and each mounted file, with where it comes from).

Only the source of a value is described, never a Secret's value; a ConfigMap value is shown. Translation
(`devenv.translate.envvars`) resolves the same references into the values a container gets; both read a
ConfigMap through `devenv.k8s.configmaps`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from devenv.k8s import kinds
from devenv.k8s.configmaps import binary_data, text_data
from devenv.k8s.manifest import Manifest
from devenv.k8s.secrets import secret_keys, secret_name
from devenv.parity.diff.values import base_name, normalized


@dataclass(frozen=True)
class Var:
    """One environment variable (or mounted file) as a container sees it: where it comes from, and the
    object key behind it."""

    source: str  # "value X", "ConfigMap N key K", "Secret N key K (value redacted)", "field P", ...
    via: tuple[str, str, str] | None = None  # (kind, base name, key) when it comes from a whole object


def configmap_values(manifest: Manifest) -> dict[str, str]:
    """A ConfigMap's keys with their values as compared: text as it is, binary data described by its size."""
    values = text_data(manifest)
    for key, value in binary_data(manifest).items():
        values[key] = f"binary {len(value)} base64 characters"
    return values


class Side:
    """One environment's manifests, indexed by kind, namespace and base name."""

    def __init__(self, manifests: list[Manifest]) -> None:
        self.objects: dict[tuple[str, str, str], Manifest] = {}
        for manifest in manifests:
            self.objects.setdefault((manifest.kind, manifest.namespace, base_name(manifest.kind, manifest.name)),
                                    manifest)
        self._secret_owner: dict[tuple[str, str], Manifest] = {}
        for manifest in manifests:
            if manifest.kind in kinds.SECRET_KINDS:
                self._secret_owner.setdefault((manifest.namespace, base_name("Secret", secret_name(manifest))),
                                              manifest)

    def keys(self, kind: str, namespace: str, name: str) -> set[str] | None:
        """The keys of a ConfigMap or Secret (by base name), or None when it is not in the manifests."""
        if kind == "ConfigMap":
            data = self.configmap(namespace, name)
            return set(data) if data is not None else None
        owner = self._secret_owner.get((namespace, base_name("Secret", name)))
        return set(secret_keys(owner)) if owner is not None else None

    def configmap(self, namespace: str, name: str) -> dict[str, str] | None:
        found = self.objects.get(("ConfigMap", namespace, base_name("ConfigMap", name)))
        return configmap_values(found) if found is not None else None


def container_env(side: Side, namespace: str, container: dict[str, Any]) -> dict[str, Var]:
    """Every variable name the container sees, in kubelet order, with where its value comes from."""
    found: dict[str, Var] = {}
    for source in container.get("envFrom") or []:
        prefix = str(source.get("prefix") or "")
        for kind, ref_key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            if ref_key not in source:
                continue
            name = base_name(kind, str((source[ref_key] or {}).get("name", "")))
            for key in sorted(side.keys(kind, namespace, name) or ()):
                redacted = " (value redacted)" if kind == "Secret" else ""
                found[prefix + key] = Var(f"{kind} {name} key {key}{redacted}", (kind, name, key))
    for item in container.get("env") or []:
        name = str(item.get("name", ""))
        found[name] = _env_var(side, namespace, item)
    return found


def _env_var(side: Side, namespace: str, item: dict[str, Any]) -> Var:
    source = item.get("valueFrom")
    if not source:
        return Var(f"value {item.get('value') or ''}")
    if "configMapKeyRef" in source:
        ref = source["configMapKeyRef"] or {}
        data = side.configmap(namespace, str(ref.get("name", ""))) or {}
        key = str(ref.get("key", ""))
        return Var(f"ConfigMap {base_name('ConfigMap', str(ref.get('name', '')))} key {key}"
                   + (f" = {data[key]}" if key in data else " (missing)"))
    if "secretKeyRef" in source:
        ref = source["secretKeyRef"] or {}
        return Var(f"Secret {base_name('Secret', str(ref.get('name', '')))} key {ref.get('key')} (value redacted)")
    return Var(json.dumps(normalized(source), sort_keys=True, separators=(",", ":")))


def mounted_paths(side: Side, namespace: str, container: dict[str, Any], pod: dict[str, Any]) -> dict[str, Var]:
    """Every path the container's volume mounts show: each file of a ConfigMap or Secret volume, else the
    mount point, with the volume it comes from."""
    volumes = {str(v.get("name")): v for v in pod.get("volumes") or []}
    found: dict[str, Var] = {}
    for mount in container.get("volumeMounts") or []:
        target = str(mount.get("mountPath", "")).rstrip("/") or "/"
        volume = volumes.get(str(mount.get("name", "")), {})
        sub_path = str(mount.get("subPath") or "")
        files = _volume_files(side, namespace, volume)
        if files is None:
            kind = next((k for k in volume if k != "name"), "volume")
            found[target] = Var(f"{kind} volume {mount.get('name')}" + (f" subPath {sub_path}" if sub_path else ""))
            continue
        for path, var in files.items():
            if sub_path:
                if path == sub_path:
                    found[target] = var
            else:
                found[f"{target}/{path}"] = var
    return found


def _volume_files(side: Side, namespace: str, volume: dict[str, Any]) -> dict[str, Var] | None:
    """The files a ConfigMap, Secret or projected volume holds; None for any other volume."""
    sources: list[tuple[str, dict[str, Any]]] = []
    if "configMap" in volume:
        sources.append(("ConfigMap", volume["configMap"] or {}))
    elif "secret" in volume:
        sources.append(("Secret", volume["secret"] or {}))
    elif "projected" in volume:
        for source in (volume["projected"] or {}).get("sources") or []:
            for kind, key in (("ConfigMap", "configMap"), ("Secret", "secret")):
                if key in source:
                    sources.append((kind, source[key] or {}))
        if not sources:
            return None
    else:
        return None
    files: dict[str, Var] = {}
    for kind, spec in sources:
        name = base_name(kind, str(spec.get("name") or spec.get("secretName") or ""))
        keys = side.keys(kind, namespace, name) or set()
        items = spec.get("items")
        if items:
            mapping = {str(i.get("key")): str(i.get("path", i.get("key"))) for i in items}
        else:
            mapping = {k: k for k in keys}
        for key, path in sorted(mapping.items()):
            files[path] = Var(f"{kind} {name} key {key}", (kind, name, key))
    return files
