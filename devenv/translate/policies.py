"""Kinds that run nothing locally: each object becomes exactly one delta, never silence, never a crash."""

from __future__ import annotations

from devenv.k8s import kinds
from devenv.k8s.manifest import Manifest
from devenv.k8s.secrets import secret_name
from devenv.translate.context import Context
from devenv.translate.volumes import host_persistent_volume

CORE_GROUPS = ("v1", "apps/", "batch/", "networking.k8s.io/", "policy/", "rbac.authorization.k8s.io/",
               "autoscaling/", "storage.k8s.io/", "scheduling.k8s.io/", "apiextensions.k8s.io/",
               "admissionregistration.k8s.io/", "coordination.k8s.io/", "discovery.k8s.io/", "node.k8s.io/")


def object_deltas(ctx: Context, manifest: Manifest) -> None:
    """The delta for an object that does not run locally, or for a Secret whose values are replaced."""
    kind, obj = manifest.kind, manifest.ref
    entry = kinds.of(kind)
    if kind in kinds.SECRET_KINDS:
        keys = ctx.index.secret_keys(manifest.namespace, secret_name(manifest)) or []
        ctx.report("secret-value-local", obj, "data", prod=f"{len(keys)} keys, values redacted", local="local values")
        return
    if kind == "PersistentVolumeClaim":
        spec = manifest.spec
        storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "")
        host = host_persistent_volume(ctx, manifest.namespace, manifest.name)
        ctx.report("storage-class", obj, "spec", prod=f"class={spec.get('storageClassName', 'default')}, size={storage}",
                   local=f"host path {host['path']}" if host else "local named volume")
        return
    if kind == "ConfigMap" and not ctx.index.configmap_read(manifest.namespace, manifest.name):
        ctx.report("configmap-unused", obj, "data", prod="read in the cluster", local="read by no container")
        return
    if kind in kinds.CONSUMED_KINDS:
        return
    if kind == "Ingress" and ctx.options.gateway_image:
        hosts = [str(r.get("host")) for r in manifest.spec.get("rules") or [] if r.get("host")]
        ctx.report("ingress", obj, "spec", prod=", ".join(hosts) or kind,
                   local="local gateway: " + ", ".join(h.split(".", 1)[0] + ".localhost" for h in hosts),
                   reason="routing is reproduced by a local gateway; TLS, annotations and the controller are not")
        return
    if entry is not None and entry.treatment == "not-reproduced":
        ctx.report(entry.code, obj, entry.field, prod=kind, local="none")
        return
    if manifest.annotations.get("helm.sh/hook", "").startswith("test"):
        ctx.report("helm-test-hook", obj, "metadata.annotations", prod="helm test", local="not run")
        return
    custom = not manifest.api_version.startswith(CORE_GROUPS)
    ctx.report("custom-resource" if custom else "unknown-kind", obj, "kind", prod=f"{manifest.api_version} {kind}",
               local="nothing runs")
