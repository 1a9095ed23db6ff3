"""Endpoints outside the cluster: flagged when a laptop would reach production's host, and replaced by a
local value (keeping the config key) when devenv.toml says so; a replacement can run a local container.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from devenv.k8s.manifest import ObjectRef
from devenv.model import labels as names
from devenv.translate.context import Context

URL_HOST_RE = re.compile(r"\b[a-z][a-z0-9+.-]*://(?:[^@/\s:]+(?::[^@/\s]*)?@)?([A-Za-z0-9.-]+\.[A-Za-z]{2,})(?::\d+)?")
LOCAL_SUFFIXES = (".svc", ".svc.cluster.local", ".cluster.local", ".local", ".localhost", ".internal", ".example",
                  ".example.com", ".example.net", ".example.org", ".test", ".invalid")


#: a config key naming where a program connects (`url`, `apiEndpoint`, `DATABASE_HOST`, `proxy_pass`...)
CONNECT_KEY_RE = re.compile(r"(url|uri|endpoint|host|server|addr|dsn|broker|connect|upstream|proxy|origin|remote|"
                            r"webhook|callback|issuer|jwks|base|target|collector|exporter|sink|dial)", re.IGNORECASE)
#: keys whose URLs are documentation or identifiers, never dialled (`$schema`, `description`, `homepage`...)
DATA_KEY_RE = re.compile(r"(schema|description|doc|homepage|href|link|license|icon|image|logo|namespace|xmlns|"
                         r"title|help|example)", re.IGNORECASE)
WHOLE_URL_RE = re.compile(r"[a-z][a-z0-9+.-]*://\S+")
KEY_BEFORE_RE = re.compile(r"([A-Za-z_$@][\w.$@-]*)[\"']?\s*[:=]?\s*[\"']?\s*$")


def rewrite(ctx: Context, obj: ObjectRef, field: str, value: str, in_file: bool = False) -> str:
    """`value` with every configured external endpoint replaced; each replacement is a delta, and every
    remaining production host outside the cluster that a program would dial is flagged: any URL in an
    env value or argument; in a config file, a URL that is a whole value or sits under a key naming a
    connection, outside comments and data keys (not a JSON
    `$schema`, a description or a dashboard link, and not a URL inside prose)."""
    for external in ctx.options.externals:
        if external.match in value:
            value = value.replace(external.match, external.replace)
            ctx.report("external-replaced", obj, field, prod=external.match, local=external.replace)
    hosts = _dialled_hosts(value) if in_file else set(URL_HOST_RE.findall(value))
    for host in sorted(hosts):
        if _leaves_the_laptop(host):
            ctx.report("external-endpoint", obj, field, prod=host, local=host)
    return value


def _dialled_hosts(text: str) -> set[str]:
    """Hosts a program would dial from a config file: JSON and YAML by their key paths (a URL under
    `links` or `$schema` is data), other formats line by line (`key = url`, nginx's `proxy_pass`)."""
    document = _structured(text)
    if document is None:
        return {m.group(1) for m in URL_HOST_RE.finditer(text) if _dialled(text, m.start())}
    found: set[str] = set()
    for keys, leaf in _leaves(document, ()):
        key = keys[-1] if keys else ""
        if any(DATA_KEY_RE.search(k) for k in keys):
            continue  # a link, a schema, a description: read by people, not dialled
        if CONNECT_KEY_RE.search(key) or WHOLE_URL_RE.fullmatch(leaf.strip()):
            found.update(URL_HOST_RE.findall(leaf))
    return found


def _structured(text: str) -> Any:
    """The file as JSON or YAML data when it is a mapping or a list, else None."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in "{[" and ":" not in stripped.split("\n", 1)[0]:
        return None
    try:
        document = json.loads(text) if stripped[0] in "{[" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        return None
    return document if isinstance(document, (dict, list)) else None


def _leaves(node: Any, keys: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*keys, str(key)))
    elif isinstance(node, list):
        for item in node:
            yield from _leaves(item, keys)
    elif isinstance(node, str):
        yield keys, node


def _dialled(text: str, start: int) -> bool:
    """Whether the URL at `start` of a config file sits under a key naming a connection."""
    line = text[text.rfind("\n", 0, start) + 1:start]
    if line.lstrip().startswith(("#", "//", ";", "--", "*")):
        return False  # a comment
    found = KEY_BEFORE_RE.search(line.rstrip())
    key = found.group(1) if found else ""
    return not DATA_KEY_RE.search(key)


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
