"""Which fields of a manifest the translation reads: manifest bodies wrapped in dicts and lists that
record every key read, so a test can list the fields nothing consumed and nothing reported.

A mapping or list read as a whole (iterated, copied, its items taken) counts as consumed with everything
below it: the code took all of it (labels, a ConfigMap's data, a command line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

Path = tuple[str, ...]


class Seen:
    """Paths read one key at a time, and subtrees read whole."""

    def __init__(self) -> None:
        self.keys: set[Path] = set()
        self.whole: set[Path] = set()

    def covers(self, path: Path) -> bool:
        if path in self.keys:
            return True
        return any(path[:n] in self.whole for n in range(len(path) + 1))


class TrackedDict(dict[str, Any]):
    def __init__(self, data: dict[str, Any], path: Path, seen: Seen) -> None:
        super().__init__({k: track(v, (*path, str(k)), seen) for k, v in data.items()})
        self._path, self._seen = path, seen

    def _read(self, key: object) -> None:
        self._seen.keys.add((*self._path, str(key)))

    def __getitem__(self, key: str) -> Any:
        self._read(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self._read(key)
        return super().get(key, default)

    def __contains__(self, key: object) -> bool:
        self._read(key)
        return super().__contains__(key)

    def _all(self) -> None:
        self._seen.whole.add(self._path)

    def __iter__(self) -> Iterator[str]:
        self._all()
        return super().__iter__()

    def items(self) -> Any:
        self._all()
        return super().items()

    def values(self) -> Any:
        self._all()
        return super().values()

    def keys(self) -> Any:
        self._all()
        return super().keys()

    def copy(self) -> dict[str, Any]:
        self._all()
        return dict(super().items())


class TrackedList(list[Any]):
    def __init__(self, data: list[Any], path: Path, seen: Seen) -> None:
        super().__init__(track(v, (*path, "[]"), seen) for v in data)
        self._path, self._seen = path, seen

    def _read(self) -> None:
        self._seen.keys.update({self._path, (*self._path, "[]")})

    def __iter__(self) -> Iterator[Any]:
        self._read()
        return super().__iter__()

    def __getitem__(self, index: Any) -> Any:
        self._read()
        return super().__getitem__(index)

    def __len__(self) -> int:
        self._read()
        return super().__len__()


def track(value: Any, path: Path, seen: Seen) -> Any:
    if isinstance(value, dict):
        return TrackedDict(value, path, seen)
    if isinstance(value, list):
        return TrackedList(value, path, seen)
    return value


def leaves(value: Any, path: Path = ()) -> Iterator[Path]:
    """Every leaf field path of a plain body (list items as `[]`)."""
    if isinstance(value, dict):
        if not value:
            yield path
        for key, item in value.items():
            yield from leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        if not value:
            yield path
        for item in value:
            yield from leaves(item, (*path, "[]"))
    else:
        yield path


_INDEX = re.compile(r"\[[^\]]*\]")


def field_path(field: str) -> Path:
    """A delta's field (`spec.template.spec.containers[0].image`) in the same form (`containers`,`[]`,...)."""
    parts: list[str] = []
    for part in field.split("."):
        name = _INDEX.sub("", part)
        if name:
            parts.append(name)
        parts.extend("[]" for _ in _INDEX.findall(part))
    return tuple(parts)
