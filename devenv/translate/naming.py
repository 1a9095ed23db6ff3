"""Names that become folders, Compose services, volumes and networks: checked before anything is built
from them, with the rules the Kubernetes API applies (a name it refuses is bad input, exit 2).

The pod-level names (volumes, containers, claims, item paths, subPaths, environment names, ConfigMap and
Secret keys that become file names) are checked where each is read, through `require`.
"""

from __future__ import annotations

from collections.abc import Callable

from devenv.k8s import kinds
from devenv.k8s import names as rules
from devenv.k8s.manifest import Manifest, ObjectRef
from devenv.translate.context import Context

#: kind -> the rule its metadata.name follows, for the kinds whose names devenv turns into files and keys
NAME_RULES: dict[str, Callable[[str], str]] = {
    **{kind: rules.dns_subdomain for kind in kinds.WORKLOAD_KINDS},
    "ConfigMap": rules.dns_subdomain,
    "Secret": rules.dns_subdomain,
    "PersistentVolumeClaim": rules.dns_subdomain,
    "Ingress": rules.dns_subdomain,
    "Service": rules.dns_1035_label,
}


def check_object_names(ctx: Context, manifests: list[Manifest]) -> None:
    """Every namespace is an RFC 1123 label, and every name devenv builds on follows its kind's rule."""
    for manifest in manifests:
        if manifest.namespace:
            require(ctx, manifest.ref, "metadata.namespace", manifest.namespace, rules.dns_label)
        rule = NAME_RULES.get(manifest.kind)
        if rule is not None:
            require(ctx, manifest.ref, "metadata.name", manifest.name, rule,
                    "give the object a metadata.name Kubernetes accepts (devenv does not run generateName objects)")


def require(ctx: Context, obj: ObjectRef, field: str, value: str, rule: Callable[[str], str], hint: str = "") -> str:
    """`value` when `rule` accepts it; otherwise bad input naming the object and field."""
    problem = rule(value)
    if problem:
        ctx.reject(obj, field, problem, hint)
    return value
