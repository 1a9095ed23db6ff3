"""Workload kinds to pod units: the pod template each runs, its role, and workload-level deltas."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from devenv.k8s import kinds
from devenv.k8s import names as rules
from devenv.k8s.manifest import Manifest, ObjectRef
from devenv.model import labels as names
from devenv.translate.context import Context
from devenv.translate.controllers import controller_annotations, controller_hostname, controller_labels, pod_name
from devenv.translate.helm_hooks import Hook, hook_of
from devenv.translate.naming import require

APP, JOB, MANUAL = "app", "job", "manual"
SCHEDULING_FIELDS = ("affinity", "tolerations", "nodeSelector", "topologySpreadConstraints", "priorityClassName",
                     "nodeName", "schedulerName", "runtimeClassName", "overhead", "priority", "preemptionPolicy")


@dataclass
class PodUnit:
    """One pod devenv runs for a workload: the template, the name it runs under, and its network plan."""

    manifest: Manifest
    role: str
    base: str
    pod_name: str
    template: dict[str, Any]
    field: str  # path of the pod spec in the manifest, for deltas
    claim_volumes: dict[str, str] = dataclasses.field(default_factory=dict)
    aliases: dict[str, set[str]] = dataclasses.field(default_factory=dict)  # network -> DNS names
    forwards: dict[int, int] = dataclasses.field(default_factory=dict)  # service port -> container port
    publish: set[int] = dataclasses.field(default_factory=set)
    depends: dict[str, str] = dataclasses.field(default_factory=dict)  # compose service -> condition
    hook_weight: tuple[int, int, str] | None = None  # Helm hooks run on `up`: (phase, weight, name)
    serves: bool = False  # a Job whose pods back a Service: its clients wait for it to be ready, not completed
    _labels: dict[str, str] | None = dataclasses.field(default=None, repr=False)

    @property
    def long_running(self) -> bool:
        """Whether the pod runs for the stack's life: an app, or a Job serving a Service."""
        return self.role == APP or self.serves

    @property
    def obj(self) -> ObjectRef:
        return self.manifest.ref

    @property
    def namespace(self) -> str:
        return self.manifest.namespace

    @property
    def spec(self) -> dict[str, Any]:
        return self.template.get("spec") or {}

    @property
    def labels(self) -> dict[str, str]:
        cached = self._labels
        if cached is None:
            metadata = self.template.get("metadata") or {}
            own = {str(k): "" if v is None else str(v) for k, v in (metadata.get("labels") or {}).items()}
            cached = self._labels = {**own, **controller_labels(self.manifest, self.pod_name)}
        return cached

    @property
    def hostname(self) -> str:
        """The pod's hostname: `spec.hostname`, else its name (a StatefulSet's controller sets the name)."""
        own = "" if self.manifest.kind == "StatefulSet" else str(self.spec.get("hostname") or "")
        return (controller_hostname(self.manifest) or own or self.pod_name)[:63]

    @property
    def annotations(self) -> dict[str, str]:
        own = {str(k): "" if v is None else str(v)
               for k, v in ((self.template.get("metadata") or {}).get("annotations") or {}).items()}
        return {**own, **controller_annotations(self.manifest)}


def pod_units(ctx: Context) -> list[PodUnit]:
    """Every pod the stack runs, with names unique across kinds and namespaces."""
    units = []
    taken: set[str] = set()
    for manifest in ctx.index.of_kind(*kinds.WORKLOAD_KINDS):
        unit = _unit(ctx, manifest)
        if unit is None:
            continue
        base = unit.base
        if base in taken:
            base = f"{base}-{manifest.kind.lower()}"
        unit.base = base
        taken.add(base)
        units.append(unit)
    return units


def _unit(ctx: Context, manifest: Manifest) -> PodUnit | None:
    kind, spec, obj = manifest.kind, manifest.spec, manifest.ref
    base = f"{manifest.namespace}-{manifest.name}" if ctx.multi_namespace else manifest.name
    template, spec_field = kinds.pod_template(kind, manifest.body), kinds.REGISTRY[kind].pod_spec_field
    if kind in ("Pod", "Job"):
        if kind == "Job":
            _job_deltas(ctx, obj, spec, "spec")
        unit = PodUnit(manifest, JOB if kind == "Job" else _pod_role(spec), base, pod_name(manifest), template,
                       spec_field)
        hook = hook_of(manifest)
        if hook is not None and unit.role == JOB:
            _hook(ctx, unit, hook)
        return unit
    if kind == "CronJob":
        ctx.report("cronjob-not-scheduled", obj, "spec.schedule", prod=str(spec.get("schedule", "")), local="on demand")
        _job_deltas(ctx, obj, (spec.get("jobTemplate") or {}).get("spec") or {}, "spec.jobTemplate.spec")
        return PodUnit(manifest, MANUAL, base, pod_name(manifest), template, spec_field)
    replicas = spec.get("replicas", 1)
    if kind != "DaemonSet" and replicas == 0:
        ctx.report("workload-paused", obj, "spec.replicas", prod="0", local="not started")
        return None
    if kind == "DaemonSet":
        ctx.report("daemonset-single", obj, "kind", prod="one pod per node", local="one container set")
    elif isinstance(replicas, int) and replicas > 1:
        ctx.report("replicas-reduced", obj, "spec.replicas", prod=str(replicas), local="1")
    unit = PodUnit(manifest, APP, base, pod_name(manifest), template, spec_field)
    if kind == "StatefulSet":
        for index, claim in enumerate(spec.get("volumeClaimTemplates") or []):
            claim_name = require(ctx, obj, f"spec.volumeClaimTemplates[{index}].metadata.name",
                                 str((claim.get("metadata") or {}).get("name", "")), rules.dns_subdomain)
            volume = f"{claim_name}-{base}-0"
            unit.claim_volumes[claim_name] = volume
            ctx.out.volumes[volume] = {"labels": {names.CLAIM: f"{manifest.namespace}/{claim_name}-{manifest.name}-0"}}
            _claim_delta(ctx, obj, claim.get("spec") or {}, f"spec.volumeClaimTemplates[{claim_name}]")
    return unit


