"""Container runtime settings: resources, securityContext, lifecycle, grace period, working dir, tty.

Each setting is one small function from the Kubernetes field to Compose keys (and deltas where there
is no equivalent), registered in CONTAINER_FIELDS.
"""

from __future__ import annotations

from typing import Any, Callable

from devenv.errors import InputError
from devenv.k8s.manifest import ObjectRef
from devenv.translate.context import Context
from devenv.translate.quantities import cpu_cores, memory_bytes

Fields = dict[str, Any]


def _quantity(parse: Callable[[str], Any], value: Any, obj: ObjectRef, where: str) -> Any:
    try:
        return parse(str(value))
    except ValueError:
        raise InputError(f"{obj}: {where} is not a Kubernetes quantity: {value!r}",
                         hint="use forms like 500m, 1, 64Mi, 1Gi") from None


def resources(ctx: Context, obj: ObjectRef, pod: Fields, container: Fields, field: str) -> Fields:
    spec = container.get("resources") or {}
    result: Fields = {}
    for section, key in (("limits", "limits"), ("requests", "reservations")):
        values = spec.get(section) or {}
        entry: Fields = {}
        if values.get("cpu") is not None:
            entry["cpus"] = round(_quantity(cpu_cores, values["cpu"], obj, f"{field}.resources.{section}.cpu"), 3)
        if values.get("memory") is not None:
            entry["memory"] = str(_quantity(memory_bytes, values["memory"], obj, f"{field}.resources.{section}.memory"))
        if entry:
            result[key] = entry
    requests = {k: v for k, v in (spec.get("requests") or {}).items() if k in ("cpu", "memory")}
    if requests:
        ctx.report("resources", obj, f"{field}.resources.requests",
                   prod=", ".join(f"{k}={v}" for k, v in sorted(requests.items())), local="reservation only")
    _unreproduced_resources(ctx, obj, spec, field)
    return {"deploy": {"resources": result}} if result else {}


def _unreproduced_resources(ctx: Context, obj: ObjectRef, spec: Fields, field: str) -> None:
    """Resources other than cpu and memory (ephemeral-storage, GPUs and other extended resources, hugepages)
    have no Compose equivalent here: one delta each, never a claim that they are reserved."""
    seen: dict[str, list[str]] = {}
    for section in ("limits", "requests"):
        for name, value in sorted((spec.get(section) or {}).items()):
            if name not in ("cpu", "memory"):
                seen.setdefault(str(name), []).append(f"{section}={value}")
    for name, values in sorted(seen.items()):
        code = "resource-ephemeral-storage" if name == "ephemeral-storage" else "resource-extended"
        section = values[0].split("=", 1)[0]
        ctx.report(code, obj, f"{field}.resources.{section}.{name}", prod=f"{name}: {', '.join(values)}",
                   local="not enforced" if code == "resource-ephemeral-storage" else "no device")


def security(ctx: Context, obj: ObjectRef, pod: Fields, container: Fields, field: str) -> Fields:
    pod_context = {k: v for k, v in (pod.get("securityContext") or {}).items() if v is not None}  # null: unset
    context = {**{k: v for k, v in pod_context.items() if k in ("runAsUser", "runAsGroup", "runAsNonRoot",
                                                                  "seLinuxOptions")},
               **{k: v for k, v in (container.get("securityContext") or {}).items() if v is not None}}
    where = f"{field}.securityContext"
    result: Fields = {}
    if "runAsUser" in context:
        user = str(context["runAsUser"])
        result["user"] = f"{user}:{context['runAsGroup']}" if "runAsGroup" in context else user
    elif "runAsGroup" in context:
        ctx.report("security-context", obj, f"{where}.runAsGroup", prod=str(context["runAsGroup"]), local="image default",
                   reason="a group without a user cannot be set in Compose")
    groups = [str(g) for g in pod_context.get("supplementalGroups") or []]
    if "fsGroup" in pod_context:
        groups.append(str(pod_context["fsGroup"]))
    if groups:
        result["group_add"] = groups
    if context.get("readOnlyRootFilesystem"):
        result["read_only"] = True
    # privileged, capabilities.add, seccomp, AppArmor and procMount are host privileges: translate/privileges.py
    capabilities = context.get("capabilities") or {}
    if capabilities.get("drop"):
        result["cap_drop"] = [str(c) for c in capabilities["drop"]]
    if context.get("allowPrivilegeEscalation") is False:
        result["security_opt"] = ["no-new-privileges:true"]
    if context.get("runAsNonRoot") and "runAsUser" not in context:
        ctx.report("security-context", obj, f"{where}.runAsNonRoot", prod="enforced", local="not verified",
                   reason="the engine does not refuse an image whose user is root")
    for unsupported in ("seLinuxOptions", "windowsOptions"):
        if unsupported in context:
            ctx.report("security-context", obj, f"{where}.{unsupported}", prod="set", local="engine default")
    return result


