"""The translation entry point: manifests in, a Compose project plus deltas out (pure, no I/O)."""

from __future__ import annotations

from devenv.k8s.manifest import Manifest
from devenv.model import labels as names
from devenv.model.output import Output
from devenv.translate.context import Context, Index, Options
from devenv.translate.externals import mock_services
from devenv.translate.gateway import add_gateway
from devenv.translate.naming import check_object_names
from devenv.translate.network import CLUSTER_NETWORK, namespace_network, plan_network
from devenv.translate.ordering import order
from devenv.translate.pods import translate_pod
from devenv.translate.policies import object_deltas
from devenv.translate.secrets_store import LocalSecrets
from devenv.translate.workloads import pod_units


def translate(manifests: list[Manifest], options: Options, secrets: LocalSecrets) -> Output:
    ctx = Context(Index(manifests), options, secrets)
    check_object_names(ctx, manifests)
    units = pod_units(ctx)
    backends = plan_network(ctx, units)
    ready = {unit.base: translate_pod(ctx, unit) for unit in units}
    order(ctx, units, backends, ready)
    by_base = {unit.base: unit for unit in units}
    for service in ctx.out.services.values():
        labels = service["labels"]
        unit = by_base[labels[names.POD]]
        if unit.depends and labels[names.ROLE] != names.ROLE_SANDBOX:
            service["depends_on"] = {**unit.depends, **service.get("depends_on", {})}
    for manifest in manifests:
        object_deltas(ctx, manifest)
    ctx.out.services.update(mock_services(ctx, [CLUSTER_NETWORK, *(namespace_network(n) for n in
                                                                   sorted({u.namespace for u in units}))]))
    if options.gateway_image:
        add_gateway(ctx, options.gateway_image)
    for volume in ctx.out.volumes.values():
        volume["labels"] = {**volume.get("labels", {}), **names.STACK_LABELS}
    ctx.out.networks[CLUSTER_NETWORK] = {"labels": {names.NETWORK: "cluster", **names.STACK_LABELS}}
    for namespace in sorted({unit.namespace for unit in units}):
        ctx.out.networks[namespace_network(namespace)] = {"labels": {names.NAMESPACE: namespace, **names.STACK_LABELS}}
    return ctx.out