def _pod_role(spec: dict[str, Any]) -> str:
    return JOB if spec.get("restartPolicy") in ("Never", "OnFailure") else APP


def _job_deltas(ctx: Context, obj: ObjectRef, spec: dict[str, Any], field: str) -> None:
    settings = [k for k in ("backoffLimit", "activeDeadlineSeconds", "parallelism", "completions",
                            "ttlSecondsAfterFinished") if spec.get(k) is not None]
    if settings:
        ctx.report("job-semantics", obj, f"{field}.{settings[0]}",
                   prod=", ".join(f"{k}={spec[k]}" for k in settings), local="runs once")


def _hook(ctx: Context, unit: PodUnit, hook: Hook) -> None:
    """An install hook runs in Helm's order on `up`; a test hook, or one for events a local stack never
    sees (upgrade, rollback, delete), runs on demand."""
    field = "metadata.annotations"
    if hook.test:
        unit.role = MANUAL
        ctx.report("helm-test-hook", unit.obj, field, prod=hook.describe(), local=f"devenv run {unit.base}")
    elif hook.phase is None:
        unit.role = MANUAL
        ctx.report("helm-hook-on-demand", unit.obj, field, prod=hook.describe(), local=f"devenv run {unit.base}")
    else:
        unit.hook_weight = (hook.phase, hook.weight, unit.manifest.name)
        ctx.report("helm-hook", unit.obj, field, prod=hook.describe(), local=hook.local())


def _claim_delta(ctx: Context, obj: ObjectRef, spec: dict[str, Any], field: str) -> None:
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    parts = [f"size={storage}"] if storage else []
    if spec.get("storageClassName"):
        parts.append(f"class={spec['storageClassName']}")
    if spec.get("accessModes"):
        parts.append("modes=" + ",".join(spec["accessModes"]))
    if parts:
        ctx.report("storage-class", obj, field, prod=", ".join(parts), local="local named volume")


def pod_level_deltas(ctx: Context, unit: PodUnit) -> None:
    """Pod spec fields that cannot be reproduced on one host: one delta each."""
    spec, obj = unit.spec, unit.obj
    for name in SCHEDULING_FIELDS:
        if spec.get(name):
            ctx.report("scheduling", obj, f"{unit.field}.{name}", prod=_short(spec[name]), local="ignored")
    if spec.get("enableServiceLinks", True) is not False and ctx.index.has_linked_services(unit.namespace):
        if ctx.options.service_links:
            ctx.report("service-links", obj, f"{unit.field}.enableServiceLinks", prod="cluster IPs",
                       local="Service DNS names", reason="they carry DNS names instead of cluster IPs")
        else:
            ctx.report("service-links", obj, f"{unit.field}.enableServiceLinks", prod="injected", local="not injected",
                       reason="are not injected locally: a Service change would otherwise recreate every "
                              "container of its namespace")
    fs_group = (spec.get("securityContext") or {}).get("fsGroup")
    if fs_group is not None:
        ctx.report("security-context", obj, f"{unit.field}.securityContext.fsGroup", prod=str(fs_group),
                   local="supplementary group only", reason="volume ownership is not changed to the fsGroup")
    if spec.get("dnsPolicy") in ("Default", "None"):
        ctx.report("dns-policy", obj, f"{unit.field}.dnsPolicy", prod=str(spec["dnsPolicy"]),
                   local="the stack's names resolve")
    for index, secret in enumerate(spec.get("imagePullSecrets") or []):
        name = str((secret or {}).get("name", ""))
        where = f"{unit.field}.imagePullSecrets[{index}]"
        if ctx.index.secret_keys(unit.namespace, name) is None:
            ctx.report("image-pull-secret-missing", obj, where, prod=f"Secret {name}", local="missing")
        else:
            ctx.report("image-pull-secret", obj, where, prod=f"Secret {name}", local="the engine's own credentials")
    if unit.annotations.get("sidecar.istio.io/inject") == "true" or unit.labels.get("sidecar.istio.io/inject") == "true":
        ctx.report("mesh-sidecar", obj, f"{unit.field.rsplit('.', 1)[0]}.metadata", prod="istio sidecar", local="none")
    if "linkerd.io/inject" in unit.annotations:
        ctx.report("mesh-sidecar", obj, f"{unit.field.rsplit('.', 1)[0]}.metadata", prod="linkerd proxy", local="none")


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."
