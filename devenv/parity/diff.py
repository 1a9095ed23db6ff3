"""`devenv diff ENV_A ENV_B`: what a release manager must know between two environments' manifests.

Objects are matched by kind, namespace and name; ConfigMap and Secret names lose Kustomize's hash
suffix (`api-config-7k2m9g4b5c` matches `api-config-2h8f6d4c9t`). Deltas reuse the delta model: `prod`
is ENV_B's side, `local` is ENV_A's side (renderers call them by the environments' names). Secret
values are never read: only Secret keys are compared.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from devenv.config import Acceptance
from devenv.k8s.manifest import Manifest, ObjectRef
from devenv.k8s.secrets import secret_keys, secret_name
from devenv.model.catalogue import delta
from devenv.model.delta import Delta
from devenv.translate.quantities import cpu_cores, memory_bytes

#: Kustomize's generator hash: ten characters of its own alphabet after a dash
HASH_SUFFIX = re.compile(r"-[2456789bcdfghkmt]{10}$")
HASHED_KINDS = ("ConfigMap", "Secret")
SECRET_KINDS = ("Secret", "SealedSecret", "ExternalSecret")
POD_TEMPLATE = {
    "Deployment": ("spec.template", ("spec", "template")),
    "StatefulSet": ("spec.template", ("spec", "template")),
    "DaemonSet": ("spec.template", ("spec", "template")),
    "ReplicaSet": ("spec.template", ("spec", "template")),
    "ReplicationController": ("spec.template", ("spec", "template")),
    "Job": ("spec.template", ("spec", "template")),
    "CronJob": ("spec.jobTemplate.spec.template", ("spec", "jobTemplate", "spec", "template")),
}
SCALED_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
CONTAINER_COMPARED = {"name", "image", "env", "envFrom", "resources", "volumeMounts", *PROBES}
IGNORED_TOP = {"apiVersion", "kind", "metadata", "status"}
SHOWN_WIDTH = 100
COMMAND_FAMILIES = {"diff": "diff-", "verify": "runtime-"}


def base_name(kind: str, name: str) -> str:
    """The name without a generator's hash suffix, for the kinds Kustomize generates."""
    return HASH_SUFFIX.sub("", name) if kind in HASHED_KINDS else name


def rules_for_command(rules: Iterable[Acceptance], command: str) -> tuple[Acceptance, ...]:
    """Acceptance rules a command applies: `diff-*` codes to diff, `runtime-*` to verify, others to report,
    so a rule meant for one command is never reported unused by another."""
    prefix = COMMAND_FAMILIES.get(command)
    if prefix is None:
        return tuple(r for r in rules if not r.code.startswith(tuple(COMMAND_FAMILIES.values())))
    return tuple(r for r in rules if r.code.startswith(prefix))


def shown(value: Any) -> str:
    """A value as one short line: strings as they are, structures as compact JSON, a file as its size and
    digest, anything long cut with an ellipsis."""
    if value is None:
        return "unset"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
    if "\n" in text.rstrip("\n"):
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        return f"{len(text.encode())} bytes, {lines} lines, sha256 {digest}"
    text = text.rstrip("\n")
    return text if len(text) <= SHOWN_WIDTH else text[: SHOWN_WIDTH - 1] + "…"


def differences(a: Any, b: Any, path: str, depth: int = 0) -> Iterable[tuple[str, Any, Any]]:
    """The leaves where two (normalized) structures differ: mappings by key, lists of named items by name."""
    if a == b:
        return
    if depth < 8 and isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from differences(a.get(key), b.get(key), f"{path}.{key}" if path else str(key), depth + 1)
        return
    if depth < 8 and _named_list(a) and _named_list(b):
        lefts, rights = {str(i["name"]): i for i in a}, {str(i["name"]): i for i in b}
        if len(lefts) == len(a) and len(rights) == len(b):
            for name in sorted(set(lefts) | set(rights)):
                yield from differences(lefts.get(name), rights.get(name), f"{path}[{name}]", depth + 1)
            return
    yield path, a, b


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and "name" in i for i in value)


def _claim_names(spec: dict[str, Any]) -> dict[str, Any]:
    """volumeClaimTemplates are named by metadata.name: key them so they compare one by one."""
    claims = spec.get("volumeClaimTemplates")
    if not isinstance(claims, list):
        return spec
    named = [{"name": (c.get("metadata") or {}).get("name", ""), **c} for c in claims if isinstance(c, dict)]
    return {**spec, "volumeClaimTemplates": named}


