"""Where a delta points: `FILE:LINE` of its object's document, or of the `[[accept]]` block of devenv.toml.

Every command fills a delta's `source` the same way before any renderer formats it (SARIF reads it back
as a physical location).
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from devenv.k8s.manifest import Manifest, ObjectRef, Origin
from devenv.model.delta import Delta


def with_sources(deltas: Iterable[Delta], manifests: Iterable[Manifest], root: Path | None = None,
                 config_file: Path | None = None) -> list[Delta]:
    """Fill each delta's `source` from its object's origin (see `source_of`); deltas about devenv.toml
    itself point at their `[[accept]]` block. A delta that already has a source keeps it."""
    origins: dict[ObjectRef, Origin] = {}
    for manifest in manifests:
        origins.setdefault(manifest.ref, manifest.origin)
    result = []
    for item in deltas:
        if not item.source and item.object in origins:
            item = replace(item, source=source_of(origins[item.object], root))
        elif not item.source and config_file is not None and item.object == ObjectRef("Config", "", config_file.name):
            item = replace(item, source=_config_source(config_file, item.field, root))
        result.append(item)
    return result


def _config_source(config_file: Path, field: str, root: Path | None) -> str:
    shown = config_file.name if root is None or config_file.parent != root else str(config_file.relative_to(root))
    match = re.fullmatch(r"accept\[(\d+)\]", field)
    try:
        lines = config_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return shown
    blocks = [n for n, line in enumerate(lines, start=1) if line.strip() == "[[accept]]"]
    if match and int(match.group(1)) < len(blocks):
        return f"{shown}:{blocks[int(match.group(1))]}"
    return shown


def source_of(origin: Origin, root: Path | None) -> str:
    """`FILE:LINE` (the document's first line) for a manifest file under `root`, else the origin in words
    (a Kustomize or Helm render has no file of its own)."""
    path = (root / origin.file) if root is not None else None
    if path is None or not path.is_file():
        return str(origin)
    stat = path.stat()
    starts = _document_lines(str(path), stat.st_mtime_ns, stat.st_size)
    line = starts[origin.document] if origin.document < len(starts) else 1
    return f"{origin.file}:{line}"


@lru_cache(maxsize=256)
def _document_lines(path: str, _mtime: int, _size: int) -> list[int]:
    """The first content line (1-based) of each YAML document of a file."""
    starts: list[int] = []
    pending = True
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    separator = 0  # line of the last `---` with no content after it yet
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("---"):
            if pending and separator:
                starts.append(separator)  # an empty document between two separators still counts
            pending, separator = True, number
            continue
        if pending and line.strip() and not line.lstrip().startswith("#"):
            starts.append(number)
            pending, separator = False, 0
    return starts


def split_source(source: str) -> tuple[str, int] | None:
    """(FILE, LINE) of a `FILE:LINE` source, or None for an origin in words."""
    match = re.fullmatch(r"(.+?):(\d+)", source)
    return (match.group(1), int(match.group(2))) if match else None
