"""The rendered chart assembled as `helm template` prints it: documents under `# Source:` headers, CRDs
first, then manifests in Helm's install order, then hooks in the order Helm runs them, test hooks last
(NOTES.txt left out)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

import yaml

from devenv.config import HelmSource
from devenv.errors import InputError
from devenv.sources.helm.failures import local_file
from devenv.sources.helm.hooks import (
    HOOK_ANNOTATION,
    WEIGHT_ANNOTATION,
    hook_events,
    hook_weight,
    run_order,
)

# Helm's InstallOrder (pkg/release/v1/util/kind_sorter.go): kinds not listed go last, alphabetically.
INSTALL_ORDER = {kind: index for index, kind in enumerate((
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
    "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
    "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
))}

_SPLIT = re.compile(r"(?:^|[ \t\n\f\r]*\n)---[ \t\n\f\r]*")  # Helm's SplitManifests separator
_SOURCE = re.compile(r"^---\n# Source: (.*)\n", re.MULTILINE)
_STR_TAG = "tag:yaml.org,2002:str"
_NULL_TAG = "tag:yaml.org,2002:null"
try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Doc:
    """One rendered document, as `helm template` prints it under `# Source: <source>`."""

    source: str
    text: str
    kind: str = ""
    name: str = ""
    events: tuple[str, ...] = ()  # hook events; empty for a plain manifest
    weight: int = 0


def assemble(rendered: dict[str, str], source: HelmSource, shown: str) -> list[Doc]:
    """Helm's SortManifests: files in name order, split into documents, hooks apart, each sorted by kind."""
    manifests: list[Doc] = []
    hooks: list[Doc] = []
    for path in sorted(rendered):
        content = rendered[path]
        if path.endswith("NOTES.txt") or posixpath.basename(path).startswith("_") or not content.strip():
            continue
        for text in _split_manifests(content):
            try:
                doc = head(path, text, strict=True)
            except ValueError as exc:
                raise InputError(
                    f"helm template of {shown} failed: YAML parse error on {path}: {exc}",
                    where=local_file(source, shown, path),
                    hint="the template renders invalid YAML: check the indentation and quoting it produces",
                ) from None
            if doc is not None:
                (hooks if doc.events else manifests).append(doc)
    return _by_kind(manifests) + _by_kind(hooks)


def docs_from_stream(stream: str) -> list[Doc]:
    """Split `helm template` output back into its `# Source:` blocks (already in Helm's order)."""
    docs = []
    headers = list(_SOURCE.finditer(stream))
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(stream)
        text = stream[header.end():end].removesuffix("\n")  # the newline `helm template` adds after each
        docs.append(head(header.group(1), text, strict=False) or Doc(header.group(1), text))
    return docs


def emit(docs: list[Doc]) -> str:
    """Manifests in order, then hooks as Helm runs them (test hooks last: the translation runs them on demand)."""
    manifests = [doc for doc in docs if not doc.events]
    hooks = [doc for doc in docs if doc.events]
    hooks.sort(key=lambda d: run_order(d.events, d.weight, d.name))
    return "".join(f"---\n# Source: {doc.source}\n{doc.text}\n" for doc in manifests + hooks)


def _split_manifests(content: str) -> list[str]:
    return [part.lstrip() for part in _SPLIT.split(content.lstrip()) if part]


def head(source: str, text: str, strict: bool) -> Doc | None:
    """Read kind, name and hook annotations as Helm does; None for a hook of an unknown event (Helm skips it).

    With `strict`, documents Helm itself would refuse raise ValueError; otherwise they count as manifests.
    Only the YAML node tree is built (in C): the fields read are a few scalars, and a full load would cost as
    much again as the render.
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        if strict:
            raise ValueError(getattr(exc, "problem", None) or str(exc)) from None
        return Doc(source, text)
    if root is None:
        return Doc(source, text)
    if not isinstance(root, yaml.MappingNode):
        if strict:
            shape = root.id if isinstance(root, (yaml.ScalarNode, yaml.SequenceNode)) else "node"
            raise ValueError(f"the document is a {shape}, not a mapping")
        return Doc(source, text)
    body = _fields(root)
    metadata = _fields(body.get("metadata"))
    annotations: dict[str, str] = {}
    for key, node in _fields(metadata.get("annotations")).items():
        if isinstance(node, yaml.ScalarNode) and node.tag == _STR_TAG:
            annotations[key] = node.value
        elif strict and not (isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG):
            raise ValueError(f"annotation {key} is not a string (quote its value)")
    kind, name = _scalar(body.get("kind")), _scalar(metadata.get("name"))
    hook = annotations.get(HOOK_ANNOTATION)
    if hook is None:
        return Doc(source, text, kind, name)
    events = hook_events(hook)
    if events is None:
        return None
    return Doc(source, text, kind, name, events, hook_weight(annotations.get(WEIGHT_ANNOTATION, "")))


def _fields(node: Any) -> dict[str, Any]:
    """The entries of a YAML mapping node with scalar keys; {} for anything else."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: value for key, value in node.value if isinstance(key, yaml.ScalarNode)}


def _scalar(node: Any) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) and node.tag != _NULL_TAG else ""


def _by_kind(docs: list[Doc]) -> list[Doc]:
    """Helm's stable sort by InstallOrder; unknown kinds last, alphabetically."""
    return sorted(docs, key=lambda d: (0, INSTALL_ORDER[d.kind], "") if d.kind in INSTALL_ORDER else (1, 0, d.kind))
