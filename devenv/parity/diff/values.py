"""Comparing two values as `devenv diff` does: generated names made comparable, the leaves where two
structures differ, resource quantities by amount, image references by what changed."""

from __future__ import annotations

import re
from typing import Any, Iterable

from devenv.translate.quantities import cpu_cores, memory_bytes

#: Kustomize's generator hash: ten characters of its own alphabet after a dash
HASH_SUFFIX = re.compile(r"-[2456789bcdfghkmt]{10}$")
HASHED_KINDS = ("ConfigMap", "Secret")
MAX_DEPTH = 8  # below this, a differing structure is one leaf


def base_name(kind: str, name: str) -> str:
    """The name without a generator's hash suffix, for the kinds Kustomize generates."""
    return HASH_SUFFIX.sub("", name) if kind in HASHED_KINDS else name


def normalized(value: Any) -> Any:
    """A structure with generated names made comparable (hash suffixes of referenced objects removed)."""
    if isinstance(value, dict):
        return {k: (HASH_SUFFIX.sub("", v) if k in ("name", "secretName") and isinstance(v, str) else normalized(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v) for v in value]
    return value


def differences(a: Any, b: Any, path: str, depth: int = 0) -> Iterable[tuple[str, Any, Any]]:
    """The leaves where two (normalized) structures differ: mappings by key, lists of named items by name."""
    if a == b:
        return
    if depth < MAX_DEPTH and isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from differences(a.get(key), b.get(key), f"{path}.{key}" if path else str(key), depth + 1)
        return
    if depth < MAX_DEPTH and _named_list(a) and _named_list(b):
        lefts, rights = {str(i["name"]): i for i in a}, {str(i["name"]): i for i in b}
        if len(lefts) == len(a) and len(rights) == len(b):
            for name in sorted(set(lefts) | set(rights)):
                yield from differences(lefts.get(name), rights.get(name), f"{path}[{name}]", depth + 1)
            return
    yield path, a, b


def _named_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) and "name" in i for i in value)


def claim_names(spec: dict[str, Any]) -> dict[str, Any]:
    """volumeClaimTemplates are named by metadata.name: key them so they compare one by one."""
    claims = spec.get("volumeClaimTemplates")
    if not isinstance(claims, list):
        return spec
    named = [{"name": (c.get("metadata") or {}).get("name", ""), **c} for c in claims if isinstance(c, dict)]
    return {**spec, "volumeClaimTemplates": named}


def quantity(resource: str, value: Any) -> Any:
    """A resource amount comparable across notations (`500m` == `0.5`, `1Gi` == `1024Mi`)."""
    if value is None:
        return None
    try:
        if resource == "cpu":
            return round(cpu_cores(str(value)), 6)
        if resource in ("memory", "ephemeral-storage") or resource.startswith("hugepages-"):
            return memory_bytes(str(value))
    except ValueError:
        pass
    return str(value)


def image_change(a: str, b: str) -> str:
    """What differs between two image references, in words."""
    (name_a, tag_a, digest_a), (name_b, tag_b, digest_b) = _split_image(a), _split_image(b)
    if name_a != name_b:
        return "another repository"
    if digest_a != digest_b:
        if digest_a and digest_b:
            return "another digest"
        return "pinned by digest on one side only"
    return "another tag" if tag_a != tag_b else "another reference"


def _split_image(reference: str) -> tuple[str, str, str]:
    name, _, digest = reference.partition("@")
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1:], digest
    return name, "", digest
