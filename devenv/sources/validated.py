"""Validation once per content: the digests of manifest texts that passed devenv.k8s.validate.

A warm render of unchanged manifests skips validation entirely; a changed file, a new rule set or a new
schema version (part of the digest) validates again. Only digests are kept, never content.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from devenv.k8s.manifest import Manifest
from devenv.k8s.validate import RULES_VERSION, validate_manifests
from devenv.k8s.yamlio import parse_manifests

KEEP = 256  # digests remembered (the newest): a few environments' files


class Validated:
    """Parse a text and validate its objects, unless the same text already passed the same rules."""

    def __init__(self, file: Path, use_cache: bool = True) -> None:
        self.file = file
        self.use_cache = use_cache  # False (`--no-cache`): validate everything, read and write nothing
        self.known: list[str] = self._read() if use_cache else []
        self.seen = set(self.known)
        self.added: list[str] = []

    def parse(self, text: str, source: str, default_namespace: str) -> list[Manifest]:
        manifests = parse_manifests(text, source, default_namespace)
        digest = hashlib.sha256(f"{RULES_VERSION}\0{text}".encode()).hexdigest()
        if digest in self.seen:
            return manifests
        if validate_manifests(manifests):
            self.added.append(digest)
            self.seen.add(digest)
        return manifests

    def save(self) -> None:
        """Remember what passed (best effort: a read-only state directory only costs a re-validation)."""
        if not self.added or not self.use_cache:
            return
        kept = ([d for d in self.known if d not in self.added] + self.added)[-KEEP:]
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}")  # parallel renders: one file each
            handle = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write("\n".join(kept) + "\n")
            tmp.replace(self.file)
        except OSError:
            pass

    def _read(self) -> list[str]:
        try:
            return self.file.read_text(encoding="ascii").split()
        except (OSError, UnicodeDecodeError):
            return []
