"""Services as the network: DNS aliases for every name a client can dial, and port forwards.

Each namespace has its own network where short names (`svc`) resolve; the shared `cluster` network
carries the qualified forms (`svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`), so a short name
resolves inside its own namespace only, as in Kubernetes. When a Service port differs from its
target port, the pod's sandbox forwards one to the other.
"""

from __future__ import annotations

from typing import Any

from devenv.k8s.manifest import Manifest
from devenv.translate.context import Context
from devenv.translate.probes import resolve_port
from devenv.translate.workloads import APP, JOB, PodUnit

CLUSTER_NETWORK = "cluster"
CLUSTER_DOMAIN = "cluster.local"


def namespace_network(namespace: str) -> str:
    return f"ns-{namespace}"


def dns_names(name: str, namespace: str) -> tuple[list[str], list[str]]:
    """(short names for the namespace network, qualified names for the cluster network)."""
    return [name], [f"{name}.{namespace}", f"{name}.{namespace}.svc", f"{name}.{namespace}.svc.{CLUSTER_DOMAIN}"]


def plan_network(ctx: Context, units: list[PodUnit]) -> dict[str, list[PodUnit]]:
    """Give each unit its aliases and forwards; returns the units behind each Service (ns/name)."""
    for unit in units:
        unit.aliases.setdefault(CLUSTER_NETWORK, set())
        unit.aliases.setdefault(namespace_network(unit.namespace), set())
        _pod_hostname_aliases(ctx, unit)
    by_label: dict[tuple[str, str, str], list[PodUnit]] = {}
    for unit in units:
        if unit.role in (APP, JOB):
            for key, value in unit.labels.items():
                by_label.setdefault((unit.namespace, key, value), []).append(unit)
    backends: dict[str, list[PodUnit]] = {}
    for service in ctx.index.of_kind("Service"):
        backends[f"{service.namespace}/{service.name}"] = selected = _plan_service(ctx, service, by_label)
        for unit in selected:
            unit.serves = unit.serves or unit.role == JOB
    return backends


def _pod_hostname_aliases(ctx: Context, unit: PodUnit) -> None:
    """A pod with a subdomain (a StatefulSet's pods: its serviceName) is reachable as
    hostname.subdomain.ns.svc.cluster.local (and shorter forms) when a headless Service of that name
    selects it, as cluster DNS answers only then."""
    subdomain = str((unit.manifest.spec.get("serviceName") if unit.manifest.kind == "StatefulSet"
                     else unit.spec.get("subdomain")) or "")
    service = ctx.index.get("Service", unit.namespace, subdomain) if subdomain else None
    if service is None or str(service.spec.get("clusterIP")) != "None":
        return
    selector = {str(k): str(v) for k, v in (service.spec.get("selector") or {}).items()}
    if not selector or not selector.items() <= unit.labels.items():
        return
    short, qualified = dns_names(f"{unit.hostname}.{subdomain}", unit.namespace)
    unit.aliases[namespace_network(unit.namespace)].update(short)
    unit.aliases[CLUSTER_NETWORK].update(qualified)


def _plan_service(ctx: Context, service: Manifest, by_label: dict[tuple[str, str, str], list[PodUnit]]) -> list[PodUnit]:
    spec, obj = service.spec, service.ref
    kind = spec.get("type", "ClusterIP")
    if kind == "ExternalName":
        _external_name(ctx, service)
        return []
    if kind in ("NodePort", "LoadBalancer"):
        ctx.report("service-type", obj, "spec.type", prod=kind, local="ClusterIP")
    if spec.get("sessionAffinity") == "ClientIP":
        ctx.report("session-affinity", obj, "spec.sessionAffinity", prod="ClientIP", local="one replica")
    selector = {str(k): str(v) for k, v in (spec.get("selector") or {}).items()}
    if not selector:
        return []
    selected = _selected(service.namespace, selector, by_label)
    if not selected:
        ctx.report("service-unmatched", obj, "spec.selector", prod=_labels(selector), local="no container")
        return []
    short, qualified = dns_names(service.name, service.namespace)
    for unit in selected:
        unit.aliases[namespace_network(unit.namespace)].update(short)
        unit.aliases[CLUSTER_NETWORK].update(qualified)
        for index, port in enumerate(spec.get("ports") or []):
            _plan_port(ctx, service, unit, port, index)
    return selected


