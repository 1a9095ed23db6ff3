"""A Kubernetes object as read from a source, remembering the file and document it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devenv.model.refs import ObjectRef

__all__ = ["CLUSTER_SCOPED", "Manifest", "ObjectRef", "Origin"]


@dataclass(frozen=True)
class Origin:
    """Where an object was read: a file (or a renderer's output) and the document's index in it."""

    file: str
    document: int = 0

    def __str__(self) -> str:
        return f"{self.file} (document {self.document + 1})"


CLUSTER_SCOPED = frozenset({
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
    "StorageClass", "PriorityClass", "IngressClass", "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration", "APIService", "RuntimeClass",
})


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object: its raw body plus where it came from."""

    body: dict[str, Any]
    origin: Origin
    default_namespace: str = "default"
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @property
    def api_version(self) -> str:
        return str(self.body.get("apiVersion", ""))

    @property
    def metadata(self) -> dict[str, Any]:
        return self.body.get("metadata") or {}

    @property
    def name(self) -> str:
        return str(self.metadata.get("name", ""))

    @property
    def namespace(self) -> str:
        if self.kind in CLUSTER_SCOPED:
            return ""
        return str(self.metadata.get("namespace") or self.default_namespace)

    @property
    def labels(self) -> dict[str, str]:
        return {str(k): _text(v) for k, v in (self.metadata.get("labels") or {}).items()}

    @property
    def annotations(self) -> dict[str, str]:
        return {str(k): _text(v) for k, v in (self.metadata.get("annotations") or {}).items()}

    @property
    def spec(self) -> dict[str, Any]:
        return self.body.get("spec") or {}

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name)


def _text(value: object) -> str:
    """A label or annotation value: null is the empty string, as the API server reads it."""
    return "" if value is None else str(value)
