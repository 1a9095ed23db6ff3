"""Kustomize overlays, rendered by the real Kustomize (`kustomize build` or `kubectl kustomize`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from devenv.errors import InputError
from devenv.k8s.redact import scrub
from devenv.sources.tools import require_kustomize, run_tool

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
REFERENCE_KEYS = ("resources", "components", "bases", "crds")


def render_kustomize(path: Path, shown: str) -> str:
    """The YAML stream `kustomize build` prints for the overlay at `path`."""
    if not path.is_dir():
        raise InputError(f"Kustomize path {shown} does not exist", hint="fix the kustomize path in devenv.toml")
    if not any((path / name).is_file() for name in KUSTOMIZATION_FILES):
        raise InputError(f"{shown} has no kustomization.yaml", hint="point devenv.toml at the overlay directory")
    tool = require_kustomize()
    try:
        return run_tool([*tool.argv, str(path)], f"{tool.name} {shown}")
    except InputError as exc:
        remote = _remote_reference(path)
        if remote is None:  # Kustomize may quote a secretGenerator literal or env line: never shown
            raise InputError(scrub(exc.what, _generator_secrets(path)), where=exc.where, hint=exc.hint,
                             details=exc.details) from None
        url, file = remote
        raise InputError(
            f"Kustomize cannot fetch the remote base {url} (referenced by {file}); devenv renders from local files",
            where=str(file),
            hint="vendor the base into the repository and reference it by a relative path",
            details=exc.what,
        ) from None


def _remote_reference(path: Path) -> tuple[str, Path] | None:
    """The first remote resource (URL, github.com/..., git@...) any reachable kustomization names."""
    pending, seen = [path.resolve()], set()
    while pending:
        folder = pending.pop()
        if folder in seen:
            continue
        seen.add(folder)
        for name in KUSTOMIZATION_FILES:
            file = folder / name
            if not file.is_file():
                continue
            for entry in _entries(file):
                if "://" in entry or entry.startswith(("github.com/", "git@")):
                    return entry, file
                target = (folder / entry).resolve()
                pending.append(target if target.is_dir() else target.parent)
    return None


def _generator_secrets(path: Path) -> list[str]:
    """The values of every secretGenerator literal and env file reachable from `path` (a whole literal or
    line when it has no '=')."""
    values: list[str] = []
    for file in kustomize_inputs(path):
        if file.name not in KUSTOMIZATION_FILES:
            continue
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            continue
        generators = data.get("secretGenerator") if isinstance(data, dict) else None
        for generator in generators if isinstance(generators, list) else []:
            if not isinstance(generator, dict):
                continue
            lines = [str(literal) for literal in generator.get("literals") or []]
            for env in generator.get("envs") or ([generator["env"]] if generator.get("env") else []):
                try:
                    lines += (file.parent / str(env)).read_text(encoding="utf-8").splitlines()
                except (OSError, UnicodeDecodeError):
                    continue
            values += [line.partition("=")[2] or line for line in lines if line.strip()]
    return values


def kustomize_inputs(path: Path) -> list[Path]:
    """Every local file a Kustomize build can read: the trees of each kustomization reached from `path`."""
    seen: set[Path] = set()
    files: set[Path] = set()
    pending = [path.resolve()]
    while pending:
        folder = pending.pop()
        if folder in seen or not folder.is_dir():
            continue
        seen.add(folder)
        files.update(p for p in folder.rglob("*") if p.is_file())
        for name in KUSTOMIZATION_FILES:
            if (folder / name).is_file():
                pending.extend(_references(folder, folder / name))
    return sorted(files)


def _references(folder: Path, kustomization: Path) -> list[Path]:
    found = []
    for entry in _entries(kustomization):
        if "://" not in entry and not entry.startswith("github.com"):
            target = (folder / entry).resolve()
            found.append(target if target.is_dir() else target.parent)
    return found


def _entries(kustomization: Path) -> list[str]:
    """The resources, components, bases and crds a kustomization names; none when it is not a mapping
    (Kustomize itself then says what is wrong with it)."""
    try:
        data = yaml.safe_load(kustomization.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError, UnicodeDecodeError, RecursionError):
        return []
    if not isinstance(data, dict):
        return []
    lists = [data.get(key) for key in REFERENCE_KEYS]
    return [entry for entries in lists if isinstance(entries, list) for entry in entries if isinstance(entry, str)]
