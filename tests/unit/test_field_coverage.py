"""Nothing goes silently: every field of every object of the public corpus is either read by the
translation or named by a delta, or listed below with the reason it has no local meaning.

A Kubernetes field nobody handles (a new API field, a kind's setting devenv never looked at) fails this
test instead of vanishing: handle it (one small function and a case), report it (a delta), or add it
to EXEMPT with the reason.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from devenv.config import load_config
from devenv.k8s import kinds
from devenv.k8s.manifest import Manifest
from devenv.pipeline import options_for
from devenv.sources.load import load_environment
from devenv.translate.secrets_store import LocalSecrets
from devenv.translate.translate import translate
from tests.unit.field_tracking import Seen, field_path, leaves, track

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")

APPS = {
    "microservices-demo": f'manifests = ["{CORPUS}/microservices-demo/kubernetes-manifests"]',
    "microservices-demo-helm": f'helm = "{CORPUS}/microservices-demo/helm-chart"\nrelease = "boutique"',
    "opentelemetry-demo": f'manifests = ["{CORPUS}/opentelemetry-demo/opentelemetry-demo.yaml"]\n'
                          'namespace = "otel-demo"',
    "sock-shop": f'manifests = ["{CORPUS}/sock-shop/complete-demo.yaml"]',
    "bitnami-wordpress": f'helm = "{CORPUS}/bitnami-wordpress"\nrelease = "blog"',
}

#: field paths (as tuples, `[]` for list items; a prefix covers everything below) with no local meaning
EXEMPT: dict[tuple[str, ...], str] = {
    ("apiVersion",): "selects the API schema the object is validated against",
    ("metadata", "labels"): "object labels are metadata; pod template labels are read (Service selectors)",
    ("metadata", "annotations"): "annotations with a local meaning (Helm hooks, sidecar injection, AppArmor, "
                                 "seccomp) are read by name; the others are metadata",
    ("metadata", "generation"): "server-side bookkeeping",
    ("metadata", "creationTimestamp"): "server-side bookkeeping",
    ("status",): "written by the cluster, not by the deployer",
    ("spec", "selector"): "a controller's selector: locally the pod template itself runs",
    ("spec", "revisionHistoryLimit"): "rollout history: `up` replaces containers, there are no rollouts",
    ("spec", "strategy"): "rollout strategy: `up` replaces containers, there are no rollouts",
    ("spec", "updateStrategy"): "rollout strategy: `up` replaces containers, there are no rollouts",
    ("spec", "minReadySeconds"): "rollout pacing: there are no rollouts locally",
    ("spec", "progressDeadlineSeconds"): "rollout deadline: there are no rollouts locally",
    ("spec", "podManagementPolicy"): "one pod per StatefulSet locally: no ordering between pods",
    ("spec", "persistentVolumeClaimRetentionPolicy"): "volumes live until `devenv down --volumes`",
    ("spec", "template", "metadata", "name"): "a pod's name comes from its controller",
    ("type",): "a Secret's type: its keys are kept, its values are local",
    ("immutable",): "ConfigMaps and Secrets are written once per render anyway",
}
#: container and pod fields, under any pod spec
EXEMPT_POD: dict[tuple[str, ...], str] = {
    ("ports",): "declared container ports are informational (as in Kubernetes); named ones are read where a "
                "Service or probe names them",
    ("env", "[]", "valueFrom", "fieldRef", "apiVersion"): "always v1",
    ("automountServiceAccountToken",): "no API token exists locally (see service-account)",
    ("terminationMessagePath",): "the kubelet's termination message: `devenv logs` shows the output",
    ("terminationMessagePolicy",): "the kubelet's termination message: `devenv logs` shows the output",
    ("readinessProbe", "successThreshold"): "a readiness check passes on its first success locally",
    ("restartPolicy",): "Always for long-running pods is Compose's restart policy; Jobs and Pods read it",
    ("dnsPolicy",): "ClusterFirst is how the sandbox resolves; other policies are reported",
    ("schedulerName",): "one host: no scheduler",
    ("securityContext", "runAsNonRoot"): "a check of the image's user, which the engine runs as given",
}
EXEMPT_SERVICE: dict[tuple[str, ...], str] = {
    ("spec", "ports", "[]", "name"): "port names label ports; clients dial numbers (SRV records are not served)",
    ("spec", "ports", "[]", "appProtocol"): "a hint for proxies and meshes, which are not reproduced",
    ("spec", "ports", "[]", "protocol"): "read where a port forward needs it",
    ("spec", "clusterIP"): "`None` is read (headless); a fixed address is replaced by the DNS names",
    ("spec", "clusterIPs"): "addresses are replaced by the DNS names",
    ("spec", "ipFamilies"): "addresses are replaced by the DNS names",
    ("spec", "ipFamilyPolicy"): "addresses are replaced by the DNS names",
    ("spec", "internalTrafficPolicy"): "one endpoint per Service locally",
    ("spec", "externalTrafficPolicy"): "one endpoint per Service locally",
    ("spec", "publishNotReadyAddresses"): "Docker's DNS answers for a container whatever its readiness, which is "
                                          "what this asks for",
    ("spec", "ports", "[]", "nodePort"): "node ports are reported with the Service type (service-type)",
}
POD_ROOTS = {k.name: (*k.template, "spec") if k.template else ("spec",) for k in kinds.REGISTRY.values()
             if k.treatment == "workload"}


def _exempt(manifest: Manifest, leaf: tuple[str, ...]) -> bool:
    if any(leaf[:len(p)] == p for p in EXEMPT):
        return True
    if manifest.kind == "Service" and any(leaf[:len(p)] == p for p in EXEMPT_SERVICE):
        return True
    root = POD_ROOTS.get(manifest.kind)
    if root and leaf[:len(root)] == root:
        rest = leaf[len(root):]
        for group in ("containers", "initContainers", "ephemeralContainers"):
            if rest[:2] == (group, "[]"):
                rest = rest[2:]
        return any(rest[:len(p)] == p for p in EXEMPT_POD)
    return False


def _load(app: str, tmp_path: Path) -> list[Manifest]:
    if "helm" in APPS[app] and shutil.which("helm") is None:
        pytest.importorskip("helm_python")
    (tmp_path / "devenv.toml").write_text(f"[envs.{app}]\n{APPS[app]}\n")
    config = load_config(tmp_path / "devenv.toml")
    return load_environment(config, config.env(app)).manifests


def silent_fields(manifests: list[Manifest], tmp_path: Path) -> Counter[str]:
    """`Kind field.path` of every field nothing read and no delta named, with how many objects have it."""
    seen = Seen()
    wrapped = [Manifest(track(m.body, (str(i),), seen), m.origin, m.default_namespace)
               for i, m in enumerate(manifests)]
    config = load_config(tmp_path / "devenv.toml")
    output = translate(wrapped, options_for(config, tmp_path / "compose"), LocalSecrets(None))
    reported: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    whole: set[str] = set()
    for delta in output.deltas:
        reported[str(delta.object)].add(field_path(delta.field))
        entry = kinds.of(delta.object.kind)
        if entry is not None and entry.treatment == "not-reproduced" or delta.code in ("custom-resource",
                                                                                         "unknown-kind"):
            whole.add(str(delta.object))  # the whole object does not run locally, and says so
    found: Counter[str] = Counter()
    for index, manifest in enumerate(manifests):
        obj = str(manifest.ref)
        if obj in whole:
            continue
        for leaf in leaves(manifest.body):
            if seen.covers((str(index), *leaf)) or _exempt(manifest, leaf):
                continue
            if any(leaf[:len(r)] == r for r in reported[obj]):
                continue
            found[f"{manifest.kind} {'.'.join(leaf)}"] += 1
    return found


@pytest.mark.parametrize("app", sorted(APPS))
def test_every_field_is_read_or_reported(app: str, tmp_path: Path) -> None:
    silent = silent_fields(_load(app, tmp_path), tmp_path)
    assert sorted(silent) == [], "fields dropped without a delta (handle, report, or add to EXEMPT with why)"
