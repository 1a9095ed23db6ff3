"""A Kubernetes object as read from a source, remembering the file and document it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
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
    """One Kubernetes object: its raw body plus where it came from. The body is never changed after
    loading, so the identity fields read from it are computed once (translation reads them often)."""

    body: dict[str, Any]
    origin: Origin
    default_namespace: str = "default"
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @cached_property
    def api_version(self) -> str:
        return str(self.body.get("apiVersion", ""))

    @cached_property
    def metadata(self) -> dict[str, Any]:
        return self.body.get("metadata") or {}

    @cached_property
    def name(self) -> str:
        return str(self.metadata.get("name", ""))

    @cached_property
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

    @cached_property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name)


def _text(value: object) -> str:
    """A label or annotation value: null is the empty string, as the API server reads it."""
    return "" if value is None else str(value)
