"""The one registry of Kubernetes kinds devenv knows: what each becomes locally and where a workload
keeps its pod template. Translation, policies and the parity diff all read it; a new kind is one entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Treatment = Literal["workload", "consumed", "secret", "claim", "not-reproduced"]


@dataclass(frozen=True)
class Kind:
    """How devenv treats one kind."""

    name: str
    treatment: Treatment
    #: workloads: the path of the pod template inside the object ("" for a bare Pod's own spec)
    template: tuple[str, ...] = ()
    #: not-reproduced kinds: the delta code and the field carrying the behaviour that is lost
    code: str = ""
    field: str = ""

    @property
    def pod_spec_field(self) -> str:
        """The pod spec's dotted path in the manifest, for deltas (`spec.template.spec`)."""
        return ".".join((*self.template, "spec")) if self.template else "spec"


def _workload(name: str, *template: str) -> Kind:
    return Kind(name, "workload", template)


def _lost(name: str, code: str, field: str) -> Kind:
    return Kind(name, "not-reproduced", code=code, field=field)


REGISTRY: dict[str, Kind] = {kind.name: kind for kind in (
    _workload("Deployment", "spec", "template"),
    _workload("StatefulSet", "spec", "template"),
    _workload("DaemonSet", "spec", "template"),
    _workload("ReplicaSet", "spec", "template"),
    _workload("ReplicationController", "spec", "template"),
    _workload("DeploymentConfig", "spec", "template"),
    _workload("Job", "spec", "template"),
    _workload("CronJob", "spec", "jobTemplate", "spec", "template"),
    Kind("Pod", "workload"),
    Kind("Service", "consumed"),
    Kind("ConfigMap", "consumed"),
    Kind("Namespace", "consumed"),
    Kind("Secret", "secret"),
    Kind("ExternalSecret", "secret"),
    Kind("SealedSecret", "secret"),
    Kind("PersistentVolumeClaim", "claim"),
    _lost("Ingress", "ingress", "spec"),
    _lost("IngressClass", "ingress", "spec"),
    _lost("Gateway", "ingress", "spec"),
    _lost("HTTPRoute", "ingress", "spec"),
    _lost("HorizontalPodAutoscaler", "autoscaling", "spec"),
    _lost("VerticalPodAutoscaler", "autoscaling", "spec"),
    _lost("PodDisruptionBudget", "disruption-budget", "spec"),
    _lost("NetworkPolicy", "network-policy", "spec"),
    _lost("ServiceAccount", "service-account", "metadata.name"),
    _lost("Role", "rbac", "rules"),
    _lost("ClusterRole", "rbac", "rules"),
    _lost("RoleBinding", "rbac", "subjects"),
    _lost("ClusterRoleBinding", "rbac", "subjects"),
    _lost("ResourceQuota", "resource-quota", "spec"),
    _lost("LimitRange", "resource-quota", "spec"),
    _lost("PriorityClass", "scheduling", "value"),
    _lost("StorageClass", "storage-class", "provisioner"),
    _lost("PersistentVolume", "storage-class", "spec"),
    _lost("CustomResourceDefinition", "custom-resource", "spec"),
)}


def of(kind: str) -> Kind | None:
    return REGISTRY.get(kind)


def named(treatment: Treatment) -> tuple[str, ...]:
    """The kinds with one treatment, in registry order."""
    return tuple(k.name for k in REGISTRY.values() if k.treatment == treatment)


WORKLOAD_KINDS = named("workload")
SECRET_KINDS = named("secret")
#: kinds whose objects are read by other steps and need no delta of their own
CONSUMED_KINDS = frozenset(named("workload") + named("consumed"))


def pod_template(kind: str, body: dict[str, object]) -> dict[str, object]:
    """A workload's pod template ({"metadata", "spec"}); a bare Pod is its own template."""
    entry = REGISTRY[kind]
    if not entry.template:
        return {"metadata": body.get("metadata") or {}, "spec": body.get("spec") or {}}
    node: object = body
    for key in entry.template:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}
