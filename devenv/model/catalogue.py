"""The one catalogue of delta codes: severity, category, reason and hint for each.

Translation code names a code and the object; the words live here, so every delta of a kind reads the
same and `docs/deltas.md` can be generated from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from devenv.model.delta import Delta
from devenv.model.refs import ObjectRef


@dataclass(frozen=True)
class Entry:
    severity: str
    category: str
    reason: str
    hint: str
    security: bool = False  # a host privilege: only `[local] allow` in devenv.toml accepts it (model/privileges.py)


S, B = "structural", "behavioral"
_GRANT = ('if you trust it, allow it by name under [local] in devenv.toml (allow = ["PRIVILEGE:NAMESPACE/WORKLOAD"]); '
          "annotations and [[accept]] rules cannot accept it")

CATALOGUE: dict[str, Entry] = {
    # workloads
    "replicas-reduced": Entry("info", B, "production runs several replicas; the local stack runs one",
                              "accept it, or test concurrency-sensitive code in staging"),
    "daemonset-single": Entry("info", B, "a DaemonSet runs once per node in production; locally it runs once",
                              "nothing to do unless the pods rely on node-local state"),
    "job-semantics": Entry("info", B, "Job retries, parallelism and deadlines are not reproduced; the Job runs once",
                           "make the Job idempotent; it runs on every `devenv up`"),
    "cronjob-not-scheduled": Entry("info", B, "CronJobs are not scheduled locally",
                                   "run it on demand with `devenv run NAME`"),
    "workload-paused": Entry("info", B, "the workload has zero replicas in production and is not started locally",
                             "scale it in the manifests if you need it"),
    # images
    "image-substituted": Entry("warning", S, "a mirror in devenv.toml changes the image's tag or digest: the local "
                               "container runs a different image than production",
                               "map the registry prefix only, keeping production's tag or digest"),
    "image-built-from-source": Entry("warning", S, "the image is built from the working tree instead of production's artifact",
                                     "expected while developing this service; CI should run production's image"),
    "image-mirrored": Entry("info", S, "the image is pulled through a mirror (same tag or digest)",
                            "the digest should match production's"),
    "image-not-pinned": Entry("info", S, "the image is referenced by a mutable tag, not a digest",
                              "pin images by digest so local and production run the same bytes"),
    # config
    "secret-value-local": Entry("info", S, "production secret values never leave production; local values are used",
                                "set local values under [secrets] in devenv.toml when a format matters"),
    "secret-missing": Entry("error", S, "a referenced Secret is not in the manifests; its keys get local values",
                            "add the Secret (or its ExternalSecret) to the manifests, or mark the reference optional"),
    "configmap-unused": Entry("info", S, "no container mounts or reads this ConfigMap locally: in the cluster a "
                              "controller or sidecar reads it through the API (dashboards, alert rules...)",
                              "nothing to do unless a local tool needs it; mount it in a pod to use it"),
    "configmap-missing": Entry("error", S, "a referenced ConfigMap is not in the manifests",
                               "add the ConfigMap to the manifests, or mark the reference optional"),
    "config-key-missing": Entry("error", S, "a referenced key is not in its ConfigMap or Secret",
                                "add the key, or mark the reference optional"),
    "env-field-approximated": Entry("info", S, "a downward-API value is approximated locally (no node, no pod IP)",
                                    "code that depends on the exact value should tolerate the local one"),
    "service-links": Entry("info", S, "the kubelet's service-link variables (SVC_SERVICE_HOST, SVC_PORT...)",
                           "set `service_links = true` under [local] to inject them (with DNS names for cluster IPs), "
                           "or enableServiceLinks: false in the pod spec if nothing reads them"),
    "external-endpoint": Entry("warning", B, "production reaches a host outside the cluster; a laptop would reach it too",
                               "replace it with a local container or mock under [external] in devenv.toml"),
    "external-replaced": Entry("info", S, "an external endpoint is replaced by a local one", "keeps the key, changes the value"),
    "external-name-service": Entry("warning", B, "an ExternalName Service points outside the cluster",
                                   "replace it under [external] in devenv.toml, or accept the delta"),
    # network
    "service-type": Entry("info", B, "NodePort and LoadBalancer exposure is not reproduced; the Service works inside the stack",
                          "publish the port under [publish] in devenv.toml to reach it from the host"),
    "service-unmatched": Entry("warning", S, "the Service selects no workload of the stack",
                               "check the selector labels"),
    "service-port-unresolved": Entry("error", S, "a Service targetPort names no container port",
                                     "fix the targetPort or name the container port"),
    "session-affinity": Entry("info", B, "session affinity is meaningless with one local replica", "nothing to do"),
    "ingress": Entry("info", B, "Ingress routing and TLS are not reproduced", "publish the backend Service's port under [publish]"),
    "network-policy": Entry("warning", B, "NetworkPolicy is not enforced locally: every container can reach every other",
                            "test policy in a real cluster"),
    # pod
    "start-order-cycle": Entry("info", B, "the waits derived from what each pod dials formed a cycle; this one is "
                               "dropped so the stack can start (Kubernetes starts pods in no order)",
                               "make the client retry until its dependency answers, as it must in a cluster"),
    "init-container-sidecar": Entry("info", B, "a native sidecar runs for the pod's whole life", "nothing to do"),
    "liveness-probe": Entry("info", B, "liveness probes are checked but do not restart the container locally",
                            "watch `devenv status` for unhealthy containers"),
    "probe-approximated": Entry("info", B, "the probe is approximated by a local health check", "see the field"),
    "lifecycle-hook": Entry("warning", B, "a lifecycle hook is not run locally", "move the work into the entrypoint if it matters"),
    "resources": Entry("info", B, "resource requests do not reserve capacity on a laptop; limits are applied", "nothing to do"),
    "resource-extended": Entry("warning", B, "an extended resource (a GPU or another device plugin's resource, "
                               "hugepages) is not given to the local container",
                               "run the workload where the device exists, or accept the delta if it falls back"),
    "resource-ephemeral-storage": Entry("info", B, "ephemeral-storage requests and limits are not enforced locally: "
                                        "no eviction when the container writes more", "nothing to do"),
    "mount-propagation": Entry("warning", B, "mount propagation is not reproduced: mounts made on one side are "
                               "not seen on the other", "use it only where a real node runs the pod"),
    "dns-policy": Entry("info", B, "the pod's DNS policy does not use cluster DNS in production, but the stack's "
                        "names resolve locally", "nothing to do unless the code relies on them not resolving"),
    "image-pull-secret": Entry("info", S, "image pull secrets are not used: the engine pulls with the developer's "
                               "own registry credentials", "run `docker login` for private registries"),
    "image-pull-secret-missing": Entry("warning", S, "an image pull secret names a Secret that is not in the "
                                       "manifests: production pulls fail if the registry needs it",
                                       "add the Secret (or its ExternalSecret) to the manifests"),
    "security-context": Entry("warning", B, "a securityContext setting has no Compose equivalent", "see the field"),
    "scheduling": Entry("info", B, "scheduling constraints (affinity, tolerations, node selectors, priority, spread) do not apply on one host",
                        "nothing to do"),
    "service-account": Entry("info", B, "ServiceAccount tokens and RBAC are not reproduced: no API server runs locally",
                             "code that calls the Kubernetes API needs a real cluster"),
    "mesh-sidecar": Entry("warning", B, "service-mesh sidecars and injection are not reproduced", "mTLS and retries differ locally"),
    # storage
    "storage-class": Entry("info", S, "storage class, size and access mode do not apply to a local named volume", "nothing to do"),
    "volume-size-limit": Entry("info", B, "emptyDir size limits are not enforced locally", "nothing to do"),
    "volume-unsupported": Entry("warning", S, "this volume type cannot be reproduced locally; an empty volume stands in",
                                "replace it with a ConfigMap, Secret or PVC for local use"),
    # host privileges (security): left out of compose.yaml unless granted by name under [local] allow
    "privileged": Entry("error", B, "a privileged container gets every device and capability of the host",
                        _GRANT, security=True),
    "capability": Entry("error", B, "a capability beyond Docker's default set is added", _GRANT, security=True),
    "host-pid": Entry("error", B, "hostPID shares the host's processes with the pod", _GRANT, security=True),
    "host-ipc": Entry("error", B, "hostIPC shares the host's shared memory and semaphores with the pod",
                      _GRANT, security=True),
    "host-network": Entry("error", B, "hostNetwork puts the pod on the host's network stack; granted, its Service "
                                      "names and port forwards do not work locally", _GRANT, security=True),
    "host-port": Entry("error", B, "a hostPort takes a fixed port of the host; granted, it binds 127.0.0.1 only",
                       _GRANT, security=True),
    "host-path": Entry("error", S, "a hostPath volume exposes a path (or device) of the machine running Docker; "
                                   "refused, an empty volume stands in", _GRANT, security=True),
    "seccomp-unconfined": Entry("error", B, "seccomp is disabled: the container may make every system call",
                                _GRANT, security=True),
    "apparmor-unconfined": Entry("error", B, "AppArmor confinement is disabled", _GRANT, security=True),
    "unsafe-sysctl": Entry("error", B, "a sysctl outside Kubernetes' safe set (which needs --allowed-unsafe-sysctls "
                                       "on the node)", _GRANT, security=True),
    "proc-unmasked": Entry("error", B, "procMount Unmasked shows /proc and /sys without their masked paths",
                           _GRANT, security=True),
    "allow-unused": Entry("warning", S, "a [local] allow entry in devenv.toml grants nothing the manifests ask for",
                          "delete the stale entry, or fix its namespace or workload"),
    # policy objects
    "autoscaling": Entry("info", B, "autoscaling does not happen locally: one replica runs", "load-test autoscaling in staging"),
    "disruption-budget": Entry("info", B, "PodDisruptionBudgets have no meaning on one host", "nothing to do"),
    "rbac": Entry("info", B, "RBAC objects are not reproduced: no API server runs locally", "nothing to do"),
    "resource-quota": Entry("info", B, "quotas and limit ranges are not enforced locally", "nothing to do"),
    "unknown-kind": Entry("warning", S, "this kind is not reproduced locally: nothing runs for it",
                          "if it matters, accept the delta with a reason or ask for support"),
    "custom-resource": Entry("warning", S, "a custom resource needs its operator, which does not run locally",
                             "run what the operator would create as plain manifests, or accept the delta"),
    "helm-test-hook": Entry("info", S, "a Helm test hook does not run on `devenv up` (`helm test` runs it in a release)",
                            "run it on demand with `devenv run NAME`"),
    "helm-hook": Entry("info", B, "a Helm hook runs at `devenv up` in Helm's order: pre-install hooks before the "
                       "release's workloads, post-install hooks after them, one at a time by weight",
                       "make the hook idempotent: every `devenv up` runs it, as an install would"),
    "helm-hook-on-demand": Entry("info", B, "the hook's events (upgrade, rollback, delete) never happen to a local "
                                 "stack: it does not run on `devenv up` or `devenv down`",
                                 "run it on demand with `devenv run NAME`"),
    # environment diff (`devenv diff A B`: prod is B's side, local is A's side)
    "diff-object": Entry("warning", S, "an object exists in one environment only",
                         "add it to the other environment, or accept the delta with a reason"),
    "diff-config-key": Entry("warning", S, "a config key (ConfigMap or Secret key, env variable, mounted file) exists in one environment only",
                             "add the key to the other environment before the release, or accept the delta"),
    "diff-config-value": Entry("info", S, "a config value differs between the environments (Secret values are never compared)",
                               "check the value is meant to differ"),
    "diff-image": Entry("warning", S, "the environments run different image references",
                        "promote the same image (by digest) from one environment to the next"),
    "diff-replicas": Entry("info", B, "the environments run different replica counts", "check the count is meant to differ"),
    "diff-resources": Entry("info", B, "resource requests or limits differ between the environments",
                            "check the sizing is meant to differ"),
    "diff-probe": Entry("warning", B, "a health probe differs between the environments",
                        "probes should match, or a rollout behaves differently than it was tested"),
    "diff-autoscaling": Entry("info", B, "autoscaling bounds or metrics differ between the environments",
                              "check the autoscaling is meant to differ"),
    "diff-policy": Entry("warning", B, "a NetworkPolicy or PodDisruptionBudget differs between the environments",
                         "policies should match, or traffic and rollouts behave differently than tested"),
    "diff-spec": Entry("info", S, "another field of the object differs between the environments",
                       "check the difference is meant"),
    # runtime verification (`devenv verify`: prod is what was rendered, local is what runs)
    "runtime-image": Entry("warning", S, "a running container's image is not the one the rendered project names",
                           "recreate the container with `devenv up`, or pull the pinned image"),
    "runtime-env": Entry("warning", S, "a running container's environment differs from the rendered one",
                         "the container was changed outside devenv: recreate it with `devenv up`"),
    "runtime-file": Entry("warning", S, "a mounted file's content differs from the rendered one",
                          "run `devenv render` (or `devenv up`) to restore it, and edit the manifests instead"),
    "runtime-state": Entry("error", B, "a container of the stack is missing, stopped or unhealthy",
                           "see `devenv status` and `devenv logs SERVICE`, then run `devenv up`"),
    # acceptance
    "acceptance-unused": Entry("warning", S, "an acceptance rule in devenv.toml matches no delta",
                               "delete the stale rule, or fix its selector"),
    "acceptance-expired": Entry("warning", S, "an acceptance rule has expired; the deltas it covered count again",
                                "renew it with a new expiry and reason, or fix the deltas"),
}


def delta(code: str, obj: ObjectRef, field: str = "", prod: str = "", local: str = "",
          reason: str = "", hint: str = "", severity: str = "") -> Delta:
    """A delta of catalogued `code`; `reason`/`hint` add detail to the catalogue's words."""
    entry = CATALOGUE[code]
    return Delta(
        code=code,
        severity=severity or entry.severity,
        category=entry.category,
        object=obj,
        field=field,
        prod=prod,
        local=local,
        reason=f"{entry.reason}: {reason}" if reason else entry.reason,
        hint=hint or entry.hint,
    )
