"""What the API server checks beyond the JSON schema, where it matters to devenv: names (RFC 1123),
unique container and volume names, images, ports, probe handlers, enums, keys, capabilities, quantities.

Each rule follows Kubernetes' own validation (pkg/apis/core/validation), so a manifest production
accepts passes; each finding names the field path, what was expected, and a hint. The schema has
already checked every type, so the rules read values without defending against the wrong shape,
except where the schema allows null.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from devenv.k8s import kinds

Path = tuple[str | int, ...]

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
IANA_SVC_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?")
QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")
CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")
CAPABILITY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
QUANTITY = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?")

#: kinds whose names Kubernetes requires to be DNS-1123 subdomains (others: any path segment)
SUBDOMAIN_NAMED = frozenset({*kinds.WORKLOAD_KINDS, "ConfigMap", "Secret", "PersistentVolumeClaim",
                             "ServiceAccount", "Ingress", "NetworkPolicy", "HorizontalPodAutoscaler",
                             "PodDisruptionBudget", "PersistentVolume", "StorageClass"})
LABEL_NAMED = {"Namespace": (DNS1123_LABEL, "a DNS-1123 label"), "Service": (DNS1035_LABEL, "a DNS-1035 label")}
PROBES = ("readinessProbe", "livenessProbe", "startupProbe")
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
ENUMS = {"imagePullPolicy": ("Always", "IfNotPresent", "Never"), "protocol": ("TCP", "UDP", "SCTP")}


@dataclass(frozen=True)
class Finding:
    """One rule broken: the field, what is wrong with it, and what to do."""

    path: Path
    problem: str
    hint: str


def findings(body: dict[str, Any]) -> Iterator[Finding]:
    """Every rule an object breaks (its schema has already passed it)."""
    kind = str(body.get("kind"))
    yield from _metadata(kind, body.get("metadata") or {}, ("metadata",))
    spec = body.get("spec") or {}
    entry = kinds.of(kind)
    if entry is not None and entry.treatment == "workload":
        template_path: Path = tuple(entry.template)
        template: dict[str, Any] = kinds.pod_template(kind, body)
        if template_path:
            yield from _labels((template.get("metadata") or {}).get("labels"), (*template_path, "metadata", "labels"))
        yield from _replicas(spec)
        claims = [(claim.get("metadata") or {}).get("name") for claim in
                  (spec.get("volumeClaimTemplates") or [] if kind == "StatefulSet" else [])]
        for index, name in enumerate(claims):
            where: Path = ("spec", "volumeClaimTemplates", index, "metadata", "name")
            yield from _name(name, where, DNS1123_SUBDOMAIN, "a DNS-1123 subdomain", required=True)
        yield from _pod(template.get("spec") or {}, (*template_path, "spec"), {str(name) for name in claims})
    elif kind == "Service":
        yield from _service(spec)
    elif kind in ("ConfigMap", "Secret"):
        yield from _data_keys(body)
    elif kind == "SealedSecret":
        yield from _keys(spec.get("encryptedData"), ("spec", "encryptedData"))
    elif kind == "ExternalSecret":
        yield from _keys(((spec.get("target") or {}).get("template") or {}).get("data"),
                         ("spec", "target", "template", "data"))
        for index, item in enumerate(spec.get("data") or []):
            if item.get("secretKey") is not None:
                yield from _keys({item["secretKey"]: None}, ("spec", "data", index, "secretKey"), named=False)


def _metadata(kind: str, metadata: dict[str, Any], at: Path) -> Iterator[Finding]:
    name = metadata.get("name")
    if kind in LABEL_NAMED:
        yield from _name(name, (*at, "name"), *LABEL_NAMED[kind])
    elif kind in SUBDOMAIN_NAMED:
        yield from _name(name, (*at, "name"), DNS1123_SUBDOMAIN, "a DNS-1123 subdomain")
    elif isinstance(name, str) and (name in (".", "..") or "/" in name or "%" in name):
        yield Finding((*at, "name"), f"'{name}' cannot be an object name", "a name may not be '.' or '..' nor "
                      "contain '/' or '%'")
    yield from _name(metadata.get("namespace"), (*at, "namespace"), DNS1123_LABEL, "a DNS-1123 label")
    yield from _labels(metadata.get("labels"), (*at, "labels"))
    for key in metadata.get("annotations") or {}:
        yield from _qualified(key, (*at, "annotations", key))


def _name(value: Any, at: Path, pattern: re.Pattern[str], what: str, required: bool = False) -> Iterator[Finding]:
    if value is None or value == "":
        if required:
            yield Finding(at, "is required", f"give it a name: {what}")
        return
    limit = 253 if pattern is DNS1123_SUBDOMAIN else 63
    if not pattern.fullmatch(value) or len(value) > limit:
        yield Finding(at, f"'{value}' is not {what}",
                      f"use at most {limit} lower-case letters, digits and '-'"
                      + (" or '.'" if pattern is DNS1123_SUBDOMAIN else "")
                      + (", starting with a letter" if pattern is DNS1035_LABEL else ", starting and ending with "
                         "a letter or digit") + " (Kubernetes rejects this name)")


def _qualified(key: str, at: Path) -> Iterator[Finding]:
    prefix, _, name = key.rpartition("/")
    if (prefix and (not DNS1123_SUBDOMAIN.fullmatch(prefix) or len(prefix) > 253)) or \
            not QUALIFIED_NAME.fullmatch(name) or len(name) > 63:
        yield Finding(at, f"'{key}' is not a valid key", "keys are [prefix/]name: name at most 63 letters, digits, "
                      "'-', '_' or '.', starting and ending with a letter or digit; prefix a DNS subdomain")


def _labels(labels: Any, at: Path) -> Iterator[Finding]:
    for key, value in (labels or {}).items():
        yield from _qualified(key, (*at, key))
        if value is not None and (not LABEL_VALUE.fullmatch(value) or len(value) > 63):
            yield Finding((*at, key), f"'{value}' is not a valid label value",
                          "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")


def _replicas(spec: dict[str, Any]) -> Iterator[Finding]:
    replicas = spec.get("replicas")
    if isinstance(replicas, int) and replicas < 0:
        yield Finding(("spec", "replicas"), f"is {replicas}", "replicas must be 0 or more")


def _pod(spec: dict[str, Any], at: Path, claims: set[str]) -> Iterator[Finding]:
    if not spec.get("containers"):
        yield Finding((*at, "containers"), "is empty", "a pod needs at least one container with a name and an image")
    volumes: set[str] = set()
    for index, volume in enumerate(spec.get("volumes") or []):
        where: Path = (*at, "volumes", index)
        name = volume.get("name")
        yield from _name(name, (*where, "name"), DNS1123_LABEL, "a DNS-1123 label", required=True)
        if name in volumes:
            yield Finding((*where, "name"), f"'{name}' is the name of another volume", "give every volume its own name")
        volumes.add(name)
        sources = [k for k, v in volume.items() if k != "name" and v is not None]
        if len(sources) > 1:
            yield Finding(where, f"has {len(sources)} sources ({', '.join(sorted(sources))})",
                          "a volume has exactly one source (configMap, secret, emptyDir, persistentVolumeClaim...)")
    names: set[str] = set()
    for group in ("initContainers", "containers", "ephemeralContainers"):
        for index, container in enumerate(spec.get(group) or []):
            yield from _container(container, (*at, group, index), group, names, volumes | claims)
    policy = spec.get("restartPolicy")
    if policy is not None and policy not in ("Always", "OnFailure", "Never"):
        yield Finding((*at, "restartPolicy"), f"is '{policy}'", "use Always, OnFailure or Never")
    for index, alias in enumerate(spec.get("hostAliases") or []):
        yield from _ip(alias.get("ip"), (*at, "hostAliases", index, "ip"))


def _container(container: dict[str, Any], at: Path, group: str, names: set[str], volumes: set[str]) -> Iterator[Finding]:
    name = container["name"]
    yield from _name(name, (*at, "name"), DNS1123_LABEL, "a DNS-1123 label", required=True)
    if name in names:
        yield Finding((*at, "name"), f"'{name}' is the name of another container of this pod",
                      "every container and init container of a pod needs its own name")
    names.add(name)
    if group != "ephemeralContainers" and not container.get("image"):
        yield Finding((*at, "image"), "is required", "name the image the container runs, e.g. image: nginx:1.27")
    for key, allowed in ENUMS.items():
        if key in container and container[key] is not None and container[key] not in allowed:
            yield Finding((*at, key), f"is '{container[key]}'", f"use one of {', '.join(allowed)}")
    policy = container.get("restartPolicy")
    if policy is not None and (group != "initContainers" or policy != "Always"):
        yield Finding((*at, "restartPolicy"), f"is '{policy}'", "only an init container may set it, to Always "
                      "(a sidecar)")
    for index, port in enumerate(container.get("ports") or []):
        where: Path = (*at, "ports", index)
        yield from _port(port.get("containerPort"), (*where, "containerPort"))
        if port.get("hostPort"):
            yield from _port(port["hostPort"], (*where, "hostPort"))
        if port.get("name") is not None and not IANA_SVC_NAME.fullmatch(port["name"]) or \
                port.get("name") is not None and not re.search("[a-z]", port["name"]):
            yield Finding((*where, "name"), f"'{port['name']}' is not a port name",
                          "at most 15 lower-case letters, digits and '-', with at least one letter")
        yield from _enum(port, "protocol", where)
    for index, env in enumerate(container.get("env") or []):
        env_name = env["name"]
        if not env_name or "=" in env_name or not env_name.isascii() or not env_name.isprintable():
            yield Finding((*at, "env", index, "name"), f"'{env_name}' is not an environment variable name",
                          "use printable ASCII characters other than '='")
    paths: set[str] = set()
    for index, mount in enumerate(container.get("volumeMounts") or []):
        where = (*at, "volumeMounts", index)
        if mount["name"] not in volumes:
            yield Finding((*where, "name"), f"names '{mount['name']}', which is not a volume of this pod",
                          "add it under the pod's volumes, or fix the name")
        if mount["mountPath"] in paths:
            yield Finding((*where, "mountPath"), f"'{mount['mountPath']}' is mounted twice", "mount each path once")
        paths.add(mount["mountPath"])
    for probe in PROBES:
        if container.get(probe) is not None:
            yield from _probe(container[probe], (*at, probe))
    capabilities = (container.get("securityContext") or {}).get("capabilities") or {}
    for key in ("add", "drop"):
        for index, capability in enumerate(capabilities.get(key) or []):
            if capability is None or not CAPABILITY.fullmatch(capability):
                yield Finding((*at, "securityContext", "capabilities", key, index), f"'{capability}' is not a "
                              "capability name", "use names like NET_ADMIN or CAP_NET_ADMIN")
    resources = container.get("resources") or {}
    for section in ("limits", "requests"):
        for resource, value in (resources.get(section) or {}).items():
            yield from _quantity(value, (*at, "resources", section, resource))


def _probe(probe: dict[str, Any], at: Path) -> Iterator[Finding]:
    handlers = [h for h in HANDLERS if probe.get(h) is not None]
    if len(handlers) != 1:
        yield Finding(at, f"has {len(handlers)} handlers" + (f" ({', '.join(handlers)})" if handlers else ""),
                      "a probe has exactly one of exec, httpGet, tcpSocket, grpc")
        return
    handler = probe[handlers[0]]
    if handlers[0] in ("httpGet", "tcpSocket"):
        yield from _target_port(handler.get("port"), (*at, handlers[0], "port"), zero=False)
    elif handlers[0] == "grpc":
        yield from _port(handler.get("port"), (*at, "grpc", "port"))
    for key in ("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold"):
        value = probe.get(key)
        if isinstance(value, int) and value < 0:
            yield Finding((*at, key), f"is {value}", "use 0 or more (0 means the default)")


def _service(spec: dict[str, Any]) -> Iterator[Finding]:
    ports = spec.get("ports") or []
    names: set[str] = set()
    for index, port in enumerate(ports):
        where: Path = ("spec", "ports", index)
        yield from _port(port.get("port"), (*where, "port"))
        yield from _target_port(port.get("targetPort"), (*where, "targetPort"), zero=True)
        if port.get("nodePort"):
            yield from _port(port["nodePort"], (*where, "nodePort"))
        yield from _enum(port, "protocol", where)
        name = port.get("name")
        if len(ports) > 1 and not name:
            yield Finding((*where, "name"), "is required when a Service has several ports", "name every port")
        if name:
            yield from _name(name, (*where, "name"), DNS1123_LABEL, "a DNS-1123 label")
            if name in names:
                yield Finding((*where, "name"), f"'{name}' names another port", "give every port its own name")
            names.add(name)
    kind = spec.get("type")
    if kind is not None and kind not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        yield Finding(("spec", "type"), f"is '{kind}'", "use ClusterIP, NodePort, LoadBalancer or ExternalName")
    if kind == "ExternalName":  # a fully qualified name may end with a dot
        yield from _name((spec.get("externalName") or "").removesuffix("."), ("spec", "externalName"),
                         DNS1123_SUBDOMAIN, "a DNS name", required=True)


def _data_keys(body: dict[str, Any]) -> Iterator[Finding]:
    seen: set[str] = set()
    for section in ("data", "binaryData", "stringData"):
        yield from _keys(body.get(section), (section,))
        for key in body.get(section) or {}:
            if key in seen and section != "stringData":
                yield Finding((section, key), f"'{key}' is also a key of data", "a key is in data or binaryData, "
                              "not both")
            seen.add(key)


def _keys(mapping: Any, at: Path, named: bool = True) -> Iterator[Finding]:
    """Keys of ConfigMap and Secret data: they become file names and environment variable names."""
    for key in mapping or {}:
        if not CONFIG_KEY.fullmatch(key) or key in (".", "..") or len(key) > 253:
            yield Finding((*at, key) if named else at, f"'{key}' is not a valid key",
                          "keys are at most 253 letters, digits, '-', '_' or '.' (they become file names)")


def _port(value: Any, at: Path) -> Iterator[Finding]:
    if value is None:
        return
    if not isinstance(value, int) or not 0 < value < 65536:
        yield Finding(at, f"is {value!r}", "a port number is between 1 and 65535")


def _target_port(value: Any, at: Path, zero: bool) -> Iterator[Finding]:
    if isinstance(value, str):
        if not IANA_SVC_NAME.fullmatch(value) or not re.search("[a-z]", value):
            yield Finding(at, f"'{value}' is neither a port number nor a port name",
                          "write a number (1-65535), or the name of a container port")
    elif not (zero and value == 0):
        yield from _port(value, at)


def _enum(item: dict[str, Any], key: str, at: Path) -> Iterator[Finding]:
    value = item.get(key)
    if value is not None and value not in ENUMS[key]:
        yield Finding((*at, key), f"is '{value}'", f"use one of {', '.join(ENUMS[key])}")


def _quantity(value: Any, at: Path) -> Iterator[Finding]:
    if value is not None and not QUANTITY.fullmatch(str(value)):
        yield Finding(at, f"{value!r} is not a Kubernetes quantity", "use forms like 500m, 1, 64Mi, 1Gi")


def _ip(value: Any, at: Path) -> Iterator[Finding]:
    try:
        ipaddress.ip_address(str(value))
    except ValueError:
        yield Finding(at, f"{value!r} is not an IP address", "write an IPv4 or IPv6 address, e.g. 127.0.0.1")

