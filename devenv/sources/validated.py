"""Parsing and validation once per content: the objects of every manifest text that passed
devenv.k8s.validate, kept by the text's digest, Secret values redacted.

A warm render of unchanged manifests neither parses nor validates: it loads the objects (with `marshal`,
which reads plain data about 15 times faster than YAML is parsed and cannot run code) from the state
directory's cache (0700/0600, see devenv.statedir). A changed file, a new rule set or a new schema
version (part of the digest) parses and validates again. Secret values never reach the cache: objects
are redacted (devenv.k8s.redact) before they are kept.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path
from typing import Any

from devenv import statedir
from devenv.k8s.manifest import Manifest, Origin
from devenv.k8s.redact import redact_manifests
from devenv.k8s.validate import RULES_VERSION, validate_manifests
from devenv.k8s.yamlio import parse_manifests

KEEP = 256  # digests remembered (the newest): a few environments' files
OBJECTS_DIR = "objects"
PARSED_FORMAT = "marshal-1"  # changes when what is kept changes


class Validated:
    """Parse a text and validate its objects, unless the same text already passed the same rules."""

    def __init__(self, file: Path, use_cache: bool = True) -> None:
        self.file = file
        self.use_cache = use_cache  # False (`--no-cache`): validate everything, read and write nothing
        self.known: list[str] = self._read() if use_cache else []
        self.seen = set(self.known)
        self.added: list[str] = []

    def parse(self, text: str, source: str, default_namespace: str) -> list[Manifest]:
        """The text's objects, validated, Secret values redacted."""
        digest = hashlib.sha256(f"{RULES_VERSION}\0{PARSED_FORMAT}\0{text}".encode()).hexdigest()
        if digest in self.seen:
            cached = self._load_objects(digest)
            if cached is not None:
                return [Manifest(body, Origin(source, index), default_namespace) for index, body in cached]
        manifests = redact_manifests(parse_manifests(text, source, default_namespace))
        if digest in self.seen or validate_manifests(manifests):
            if digest not in self.seen:
                self.added.append(digest)
                self.seen.add(digest)
            self._keep_objects(digest, manifests)
        return manifests

    def _objects_file(self, digest: str) -> Path:
        return self.file.parent / OBJECTS_DIR / f"{digest}.marshal"

    def _load_objects(self, digest: str) -> list[tuple[int, dict[str, Any]]] | None:
        if not self.use_cache:
            return None
        try:
            loaded = marshal.loads(self._objects_file(digest).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        return loaded if isinstance(loaded, list) else None

    def _keep_objects(self, digest: str, manifests: list[Manifest]) -> None:
        """Keep the (redacted) objects for the next render (best effort)."""
        if not self.use_cache:
            return
        try:
            data = marshal.dumps([(m.origin.document, m.body) for m in manifests])
        except ValueError:  # a value marshal cannot write: parse again next time
            return
        try:
            folder = statedir.private_dir(self.file.parent / OBJECTS_DIR)
            statedir.write_private(folder / f"{digest}.marshal", data)
            self._prune(folder)
        except OSError:
            pass

    @staticmethod
    def _prune(folder: Path) -> None:
        entries = sorted(folder.glob("*.marshal"), key=lambda p: p.stat().st_mtime)
        for stale in entries[:-KEEP]:
            stale.unlink(missing_ok=True)

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