def _normalized(value: Any) -> Any:
    """A structure with generated names made comparable (hash suffixes of referenced objects removed)."""
    if isinstance(value, dict):
        return {k: (HASH_SUFFIX.sub("", v) if k in ("name", "secretName") and isinstance(v, str) else _normalized(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_normalized(v) for v in value]
    return value


def _dig(body: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for key in path:
        body = body.get(key) or {}
    return body


@dataclass(frozen=True)
class Var:
    """One environment variable as a container sees it: where it comes from, and the object key behind it."""

    source: str  # "value X", "ConfigMap N key K", "Secret N key K (value redacted)", "field P", ...
    via: tuple[str, str, str] | None = None  # (kind, base name, key) when it comes from envFrom


class Side:
    """One environment's manifests, indexed by kind, namespace and base name."""

    def __init__(self, manifests: list[Manifest]) -> None:
        self.objects: dict[tuple[str, str, str], Manifest] = {}
        for manifest in manifests:
            self.objects.setdefault((manifest.kind, manifest.namespace, base_name(manifest.kind, manifest.name)),
                                    manifest)
        self._secret_owner: dict[tuple[str, str], Manifest] = {}
        for manifest in manifests:
            if manifest.kind in SECRET_KINDS:
                self._secret_owner.setdefault((manifest.namespace, base_name("Secret", secret_name(manifest))),
                                              manifest)

    def keys(self, kind: str, namespace: str, name: str) -> set[str] | None:
        """The keys of a ConfigMap or Secret (by base name), or None when it is not in the manifests."""
        if kind == "ConfigMap":
            found = self.objects.get(("ConfigMap", namespace, base_name(kind, name)))
            return set(configmap_data(found)) if found is not None else None
        owner = self._secret_owner.get((namespace, base_name("Secret", name)))
        return set(secret_keys(owner)) if owner is not None else None

    def configmap(self, namespace: str, name: str) -> dict[str, str] | None:
        found = self.objects.get(("ConfigMap", namespace, base_name("ConfigMap", name)))
        return configmap_data(found) if found is not None else None


def configmap_data(manifest: Manifest) -> dict[str, str]:
    data = {str(k): "" if v is None else str(v) for k, v in (manifest.body.get("data") or {}).items()}
    for key, value in (manifest.body.get("binaryData") or {}).items():
        data[str(key)] = f"binary {len(str(value))} base64 characters"
    return data


class Differ:
    """Collects the deltas between side A (`local`) and side B (`prod`)."""

    def __init__(self, a: list[Manifest], b: list[Manifest], root: Path | None = None) -> None:
        self.a, self.b = Side(a), Side(b)
        self.root = root
        self.deltas: list[Delta] = []
        self._source = ""

    def report(self, code: str, obj: ObjectRef, field: str, prod: str, local: str, reason: str = "") -> None:
        item = delta(code, obj, field, prod=prod, local=local, reason=reason)
        self.deltas.append(_with_source(item, self._source))

    def run(self) -> list[Delta]:
        for key in sorted(set(self.a.objects) | set(self.b.objects)):
            left, right = self.a.objects.get(key), self.b.objects.get(key)
            kind, namespace, name = key
            obj = ObjectRef(kind, namespace if (right or left).namespace else "", name)  # type: ignore[union-attr]
            self._source = _source(right or left, self.root)  # type: ignore[arg-type]
            if left is None or right is None:
                self.report("diff-object", obj, "metadata.name", prod="present" if right else "absent",
                            local="present" if left else "absent")
                continue
            self.compare(obj, left, right)
        self.deltas.sort(key=lambda d: d.sort_key())
        return self.deltas

    # -- per kind ------------------------------------------------------------------------------------

    def compare(self, obj: ObjectRef, left: Manifest, right: Manifest) -> None:
        kind = obj.kind
        if kind == "ConfigMap":
            self.compare_values(obj, "data", configmap_data(left), configmap_data(right))
        elif kind in SECRET_KINDS:
            self.compare_secret_keys(obj, secret_keys(left), secret_keys(right))
        elif kind == "HorizontalPodAutoscaler":
            self.compare_fields(obj, "spec", left.spec, right.spec, "diff-autoscaling",
                                defaults={"minReplicas": 1})
        elif kind in ("PodDisruptionBudget", "NetworkPolicy"):
            self.compare_fields(obj, "spec", left.spec, right.spec, "diff-policy")
        elif kind in POD_TEMPLATE or kind == "Pod":
            self.compare_workload(obj, left, right)
        else:
            self.compare_fields(obj, "", {k: v for k, v in left.body.items() if k not in IGNORED_TOP},
                                {k: v for k, v in right.body.items() if k not in IGNORED_TOP}, "diff-spec")

    def compare_values(self, obj: ObjectRef, field: str, left: dict[str, str], right: dict[str, str]) -> None:
        for key in sorted(set(left) | set(right)):
            if key not in left or key not in right:
                self.report("diff-config-key", obj, f"{field}.{key}",
                            prod=shown(right[key]) if key in right else "absent",
                            local=shown(left[key]) if key in left else "absent")
            elif left[key] != right[key]:
                self.report("diff-config-value", obj, f"{field}.{key}", prod=shown(right[key]), local=shown(left[key]))

    def compare_secret_keys(self, obj: ObjectRef, left: list[str], right: list[str]) -> None:
        for key in sorted(set(left) ^ set(right)):
            self.report("diff-config-key", obj, f"data.{key}",
                        prod="present, value redacted" if key in right else "absent",
                        local="present, value redacted" if key in left else "absent")

    def compare_fields(self, obj: ObjectRef, prefix: str, left: dict[str, Any], right: dict[str, Any], code: str,
                       defaults: dict[str, Any] | None = None) -> None:
        """One delta per leaf field whose (normalized) value differs."""
        defaults = defaults or {}
        left = {**defaults, **left}
        right = {**defaults, **right}
        for field, a, b in differences(_normalized(left), _normalized(right), prefix):
            self.report(code, obj, field, prod=shown(b), local=shown(a))

    def compare_workload(self, obj: ObjectRef, left: Manifest, right: Manifest) -> None:
        kind = obj.kind
        if kind == "Pod":
            template_field, left_pod, right_pod = "", {"spec": left.spec}, {"spec": right.spec}
        else:
            template_field, path = POD_TEMPLATE[kind]
            left_pod, right_pod = _dig(left.body, path), _dig(right.body, path)
            if kind in SCALED_KINDS:
                a, b = left.spec.get("replicas", 1), right.spec.get("replicas", 1)
                if a != b:
                    self.report("diff-replicas", obj, "spec.replicas", prod=str(b), local=str(a))
            skip = {"replicas", "template", "jobTemplate"}
            self.compare_fields(obj, "spec", {k: v for k, v in _claim_names(left.spec).items() if k not in skip},
                                {k: v for k, v in _claim_names(right.spec).items() if k not in skip}, "diff-spec")
            if kind == "CronJob":
                self.compare_fields(obj, "spec.jobTemplate.spec",
                                    {k: v for k, v in _dig(left.spec, ("jobTemplate", "spec")).items() if k != "template"},
                                    {k: v for k, v in _dig(right.spec, ("jobTemplate", "spec")).items() if k != "template"},
                                    "diff-spec")
        pod_field = f"{template_field}.spec" if template_field else "spec"
        left_spec, right_spec = left_pod.get("spec") or {}, right_pod.get("spec") or {}
        skip_pod = {"containers", "initContainers"}
        self.compare_fields(obj, pod_field, {k: v for k, v in left_spec.items() if k not in skip_pod},
                            {k: v for k, v in right_spec.items() if k not in skip_pod}, "diff-spec")
        for group in ("initContainers", "containers"):
            lefts = {str(c.get("name")): c for c in left_spec.get(group) or []}
            rights = {str(c.get("name")): c for c in right_spec.get(group) or []}
            for name in sorted(set(lefts) | set(rights)):
                field = f"{pod_field}.{group}[{name}]"
                if name not in lefts or name not in rights:
                    self.report("diff-object", obj, field, prod="present" if name in rights else "absent",
                                local="present" if name in lefts else "absent", reason="a container of the pod")
                    continue
                self.compare_container(obj, field, left.namespace, (lefts[name], left_spec), (rights[name], right_spec))

    def compare_container(self, obj: ObjectRef, field: str, namespace: str, left: tuple[dict[str, Any], dict[str, Any]],
                          right: tuple[dict[str, Any], dict[str, Any]]) -> None:
        (lc, lpod), (rc, rpod) = left, right
        a_image, b_image = str(lc.get("image", "")), str(rc.get("image", ""))
        if a_image != b_image:
            self.report("diff-image", obj, f"{field}.image", prod=b_image, local=a_image, reason=_image_change(a_image, b_image))
        self.compare_named(obj, f"{field}.env", container_env(self.a, namespace, lc), container_env(self.b, namespace, rc))
        self.compare_named(obj, f"{field}.volumeMounts", mounted_paths(self.a, namespace, lc, lpod),
                           mounted_paths(self.b, namespace, rc, rpod))
        self.compare_resources(obj, f"{field}.resources", lc.get("resources") or {}, rc.get("resources") or {})
        self.compare_fields(obj, field, {k: lc[k] for k in PROBES if k in lc}, {k: rc[k] for k in PROBES if k in rc},
                            "diff-probe")
        self.compare_fields(obj, field, {k: v for k, v in lc.items() if k not in CONTAINER_COMPARED},
                            {k: v for k, v in rc.items() if k not in CONTAINER_COMPARED}, "diff-spec")

    def compare_named(self, obj: ObjectRef, field: str, left: dict[str, Var], right: dict[str, Var]) -> None:
        """Env variable names or mounted paths: present on one side only, or fed from another source."""
        for name in sorted(set(left) | set(right)):
            a, b = left.get(name), right.get(name)
            if a is not None and b is not None:
                if a.source != b.source:
                    self.report("diff-config-value", obj, f"{field}[{name}]", prod=b.source, local=a.source)
                continue
            present, other = (a, self.b) if a is not None else (b, self.a)
            assert present is not None
            if present.via is not None:
                kind, source_name, key = present.via
                keys = other.keys(kind, obj.namespace, source_name)
                if keys is not None and key not in keys:
                    continue  # the key itself is reported on its ConfigMap or Secret
            self.report("diff-config-key", obj, f"{field}[{name}]", prod=b.source if b else "absent",
                        local=a.source if a else "absent")

    def compare_resources(self, obj: ObjectRef, field: str, left: dict[str, Any], right: dict[str, Any]) -> None:
        for section in ("requests", "limits"):
            lefts, rights = left.get(section) or {}, right.get(section) or {}
            for resource in sorted(set(lefts) | set(rights)):
                a, b = lefts.get(resource), rights.get(resource)
                if _quantity(resource, a) != _quantity(resource, b):
                    self.report("diff-resources", obj, f"{field}.{section}.{resource}",
                                prod=str(b) if b is not None else "unset", local=str(a) if a is not None else "unset")
        others = {k for k in set(left) | set(right) if k not in ("requests", "limits")}
        self.compare_fields(obj, field, {k: left[k] for k in others if k in left},
                            {k: right[k] for k in others if k in right}, "diff-resources")


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
        source = item.get("valueFrom")
        if not source:
            found[name] = Var(f"value {shown(str(item.get('value') or ''))}")
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"] or {}
            data = side.configmap(namespace, str(ref.get("name", ""))) or {}
            key = str(ref.get("key", ""))
            found[name] = Var(f"ConfigMap {base_name('ConfigMap', str(ref.get('name', '')))} key {key}"
                              + (f" = {shown(data[key])}" if key in data else " (missing)"))
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"] or {}
            found[name] = Var(f"Secret {base_name('Secret', str(ref.get('name', '')))} key {ref.get('key')} (value redacted)")
        else:
            found[name] = Var(shown(_normalized(source)))
    return found


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
        mapping = {str(i.get("key")): str(i.get("path", i.get("key"))) for i in items} if items else {k: k for k in keys}
        for key, path in sorted(mapping.items()):
            files[path] = Var(f"{kind} {name} key {key}", (kind, name, key))
    return files


def _quantity(resource: str, value: Any) -> Any:
    if value is None:
        return None
    try:
        if resource == "cpu":
            return round(cpu_cores(str(value)), 6)
        if resource in ("memory", "ephemeral-storage") or resource.startswith("hugepages-"):
            return memory_bytes(str(value))
    except ValueError:
        pass
    return str(value)


def _split_image(reference: str) -> tuple[str, str, str]:
    name, _, digest = reference.partition("@")
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1:], digest
    return name, "", digest


def _image_change(a: str, b: str) -> str:
    (name_a, tag_a, digest_a), (name_b, tag_b, digest_b) = _split_image(a), _split_image(b)
    if name_a != name_b:
        return "another repository"
    if digest_a != digest_b:
        if digest_a and digest_b:
            return "another digest"
        return "pinned by digest on one side only"
    return "another tag" if tag_a != tag_b else "another reference"


def _source(manifest: Manifest, root: Path | None) -> str:
    from devenv.parity.formats import source_of

    return source_of(manifest.origin, root)


def _with_source(item: Delta, source: str) -> Delta:
    from dataclasses import replace

    return replace(item, source=source) if source else item


def diff_environments(a: list[Manifest], b: list[Manifest], root: Path | None = None) -> list[Delta]:
    """Every difference between environment A's manifests (`local`) and environment B's (`prod`)."""
    return Differ(a, b, root).run()
