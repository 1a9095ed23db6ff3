"""Reading Kubernetes YAML: multi-document streams and `List` objects, with precise error locations."""

from __future__ import annotations

from typing import Any, Iterator

import yaml

from devenv.errors import InputError
from devenv.k8s.manifest import Manifest, Origin

try:  # the C loader is several times faster on big renders; fall back when libyaml is absent
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


def parse_manifests(text: str, source: str, default_namespace: str = "default") -> list[Manifest]:
    """Every object in a YAML stream; `List` kinds are flattened; empty documents are skipped."""
    manifests: list[Manifest] = []
    for index, document in _documents(text, source):
        if document is None:
            continue
        if not isinstance(document, dict):
            raise InputError(
                f"document {index + 1} is a {type(document).__name__}, not a Kubernetes object",
                where=source,
                hint="each YAML document must be a mapping with apiVersion, kind and metadata",
            )
        for body in _flatten(document, source, index):
            manifests.append(Manifest(body, Origin(source, index), default_namespace))
    return manifests


def _documents(text: str, source: str) -> Iterator[tuple[int, Any]]:
    index = 0
    try:
        for document in yaml.load_all(text, Loader=_Loader):
            yield index, document
            index += 1
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            f"document {index + 1} is not valid YAML: {problem}",
            where=where,
            hint="fix the YAML at the line shown (indentation and ':' are the usual culprits)",
        ) from None


def _flatten(document: dict[str, Any], source: str, index: int) -> Iterator[dict[str, Any]]:
    kind = document.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(document.get("items"), list):
        for item in document["items"]:
            if isinstance(item, dict):
                yield from _flatten(item, source, index)
        return
    for key in ("apiVersion", "kind"):
        if not isinstance(document.get(key), str) or not document.get(key):
            raise InputError(
                f"document {index + 1} has no '{key}'",
                where=source,
                hint="every Kubernetes object needs apiVersion, kind and metadata.name",
            )
    name = (document.get("metadata") or {}).get("name")
    if not name and not (document.get("metadata") or {}).get("generateName"):
        raise InputError(
            f"document {index + 1} ({document['kind']}) has no metadata.name",
            where=source,
            hint="give the object a metadata.name",
        )
    yield document
