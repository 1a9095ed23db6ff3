"""Which images built from the working tree are stale: their build context changed since `up` last built it.

Compose builds a service's image only when no image of that name exists, so after an edit `devenv up`
would run yesterday's code. Rebuilding on every `up` costs a second per image even when nothing
changed, so each build context gets a fingerprint (relative path, size and modification time of every
file it sends, `.dockerignore` applied, plus the build settings) and `up` asks Compose to build only
when a fingerprint differs from the one recorded after the last successful `up` on that engine, or
when there is no record but an image of that name exists (another checkout's, or an older build).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devenv import statedir

STATE_FILE = "builds.json"
#: never part of what a build sends in practice, and large: skipped whatever .dockerignore says
ALWAYS_SKIPPED = (".git",)


def ignore_patterns(context: Path) -> list[tuple[str, bool]]:
    """The context's `.dockerignore` as (pattern, excluded) pairs in file order (`!` re-includes)."""
    try:
        text = (context / ".dockerignore").read_text(errors="replace")
    except OSError:
        return []
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        include = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip().lstrip("/"))
        patterns.append((pattern, not include))
    return patterns


def ignored(relative: str, patterns: list[tuple[str, bool]]) -> bool:
    """Whether Docker leaves `relative` (a path inside the context) out: the last matching pattern decides;
    a pattern naming a directory covers everything below it."""
    excluded = False
    for pattern, excludes in patterns:
        if fnmatch.fnmatchcase(relative, pattern) or fnmatch.fnmatchcase(relative, pattern + "/*") \
                or (pattern.startswith("**/") and fnmatch.fnmatchcase(relative, pattern[3:])):
            excluded = excludes
    return excluded


def _pruned(folder: str, patterns: list[tuple[str, bool]]) -> bool:
    """Whether nothing below `folder` is sent: it is ignored and no `!` pattern may re-include a path in it."""
    if not ignored(folder, patterns):
        return False
    return not any(not excludes and (pattern.startswith(folder + "/") or pattern[:1] in "*?[")
                   for pattern, excludes in patterns)


def fingerprint(context: Path, settings: Mapping[str, Any]) -> str:
    """A digest of what building `context` with `settings` (dockerfile, target, args) would send."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    patterns = ignore_patterns(context)
    for folder, dirs, names in os.walk(context):
        base = os.path.relpath(folder, context)
        dirs[:] = sorted(d for d in dirs if d not in ALWAYS_SKIPPED
                         and not _pruned(os.path.normpath(os.path.join(base, d)), patterns))
        for name in sorted(names):
            relative = os.path.normpath(os.path.join(base, name))
            if ignored(relative, patterns):
                continue
            try:
                info = os.stat(os.path.join(folder, name))
            except OSError:
                continue
            digest.update(f"{relative}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    dockerfile = settings.get("dockerfile")
    if dockerfile:  # a Dockerfile outside the context is read too
        try:
            info = os.stat(context / str(dockerfile))
            digest.update(f"dockerfile\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
        except OSError:
            pass
    return digest.hexdigest()


def fingerprints(services: Mapping[str, Mapping[str, Any]], project_dir: Path) -> dict[str, str]:
    """Each built service's fingerprint (its build context is relative to the project directory)."""
    found = {}
    for name, service in services.items():
        build = service.get("build")
        if isinstance(build, Mapping) and build.get("context"):
            settings = {key: value for key, value in build.items() if key != "context"}
            found[name] = fingerprint(project_dir / str(build["context"]), settings)
    return found


def stale(current: Mapping[str, str], state_dir: Path, key: str) -> tuple[list[str], list[str]]:
    """The built services whose fingerprint differs from the one recorded for `key` (project and engine),
    and those with no record at all (the caller rebuilds those whose image exists already: nobody knows
    what it was built from, and it may be another checkout's)."""
    recorded = _load(state_dir).get(key) or {}
    changed = sorted(name for name, digest in current.items() if name in recorded and recorded[name] != digest)
    return changed, sorted(name for name in current if name not in recorded)


def remember(current: Mapping[str, str], state_dir: Path, key: str) -> None:
    """Record the fingerprints the images of `key` were built from (after a successful `up`)."""
    if not current:
        return
    known = _load(state_dir)
    known[key] = {**(known.get(key) or {}), **current}
    statedir.ensure(state_dir)
    statedir.write_private(state_dir / STATE_FILE, json.dumps(known, indent=1, sort_keys=True).encode())


def _load(state_dir: Path) -> dict[str, dict[str, str]]:
    try:
        found = json.loads((state_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
