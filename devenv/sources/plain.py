"""Plain YAML manifests: files, directories (recursively, sorted), multi-document streams, `List`s."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from devenv.errors import InputError, read_input
from devenv.k8s.manifest import Manifest
from devenv.k8s.yamlio import parse_manifests

YAML_SUFFIXES = (".yaml", ".yml", ".json")


def manifest_files(paths: tuple[Path, ...], where: str) -> list[Path]:
    """The YAML files named or contained (recursively, in sorted order) in `paths`."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()
                                and p.name not in {"kustomization.yaml", "kustomization.yml", "Chart.yaml",
                                                   "values.yaml"}))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(f"manifest path {path} does not exist", where=where,
                             hint="fix the path in devenv.toml (paths are relative to the devenv.toml directory)")
    return files


def load_plain(paths: tuple[Path, ...], where: str, default_namespace: str, root: Path,
               parse: Callable[[str, str, str], list[Manifest]] = parse_manifests) -> list[Manifest]:
    manifests: list[Manifest] = []
    for file in manifest_files(paths, where):
        shown = _relative(file, root)
        manifests.extend(parse(read_input(file, shown), shown, default_namespace))
    return manifests


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
