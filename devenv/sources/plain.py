"""Plain YAML manifests: files, directories (recursively, sorted), multi-document streams, `List`s."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from devenv.errors import InputError
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
        try:
            text = file.read_bytes().decode("utf-8")
        except OSError as exc:
            raise InputError(f"cannot read {shown}: {exc.strerror or exc}", hint="check the file's permissions") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{shown} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})",
                             hint="save the file as UTF-8: Kubernetes manifests are UTF-8") from None
        manifests.extend(parse(text, shown, default_namespace))
    return manifests


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
