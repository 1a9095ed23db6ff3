"""What every translation step shares: the object index, options, local secrets, and the output."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

from devenv.errors import InputError
from devenv.k8s.configmaps import configmap_data
from devenv.k8s.manifest import Manifest, ObjectRef
from devenv.k8s.secrets import secret_keys, secret_name
from devenv.model.catalogue import delta
from devenv.model.output import Output
from devenv.model.privileges import Grant
from devenv.translate.secrets_store import LocalSecrets
from devenv.translate.service_links import EnvVar, service_link_vars


@dataclass(frozen=True)
class Options:
    """Local policy that shapes the translation (from devenv.toml)."""

    helper_image: str = "busybox:1.36.1"
    publish: dict[str, tuple[int, ...]] = field(default_factory=dict)
    builds: tuple[Any, ...] = ()  # config.Build: production image name -> build of the working tree
    mirrors: tuple[tuple[str, str], ...] = ()
    externals: tuple[Any, ...] = ()
    state_rel: str = "../.devenv"  # the state directory as seen from the output directory
    out_dir: str = "compose"  # the output directory (absolute), for build contexts
    gateway_image: str = ""
    service_links: bool = False  # inject the kubelet's SVC_SERVICE_HOST... variables
    allow: tuple[Grant, ...] = ()  # host privileges granted by name in devenv.toml ([local] allow)


class Index:
    """Manifests by kind, namespace and name, for the references a pod makes."""

    def __init__(self, manifests: list[Manifest]) -> None:
        self.all = manifests
        self._by_key: dict[tuple[str, str, str], Manifest] = {}
        for manifest in manifests:
            self._by_key[(manifest.kind, manifest.namespace, manifest.name)] = manifest
        self.namespaces = sorted({m.namespace for m in manifests if m.namespace})
        self._links: dict[str, list[EnvVar]] = {}
        self._kinds: dict[tuple[str, ...], list[Manifest]] = {}
        self._configmaps: dict[tuple[str, str], dict[str, bytes] | None] = {}
        self._linked: dict[str, bool] = {}

    def service_links(self, namespace: str) -> list[EnvVar]:
        """The variables the kubelet gives every container for each Service of its namespace
        (`API_SERVICE_HOST`, `API_PORT_80_TCP`...); hosts are the Service's DNS name here, not an IP."""
        if namespace not in self._links:
            links = []
            for service in sorted(self.of_kind("Service"), key=lambda m: m.name):
                if service.namespace == namespace:
                    links.extend(service_link_vars(service))
            self._links[namespace] = links
        return self._links[namespace]

    def has_linked_services(self, namespace: str) -> bool:
        """Whether the kubelet would inject service-link variables in this namespace (without building them)."""
        if namespace not in self._linked:
            self._linked[namespace] = any(
                s.namespace == namespace and s.spec.get("clusterIP") != "None" and s.spec.get("type") != "ExternalName"
                and s.spec.get("ports") for s in self.of_kind("Service"))
        return self._linked[namespace]

    def get(self, kind: str, namespace: str, name: str) -> Manifest | None:
        return self._by_key.get((kind, namespace, name))

    def of_kind(self, *kinds: str) -> list[Manifest]:
        key = kinds
        if key not in self._kinds:
            self._kinds[key] = [m for m in self.all if m.kind in kinds]
        return self._kinds[key]

    def configmap_data(self, namespace: str, name: str) -> dict[str, bytes] | None:
        """A ConfigMap's keys and values (binaryData decoded), or None when it is not in the manifests."""
        key = (namespace, name)
        if key not in self._configmaps:
            manifest = self.get("ConfigMap", namespace, name)
            self._configmaps[key] = None if manifest is None else configmap_data(manifest)
        return self._configmaps[key]

    def configmap_read(self, namespace: str, name: str) -> bool:
        """Whether a container read this ConfigMap (after the pods are translated)."""
        return self._configmaps.get((namespace, name)) is not None

    def secret_keys(self, namespace: str, name: str) -> list[str] | None:
        """The keys of a Secret (or of what an ExternalSecret/SealedSecret produces); values are never read."""
        manifest = self.get("Secret", namespace, name)
        if manifest is not None:
            return secret_keys(manifest)
        for candidate in self.of_kind("ExternalSecret", "SealedSecret"):
            if candidate.namespace == namespace and secret_name(candidate) == name:
                return secret_keys(candidate)
        return None


@dataclass
class Context:
    """The shared state of one translation run."""

    index: Index
    options: Options
    secrets: LocalSecrets
    out: Output = field(default_factory=Output)

    def report(self, code: str, obj: ObjectRef, field: str = "", prod: str = "", local: str = "",
               reason: str = "", hint: str = "", severity: str = "") -> None:
        self.out.deltas.append(delta(code, obj, field, prod, local, reason, hint, severity))

    def reject(self, obj: ObjectRef, field: str, problem: str, hint: str = "") -> NoReturn:
        """Bad input in a manifest: exit 2 naming the file and document, the object and the field."""
        manifest = self.index.get(obj.kind, obj.namespace, obj.name)
        where = f"{manifest.origin}" if manifest is not None else ""
        raise InputError(f"{shown(obj)} {field}: {problem}", where=where,
                         hint=hint or "Kubernetes refuses this value too: fix the manifest")

    @property
    def multi_namespace(self) -> bool:
        return len(self.index.namespaces) > 1


def shown(obj: ObjectRef) -> str:
    """An object reference fit for a message, whatever its (possibly invalid) name holds."""
    return ascii(str(obj))[1:-1] if not str(obj).isprintable() else str(obj)