def _selected(namespace: str, selector: dict[str, str],
              by_label: dict[tuple[str, str, str], list[PodUnit]]) -> list[PodUnit]:
    """Units of the namespace whose labels include the selector (smallest label bucket first).

    A Job's pod that declares no port is not an endpoint beside the apps a selector also matches (a
    migration labelled like its application): it would answer nothing, and it is not a server.
    """
    buckets = sorted((by_label.get((namespace, k, v), []) for k, v in selector.items()), key=len)
    found = [u for u in buckets[0] if selector.items() <= u.labels.items()]
    if any(u.role == APP for u in found):
        found = [u for u in found if u.role == APP or _declares_ports(u)]
    return found


def _declares_ports(unit: PodUnit) -> bool:
    return any(c.get("ports") for c in unit.spec.get("containers") or [])


def _plan_port(ctx: Context, service: Manifest, unit: PodUnit, port: dict[str, Any], index: int) -> None:
    number = int(port.get("port", 0))
    target = port.get("targetPort")
    if target in (None, 0, "", "0"):  # Kubernetes defaults an absent (or zero) targetPort to the port
        target = number
    containers = unit.spec.get("containers") or []
    resolved = None
    for container in containers:
        resolved = resolve_port(container, target)
        if resolved is not None and (isinstance(target, int) or str(target).isdigit() or _declares(container, target)):
            break
        resolved = None
    if resolved is None:
        if isinstance(target, int) or str(target).isdigit():
            resolved = int(target)
        else:
            ctx.report("service-port-unresolved", service.ref, f"spec.ports[{index}].targetPort", prod=str(target),
                       local="unreachable")
            return
    if str(port.get("protocol", "TCP")).upper() != "TCP":
        if resolved != number:
            ctx.report("service-port-unresolved", service.ref, f"spec.ports[{index}].protocol",
                       prod=f"{port.get('protocol')} {number}->{resolved}", local=f"{resolved} only",
                       reason="only TCP ports are forwarded")
        return
    ctx.out.endpoints.setdefault(f"{service.namespace}/{service.name}:{number}", []).append((unit.base, resolved))
    if resolved != number:
        previous = unit.forwards.get(number)
        if previous is not None and previous != resolved:
            ctx.report("service-port-unresolved", service.ref, f"spec.ports[{index}]", prod=f"{number}->{resolved}",
                       local=f"{number}->{previous}", reason="two Services map one port of the pod differently")
            return
        unit.forwards[number] = resolved
    if number in ctx.options.publish.get(service.name, ()) or number in ctx.options.publish.get(
            f"{service.namespace}/{service.name}", ()):
        unit.publish.add(resolved)


def _declares(container: dict[str, Any], name: Any) -> bool:
    return any(p.get("name") == name for p in container.get("ports") or [])


def _external_name(ctx: Context, service: Manifest) -> None:
    target = str(service.spec.get("externalName", ""))
    for external in ctx.options.externals:
        if external.match in (service.name, target):
            ctx.report("external-replaced", service.ref, "spec.externalName", prod=target, local=external.replace)
            if external.image:  # clients dial the Service's names: they reach the local container
                short, qualified = dns_names(service.name, service.namespace)
                aliases = ctx.out.external_aliases.setdefault(external.name, {})
                aliases.setdefault(namespace_network(service.namespace), set()).update(short)
                aliases.setdefault(CLUSTER_NETWORK, set()).update(qualified)
            return
    ctx.report("external-name-service", service.ref, "spec.externalName", prod=target, local="unresolvable")


def _labels(labels: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
