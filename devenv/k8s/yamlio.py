"""Reading Kubernetes YAML: multi-document streams and `List` objects, with precise error locations.

Scalars resolve as the API server's YAML reader resolves them (a timestamp stays a string), and alias
expansion is bounded: a "billion laughs" document is refused, not expanded.
"""

from __future__ import annotations

import marshal
import os
import threading
from typing import Any, ClassVar, Iterator

import yaml

from devenv.errors import InputError
from devenv.k8s.manifest import Manifest, Origin

try:  # the C loader is several times faster on big renders; fall back when libyaml is absent
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader

#: characters from which a stream is parsed in two processes at once (below, the second costs more than it saves)
PARALLEL_FROM = 1_000_000
#: more nodes than any object the API server stores (1.5 MiB) can have: a document expanding past it is a bomb
MAX_EXPANDED_NODES = 1_000_000
_UNRESOLVED = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"}


class _Loader(_Base):  # type: ignore[misc]
    """The safe loader minus implicit timestamps and `=`: Kubernetes reads both as plain strings."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, Any]]]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in _UNRESOLVED]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()}


def parse_manifests(text: str, source: str, default_namespace: str = "default") -> list[Manifest]:
    """Every object in a YAML stream; `List` kinds are flattened; empty documents are skipped."""
    manifests: list[Manifest] = []
    aliased = _has_node_mark(text, "&") and _has_node_mark(text, "*")
    for index, document in _documents(text, source, split=not aliased):
        if document is None:
            continue
        if not isinstance(document, dict):
            raise InputError(
                f"document {index + 1} is a {type(document).__name__}, not a Kubernetes object",
                where=source,
                hint="each YAML document must be a mapping with apiVersion, kind and metadata",
            )
        if aliased:
            _bound_aliases(document, source, index)
        try:
            bodies = list(_flatten(document, source, index))
        except RecursionError:
            raise InputError(f"document {index + 1} nests Lists too deeply", where=source,
                             hint="flatten the List items") from None
        manifests.extend(Manifest(body, Origin(source, index), default_namespace) for body in bodies)
    return manifests


def _has_node_mark(text: str, mark: str) -> bool:
    """Whether `text` may hold an anchor (`&name`) or alias (`*name`): the mark after a separator, before a name.
    (A scan with str.find: a regular expression over a large render costs more than the parse.)"""
    index = text.find(mark)
    while index != -1:
        if (index == 0 or text[index - 1] in " \t\r\n[{,") and text[index + 1:index + 2] not in ("", *" \t\r\n[]{},"):
            return True
        index = text.find(mark, index + 1)
    return False


def _bound_aliases(document: Any, source: str, index: int) -> None:
    """Refuse a document whose aliases expand past MAX_EXPANDED_NODES, or refer to themselves.

    The loader shares an anchored node between its aliases, so the size of the expansion is counted over
    the shared graph (each node once, its size remembered) without expanding anything.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(document, False)]
    while stack:
        node, finished = stack.pop()
        children = list(node.values()) if isinstance(node, dict) else node
        if finished:
            size = 1 + sum(sizes.get(id(child), 1) for child in children)
            if size > MAX_EXPANDED_NODES:
                raise InputError(f"document {index + 1} expands its YAML aliases to more than "
                                 f"{MAX_EXPANDED_NODES:,} values", where=source,
                                 hint="write the repeated parts out, or use fewer nested aliases (*name)")
            sizes[id(node)] = size
            open_nodes.discard(id(node))
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise InputError(f"document {index + 1} has a YAML alias inside its own anchor", where=source,
                             hint="an alias (*name) cannot refer to the node that contains it")
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if isinstance(child, (dict, list)))


def _documents(text: str, source: str, split: bool = True) -> Iterator[tuple[int, Any]]:
    halves = _parsed_in_halves(text) if split else None
    if halves is not None:
        yield from enumerate(halves)
        return
    index = 0
    try:
        for document in yaml.load_all(text, Loader=_Loader):
            yield index, document
            index += 1
    except RecursionError:
        raise InputError(f"document {index + 1} nests too deeply", where=source,
                         hint="Kubernetes objects are a few levels deep; check the brackets") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            f"document {index + 1} is not valid YAML: {problem}",
            where=where,
            hint="fix the YAML at the line shown (indentation and ':' are the usual culprits)",
        ) from None


def middle_boundary(text: str) -> int | None:
    """The offset of the first document marker (`---` at a line's start, then a blank or the end) in the
    second half of `text`, or None. libyaml ends any scalar at such a line (or fails on it), so the
    documents before it and from it parse alone exactly as in the whole stream."""
    index = text.find("\n---", len(text) // 2)
    while index != -1:
        if text[index + 4:index + 5] in ("", " ", "\t", "\r", "\n"):
            return index + 1
        index = text.find("\n---", index + 4)
    return None


def _parsed_in_halves(text: str) -> list[Any] | None:
    """A large stream's documents parsed on two cores (a forked child parses the second half and sends it
    back marshalled), or None to parse it the usual way: a small stream, one core, threads running
    (forking them is unsafe), no boundary, or any failure (the usual parse then reports it exactly)."""
    if len(text) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or threading.active_count() > 1 \
            or not hasattr(os, "fork"):
        return None
    cut = middle_boundary(text)
    if cut is None:
        return None
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's coverage is not collected)
        try:
            os.close(read)
            try:
                data = marshal.dumps(list(yaml.load_all(text[cut:], Loader=_Loader)))
            except Exception:  # noqa: BLE001 (any failure: the parent parses the whole stream itself)
                data = b""
            with os.fdopen(write, "wb") as sink:
                sink.write(data)
        finally:
            os._exit(0)
    os.close(write)
    try:
        first: list[Any] | None = list(yaml.load_all(text[:cut], Loader=_Loader))
    except (yaml.YAMLError, RecursionError):
        first = None
    with os.fdopen(read, "rb") as source:
        data = source.read()
    os.waitpid(child, 0)
    if first is None or not data:
        return None
    try:
        rest = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    return [*first, *rest] if isinstance(rest, list) else None


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
    metadata = document.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise InputError(f"document {index + 1} ({document['kind']}): metadata is {type(metadata).__name__}, "
                         "not a mapping", where=source, hint="write metadata as a mapping: name, namespace, labels")
    if not metadata.get("name") and not metadata.get("generateName"):
        raise InputError(
            f"document {index + 1} ({document['kind']}) has no metadata.name",
            where=source,
            hint="give the object a metadata.name",
        )
    yield document
