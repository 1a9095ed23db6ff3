"""Endpoints outside the cluster: flagged when a laptop would reach production's host, and replaced by a
local value (keeping the config key) when devenv.toml says so; a replacement can run a local container.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from devenv.k8s.manifest import ObjectRef
from devenv.model import labels as names
from devenv.translate.context import Context

URL_HOST_RE = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:[^@/\s:]+(?::[^@/\s]*)?@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,})(?::\d+)?")
LOCAL_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local", ".local", ".localhost", ".internal", ".example",
                  ".example.com", ".example.net", ".example.org", ".test", ".invalid")


def rewrite(ctx: Context, obj: ObjectRef, field: str, value: str) -> str:
    """`value` with every configured external endpoint replaced; each replacement is a delta, and every
    remaining production host outside the cluster is flagged."""
    for external in ctx.options.externals:
        if external.match in value:
            value = value.replace(external.match, external.replace)
            ctx.report("external-replaced", obj, field, prod=external.match, local=external.replace)
    for host in sorted(set(URL_HOST_RE.findall(value))):
        if _leaves_the_laptop(host):
            ctx.report("external-endpoint", obj, field, prod=host, local=host)
    return value


def _leaves_the_laptop(host: str) -> bool:
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES) or host.count(".") < 1:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return not _cluster_form(host)
    return address.is_global


def _cluster_form(host: str) -> bool:
    """`svc.ns` (one dot, no TLD-looking suffix) is a cluster name; `api.stripe.com` is not."""
    return host.count(".") == 1 and not re.search(r"\.(com|net|org|io|dev|app|cloud|co|ai|de|uk|eu)$", host)


def mock_services(ctx: Context, networks: list[str]) -> dict[str, dict[str, Any]]:
    """A local container for each external endpoint with an image, reachable by its name everywhere."""
    services = {}
    for external in ctx.options.externals:
        if not external.image:
            continue
        service: dict[str, Any] = {
            "image": external.image,
            "pull_policy": "missing",
            "networks": {network: {"aliases": sorted({external.name} | ctx.out.external_aliases.get(external.name, {})
                                                      .get(network, set()))} for network in networks},
            "restart": "unless-stopped",
            "labels": {names.ROLE: names.ROLE_EXTERNAL, names.POD: external.name,
                       names.OBJECT: f"External/{external.name}"},
        }
        if external.command:
            service["command"] = list(external.command)
        services[external.name] = service
    return services