def lifecycle(ctx: Context, obj: ObjectRef, pod: Fields, container: Fields, field: str) -> Fields:
    for hook in sorted((container.get("lifecycle") or {})):
        ctx.report("lifecycle-hook", obj, f"{field}.lifecycle.{hook}", prod=hook, local="not run")
    return {}


def grace_period(ctx: Context, obj: ObjectRef, pod: Fields, container: Fields, field: str) -> Fields:
    seconds = pod.get("terminationGracePeriodSeconds")
    return {"stop_grace_period": f"{int(seconds)}s"} if seconds is not None else {}


def working_dir(ctx: Context, obj: ObjectRef, pod: Fields, container: Fields, field: str) -> Fields:
    return {"working_dir": str(container["workingDir"])} if container.get("workingDir") else {}


def terminal(ctx: Context, obj: ObjectRef, pod: Fields, container: Fields, field: str) -> Fields:
    result: Fields = {}
    if container.get("tty"):
        result["tty"] = True
    if container.get("stdin"):
        result["stdin_open"] = True
    return result


def pull_policy(ctx: Context, obj: ObjectRef, pod: Fields, container: Fields, field: str) -> Fields:
    """`Always` pulls on every start (also the API server's default for `:latest` and untagged images, so a
    stale local `:latest` never runs); `Never` never pulls; `IfNotPresent` pulls when missing."""
    policy = container.get("imagePullPolicy") or default_pull_policy(str(container.get("image", "")))
    return {"pull_policy": {"Always": "always", "Never": "never"}.get(str(policy), "missing")}


def default_pull_policy(image: str) -> str:
    """The API server's default imagePullPolicy: Always for `:latest` or no tag (and no digest)."""
    if "@" in image:
        return "IfNotPresent"
    name = image.rsplit("/", 1)[-1]
    return "Always" if ":" not in name or name.endswith(":latest") else "IfNotPresent"


def dns_fields(pod: Fields) -> Fields:
    """A pod's dnsConfig as the sandbox's DNS settings (the containers share its network namespace):
    nameservers become the upstreams of Docker's embedded DNS, which keeps resolving the stack's names."""
    config = pod.get("dnsConfig") or {}
    result: Fields = {}
    if config.get("nameservers"):
        result["dns"] = [str(n) for n in config["nameservers"]]
    if config.get("searches"):
        result["dns_search"] = [str(n) for n in config["searches"]]
    options = [str(o.get("name")) + (f":{o['value']}" if o.get("value") is not None else "")
               for o in config.get("options") or [] if o.get("name")]
    if options:
        result["dns_opt"] = options
    return result


CONTAINER_FIELDS: tuple[Callable[[Context, ObjectRef, Fields, Fields, str], Fields], ...] = (
    resources, security, lifecycle, grace_period, working_dir, terminal, pull_policy,
)


def runtime_fields(ctx: Context, obj: ObjectRef, pod: Fields, container: Fields, field: str) -> Fields:
    result: Fields = {}
    for translate in CONTAINER_FIELDS:
        result.update(translate(ctx, obj, pod, container, field))
    return result
