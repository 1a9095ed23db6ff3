"""Local values for Secret keys: given in devenv.toml, or generated once and kept in the state directory.

Production values are never read: whatever a manifest carries in `data`/`stringData` is ignored, so it
cannot reach a file, a container, a log or a report.
"""

from __future__ import annotations

import json
import secrets
import string
from pathlib import Path

from devenv import statedir

ALPHABET = string.ascii_letters + string.digits


class LocalSecrets:
    """Local secret values keyed by namespace/secret/key, stable from run to run."""

    def __init__(self, store: Path | None, given: dict[str, dict[str, str]] | None = None) -> None:
        self.store = store
        self.given = given or {}
        self._values: dict[str, str] = {}
        self._dirty = False
        self.asked: set[tuple[str, str, str]] = set()  # (namespace, secret, key) a container reads
        if store is not None and store.is_file():
            try:
                self._values = dict(json.loads(store.read_text(encoding="utf-8")))
            except (ValueError, OSError):
                self._values = {}

    def value(self, namespace: str, name: str, key: str) -> str:
        self.asked.add((namespace, name, key))
        given = self.given.get(f"{namespace}/{name}", {})
        if key in given:
            return given[key]
        ref = f"{namespace}/{name}/{key}"
        if ref not in self._values:
            self._values[ref] = "".join(secrets.choice(ALPHABET) for _ in range(24))
            self._dirty = True
        return self._values[ref]

    def is_given(self, namespace: str, name: str, key: str) -> bool:
        return key in self.given.get(f"{namespace}/{name}", {})

    def save(self) -> None:
        """Persist generated values (mode 600) so databases initialised with them keep working."""
        if self.store is None or not self._dirty:
            return
        statedir.private_dir(self.store.parent)
        statedir.write_private(self.store, json.dumps(self._values, indent=1, sort_keys=True).encode("utf-8"))
        self._dirty = False
