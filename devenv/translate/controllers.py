"""What a workload's controller gives each pod it creates: the pod's name and the labels it adds.

Kubernetes selects pods by these labels too: a per-pod Service of a StatefulSet (Redis HA's
`...-announce-0`) selects `statefulset.kubernetes.io/pod-name`, tools select `job-name` or
`pod-template-hash`, and the downward API shows them. Hashes and uids are derived from the object, so a
render is deterministic; they have the shapes the controllers give them.
"""

from __future__ import annotations

import hashlib
import uuid

from devenv.k8s.manifest import Manifest

ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # the kubelet's random-suffix alphabet (no vowels)
JOB_COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"


def suffix(manifest: Manifest, length: int, salt: str = "") -> str:
    """A stable suffix in the controllers' alphabet, derived from the object."""
    digest = hashlib.sha256(f"{salt}{manifest.kind}/{manifest.namespace}/{manifest.name}".encode()).digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:length])


def template_hash(manifest: Manifest) -> str:
    """The `pod-template-hash` of a Deployment's ReplicaSet (also a DaemonSet's revision hash)."""
    return suffix(manifest, 10, "rs")


def cronjob_job_name(manifest: Manifest) -> str:
    """The name of the Job a CronJob creates: NAME-<scheduled time in minutes>."""
    minutes = 28_000_000 + int.from_bytes(hashlib.sha256(f"cron/{manifest.namespace}/{manifest.name}".encode())
                                          .digest()[:4], "big") % 1_000_000
    return f"{manifest.name}-{minutes}"


def object_uid(kind: str, namespace: str, name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"devenv:{kind}/{namespace}/{name}"))


def pod_name(manifest: Manifest) -> str:
    """The pod's name as the controller would generate it (hostname, `metadata.name` of the downward API).

    Never a bare workload name: Docker's DNS resolves hostnames, and a pod named like a Service would
    answer for that Service in every namespace.
    """
    name = manifest.name
    if manifest.kind == "StatefulSet":
        return f"{name}-0"
    if manifest.kind == "Pod":
        return name
    if manifest.kind in ("Job", "DaemonSet"):
        index = "-0" if _indexed(manifest) else ""  # an Indexed Job's pods: NAME-INDEX-xxxxx
        return f"{name}{index}-{suffix(manifest, 5)}"
    if manifest.kind == "CronJob":
        index = "-0" if _indexed(manifest) else ""
        return f"{cronjob_job_name(manifest)}{index}-{suffix(manifest, 5)}"
    return f"{name}-{template_hash(manifest)}-{suffix(manifest, 5)}"


def controller_labels(manifest: Manifest, pod: str) -> dict[str, str]:
    """The labels the controller adds to the pod template's own (they win over a template label of the same key)."""
    kind, name = manifest.kind, manifest.name
    if kind == "Deployment":
        return {"pod-template-hash": template_hash(manifest)}
    if kind == "StatefulSet":
        return {"controller-revision-hash": f"{name}-{template_hash(manifest)}",
                "statefulset.kubernetes.io/pod-name": pod, "apps.kubernetes.io/pod-index": "0"}
    if kind == "DaemonSet":
        return {"controller-revision-hash": template_hash(manifest), "pod-template-generation": "1"}
    if kind in ("Job", "CronJob"):
        spec = _job_spec(manifest)
        if spec.get("manualSelector"):
            return {}
        job = name if kind == "Job" else cronjob_job_name(manifest)
        uid = object_uid("Job", manifest.namespace, job)
        labels = {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": job,
                  "controller-uid": uid, "job-name": job}
        if _indexed(manifest):
            labels[JOB_COMPLETION_INDEX] = "0"
        return labels
    return {}


def _job_spec(manifest: Manifest) -> dict[str, object]:
    if manifest.kind == "CronJob":
        return (manifest.spec.get("jobTemplate") or {}).get("spec") or {}
    return manifest.spec if manifest.kind == "Job" else {}


def _indexed(manifest: Manifest) -> bool:
    return _job_spec(manifest).get("completionMode") == "Indexed"


def controller_annotations(manifest: Manifest) -> dict[str, str]:
    """The annotations the controller adds: an Indexed Job's completion index (only index 0 runs locally)."""
    return {JOB_COMPLETION_INDEX: "0"} if _indexed(manifest) else {}


def controller_hostname(manifest: Manifest) -> str:
    """The hostname the controller sets, "" when the pod's own applies: an Indexed Job's pods are NAME-INDEX."""
    if not _indexed(manifest):
        return ""
    job = manifest.name if manifest.kind == "Job" else cronjob_job_name(manifest)
    return f"{job}-0"
