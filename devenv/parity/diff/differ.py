"""The comparison itself: object by object, then per kind (ConfigMap values, Secret keys, autoscaling and
policies, workloads down to each container's image, variables, files, resources and probes)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from devenv.k8s import kinds
from devenv.k8s.manifest import Manifest, ObjectRef
from devenv.k8s.secrets import secret_keys
from devenv.model.catalogue import delta
from devenv.model.delta import Delta
from devenv.parity.diff.side import Side, Var, configmap_values, container_env, mounted_paths
from devenv.parity.diff.values import claim_names, differences, image_change, normalized, quantity
from devenv.parity.display import shown, shown_pair
from devenv.parity.locations import source_of

#: workloads whose replica count is compared on its own (`diff-replicas`)
SCALED_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DeploymentConfig")
#: fields of a controller's spec compared apart from the rest: the replica count and the pod template
CONTROLLER_FIELDS = {"replicas", "template", "jobTemplate"}
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
CONTAINER_COMPARED = {"name", "image", "env", "envFrom", "resources", "volumeMounts", *PROBES}
IGNORED_TOP = {"apiVersion", "kind", "metadata", "status"}


class Differ:
    """Collects the deltas between side A (`local`) and side B (`prod`)."""

    def __init__(self, a: list[Manifest], b: list[Manifest], root: Path | None = None) -> None:
        self.a, self.b = Side(a), Side(b)
        self.root = root
        self.deltas: list[Delta] = []
        self._source = ""

    def report(self, code: str, obj: ObjectRef, field: str, prod: str, local: str, reason: str = "") -> None:
        item = delta(code, obj, field, prod=prod, local=local, reason=reason)
        self.deltas.append(replace(item, source=self._source) if self._source else item)

    def run(self) -> list[Delta]:
        for key in sorted(set(self.a.objects) | set(self.b.objects)):
            left, right = self.a.objects.get(key), self.b.objects.get(key)
            present = right or left
            assert present is not None  # the key comes from one side at least
            kind, namespace, name = key
            obj = ObjectRef(kind, namespace if present.namespace else "", name)
            self._source = source_of(present.origin, self.root)
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
            self.compare_values(obj, "data", configmap_values(left), configmap_values(right))
        elif kind in kinds.SECRET_KINDS:
            self.compare_secret_keys(obj, secret_keys(left), secret_keys(right))
        elif kind == "HorizontalPodAutoscaler":
            self.compare_fields(obj, "spec", left.spec, right.spec, "diff-autoscaling",
                                defaults={"minReplicas": 1})
        elif kind in ("PodDisruptionBudget", "NetworkPolicy"):
            self.compare_fields(obj, "spec", left.spec, right.spec, "diff-policy")
        elif kind in kinds.WORKLOAD_KINDS:
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
                prod, local = shown_pair(right[key], left[key])
                self.report("diff-config-value", obj, f"{field}.{key}", prod=prod, local=local)

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
        for field, a, b in differences(normalized(left), normalized(right), prefix):
            prod, local = shown_pair(b, a)
            self.report(code, obj, field, prod=prod, local=local)

    # -- workloads -----------------------------------------------------------------------------------

    def compare_workload(self, obj: ObjectRef, left: Manifest, right: Manifest) -> None:
        """The controller's own fields (replicas apart), then the pod spec, then container by container."""
        kind = obj.kind
        template = kinds.REGISTRY[kind].template
        if kind in SCALED_KINDS:
            a, b = left.spec.get("replicas", 1), right.spec.get("replicas", 1)
            if a != b:
                self.report("diff-replicas", obj, "spec.replicas", prod=str(b), local=str(a))
        for level, path in enumerate(_controller_specs(template)):
            skip = CONTROLLER_FIELDS if level == 0 else {template[len(path)]}
            left_spec, right_spec = _mapping_at(left.body, path), _mapping_at(right.body, path)
            if level == 0:
                left_spec, right_spec = claim_names(left_spec), claim_names(right_spec)
            self.compare_fields(obj, ".".join(path), {k: v for k, v in left_spec.items() if k not in skip},
                                {k: v for k, v in right_spec.items() if k not in skip}, "diff-spec")
        pod_field = kinds.REGISTRY[kind].pod_spec_field
        left_pod, right_pod = _pod_spec(kind, left), _pod_spec(kind, right)
        skip_pod = {"containers", "initContainers"}
        self.compare_fields(obj, pod_field, {k: v for k, v in left_pod.items() if k not in skip_pod},
                            {k: v for k, v in right_pod.items() if k not in skip_pod}, "diff-spec")
        for group in ("initContainers", "containers"):
            lefts = {str(c.get("name")): c for c in left_pod.get(group) or []}
            rights = {str(c.get("name")): c for c in right_pod.get(group) or []}
            for name in sorted(set(lefts) | set(rights)):
                field = f"{pod_field}.{group}[{name}]"
                if name not in lefts or name not in rights:
                    self.report("diff-object", obj, field, prod="present" if name in rights else "absent",
                                local="present" if name in lefts else "absent", reason="a container of the pod")
                    continue
                self.compare_container(obj, field, left.namespace, (lefts[name], left_pod), (rights[name], right_pod))

    def compare_container(self, obj: ObjectRef, field: str, namespace: str, left: tuple[dict[str, Any], dict[str, Any]],
                          right: tuple[dict[str, Any], dict[str, Any]]) -> None:
        (lc, lpod), (rc, rpod) = left, right
        a_image, b_image = str(lc.get("image", "")), str(rc.get("image", ""))
        if a_image != b_image:
            self.report("diff-image", obj, f"{field}.image", prod=b_image, local=a_image,
                        reason=image_change(a_image, b_image))
        self.compare_named(obj, f"{field}.env", container_env(self.a, namespace, lc),
                           container_env(self.b, namespace, rc))
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
                    prod, local = shown_pair(b.source, a.source)
                    self.report("diff-config-value", obj, f"{field}[{name}]", prod=prod, local=local)
                continue
            present, other = (a, self.b) if a is not None else (b, self.a)
            assert present is not None
            if present.via is not None:
                kind, source_name, key = present.via
                keys = other.keys(kind, obj.namespace, source_name)
                if keys is not None and key not in keys:
                    continue  # the key itself is reported on its ConfigMap or Secret
            self.report("diff-config-key", obj, f"{field}[{name}]", prod=shown(b.source) if b else "absent",
                        local=shown(a.source) if a else "absent")

    def compare_resources(self, obj: ObjectRef, field: str, left: dict[str, Any], right: dict[str, Any]) -> None:
        for section in ("requests", "limits"):
            lefts, rights = left.get(section) or {}, right.get(section) or {}
            for resource in sorted(set(lefts) | set(rights)):
                a, b = lefts.get(resource), rights.get(resource)
                if quantity(resource, a) != quantity(resource, b):
                    self.report("diff-resources", obj, f"{field}.{section}.{resource}",
                                prod=str(b) if b is not None else "unset", local=str(a) if a is not None else "unset")
        others = {k for k in set(left) | set(right) if k not in ("requests", "limits")}
        self.compare_fields(obj, field, {k: left[k] for k in others if k in left},
                            {k: right[k] for k in others if k in right}, "diff-resources")


def _controller_specs(template: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The paths of the `spec` mappings a pod template is nested in: `spec` for a Deployment, `spec` and
    `spec.jobTemplate.spec` for a CronJob; none for a bare Pod."""
    return [template[: index + 1] for index, key in enumerate(template[:-1]) if key == "spec"]


def _mapping_at(body: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    node: Any = body
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _pod_spec(kind: str, manifest: Manifest) -> dict[str, Any]:
    spec = kinds.pod_template(kind, manifest.body).get("spec")
    return spec if isinstance(spec, dict) else {}


def diff_environments(a: list[Manifest], b: list[Manifest], root: Path | None = None) -> list[Delta]:
    """Every difference between environment A's manifests (`local`) and environment B's (`prod`)."""
    return Differ(a, b, root).run()
