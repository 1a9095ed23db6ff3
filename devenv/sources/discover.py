"""What a repository deploys, found by looking at its files (for `devenv init`, as `skaffold init` does).

- Helm charts: a directory with Chart.yaml (library charts and the subcharts inside a chart's tree are
  not deployed on their own), with its `values-*.yaml` / `values.*.yaml` files.
- Kustomize overlays: a directory with a kustomization file that no other kustomization uses as a base
  (a `kind: Component` is never rendered alone).
- Plain manifests: YAML files whose every document has apiVersion and kind (tool configurations such as
  skaffold.yaml or a kubeconfig excepted), outside charts, kustomize directories and whatever a
  kustomization references; a folder and its sub-folders of manifests are one set.

Nothing is rendered and nothing is written: the result is data, turned into devenv.toml by `scaffold`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from devenv.errors import InputError
from devenv.k8s.yamlio import parse_manifests
from devenv.sources.plain import YAML_SUFFIXES, manifest_files

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
VALUES_FILE = re.compile(r"^values[-.](.+)\.ya?ml$")
SKIPPED_FOLDERS = frozenset({"node_modules", "vendor", "__pycache__"})
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
#: apiVersions of tools' own configuration files, which look like Kubernetes objects but are not deployed
TOOL_CONFIG_GROUPS = ("skaffold/", "kustomize.config.k8s.io/", "config.kubernetes.io/", "kind.x-k8s.io/", "k3d.io/",
                      "ctlptl.dev/", "kubeadm.k8s.io/", "kubelet.config.k8s.io/", "kubeproxy.config.k8s.io/",
                      "apiserver.config.k8s.io/", "audit.k8s.io/", "client.authentication.k8s.io/")
#: kustomization fields that name files or folders the kustomization consumes
_REFERENCE_LISTS = ("resources", "bases", "components", "crds", "patchesStrategicMerge", "configurations",
                    "transformers", "generators", "validators")


@dataclass(frozen=True)
class Found:
    """One deployable thing: a Kustomize overlay, a Helm chart with one values file (or none), or a set of
    plain manifests (a whole folder, or the files listed when the folder holds other YAML too)."""

    kind: str  # "kustomize", "helm" or "plain"
    path: Path  # the overlay, the chart, or the folder of the manifests
    tokens: tuple[str, ...]  # its path below the root (plus the values file's suffix): names the environment
    files: tuple[Path, ...] = ()  # plain: the files, when listing the folder would read other YAML too
    values: Path | None = None  # helm: the values file on top of the chart's values.yaml
    chart_name: str = ""  # helm: Chart.yaml's name
    objects: int = 0  # plain: how many objects the files hold


@dataclass(frozen=True)
class Skipped:
    """Something that looks deployable but is not an environment of its own, and why."""

    path: Path
    why: str


@dataclass(frozen=True)
class Discovery:
    root: Path
    found: tuple[Found, ...]
    skipped: tuple[Skipped, ...]


def discover(root: Path) -> Discovery:
    """Every Helm chart (per values file), Kustomize overlay and set of plain manifests under `root`."""
    root = root.resolve()
    if not root.is_dir():
        raise InputError(f"{root} is not a directory", hint="give `devenv init` the repository's directory")
    folders = dict(_walk(root))
    skipped: list[Skipped] = []
    charts = _charts(root, folders, skipped)
    chart_trees = tuple(charts)
    kustomizations = {folder: names for folder, names in folders.items()
                      if any(n in names for n in KUSTOMIZATION_NAMES) and not _under(folder, chart_trees)}
    overlays, referenced = _kustomize(root, kustomizations, skipped)
    plain = _plain(root, folders, chart_trees + tuple(kustomizations), referenced)
    found = [*plain, *overlays, *(f for chart in charts.values() for f in chart)]
    found.sort(key=lambda f: (f.tokens, f.kind))
    return Discovery(root, tuple(found), tuple(sorted(skipped, key=lambda s: str(s.path))))


def _walk(root: Path) -> list[tuple[Path, tuple[str, ...]]]:
    """(folder, file names) of every folder, sorted; hidden folders, dependency caches and symlinks skipped."""
    walked = []
    for current, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and d not in SKIPPED_FOLDERS
                               and not os.path.islink(os.path.join(current, d)))
        walked.append((Path(current), tuple(sorted(names))))
    return walked


def _under(path: Path, folders: tuple[Path, ...]) -> bool:
    return any(path == folder or folder in path.parents for folder in folders)


def _relative_tokens(root: Path, path: Path) -> tuple[str, ...]:
    parts = path.relative_to(root).parts
    return parts or (root.name,)


# --- Helm ---------------------------------------------------------------------------------------------

def _charts(root: Path, folders: dict[Path, tuple[str, ...]], skipped: list[Skipped]) -> dict[Path, list[Found]]:
    """Top-level charts (one Found per values file, or one with the defaults); subcharts are skipped."""
    charts: dict[Path, list[Found]] = {}
    for folder, names in folders.items():
        if "Chart.yaml" not in names:
            continue
        parent = next((c for c in charts if c in folder.parents), None)
        if parent is not None:
            if folder.parent.name == "charts" and folder.parent.parent == parent:
                skipped.append(Skipped(folder, f"a subchart of {_shown(root, parent)}, rendered with it"))
            continue
        meta = _yaml_mapping(folder / "Chart.yaml")
        if str(meta.get("type", "")) == "library":
            charts[folder] = []  # its tree is still a chart's, not plain manifests
            skipped.append(Skipped(folder, "a library chart: it renders nothing of its own"))
            continue
        name = str(meta.get("name") or folder.name)
        tokens = _relative_tokens(root, folder)
        values = [folder / n for n in names if VALUES_FILE.match(n) and n not in ("values.yaml", "values.yml")]
        charts[folder] = [Found("helm", folder, (*tokens, _values_suffix(v)), values=v, chart_name=name)
                          for v in values] or [Found("helm", folder, tokens, chart_name=name)]
    return charts


def _values_suffix(values: Path) -> str:
    found = VALUES_FILE.match(values.name)
    return found.group(1) if found else values.stem


# --- Kustomize ----------------------------------------------------------------------------------------

def _kustomize(root: Path, kustomizations: dict[Path, tuple[str, ...]],
               skipped: list[Skipped]) -> tuple[list[Found], set[Path]]:
    """Overlays (kustomizations no other one uses) and every local path some kustomization references."""
    referenced: set[Path] = set()
    components: list[Path] = []
    bases: dict[Path, list[Path]] = {}
    for folder, names in kustomizations.items():
        file = folder / next(n for n in KUSTOMIZATION_NAMES if n in names)
        body = _yaml_mapping(file)
        if str(body.get("kind", "")) == "Component":
            components.append(folder)
        for target in _references(folder, body):
            referenced.add(target)
            if target in kustomizations and target != folder:
                bases.setdefault(target, []).append(folder)
    overlays = []
    for folder in kustomizations:
        if folder in components:
            skipped.append(Skipped(folder, "a Kustomize component: add it to an overlay's components"))
        elif folder in bases:
            users = ", ".join(_shown(root, user) for user in bases[folder])
            skipped.append(Skipped(folder, f"a Kustomize base of {users}"))
        else:
            overlays.append(Found("kustomize", folder, _relative_tokens(root, folder)))
    return overlays, referenced


def _references(folder: Path, body: dict[str, Any]) -> list[Path]:
    """Local files and folders a kustomization reads (remote bases and URLs left out)."""
    entries: list[Any] = []
    for key in _REFERENCE_LISTS:
        listed = body.get(key)
        entries += listed if isinstance(listed, list) else []
    for key in ("patches", "patchesJson6902"):
        entries += [p.get("path") for p in body.get(key) or [] if isinstance(p, dict)]
    for key in ("configMapGenerator", "secretGenerator"):
        for generator in body.get(key) or []:
            if isinstance(generator, dict):
                for field in ("files", "envs"):
                    entries += [str(f).rpartition("=")[2] for f in generator.get(field) or []]
                entries.append(generator.get("env"))
    paths = []
    for entry in entries:
        if isinstance(entry, str) and entry and "://" not in entry and not entry.startswith(("git@", "github.com/")):
            paths.append(Path(os.path.normpath(folder / entry)))
    return paths


# --- plain manifests ----------------------------------------------------------------------------------

def _plain(root: Path, folders: dict[Path, tuple[str, ...]], excluded_trees: tuple[Path, ...],
           referenced: set[Path]) -> list[Found]:
    """Folders holding manifests, each with the manifest folders below it, outside charts and kustomize."""
    counts: dict[Path, int] = {}
    for folder, names in folders.items():
        if _under(folder, excluded_trees):
            continue
        for name in names:
            file = folder / name
            if file.suffix in YAML_SUFFIXES and not _referenced(file, referenced):
                objects = _manifest_objects(file)
                if objects:
                    counts[file] = objects
    groups: dict[Path, list[Path]] = {}
    for file in sorted(counts, key=lambda f: (len(f.parts), str(f))):  # shallow folders first: they gather
        top = next((g for g in groups if g in file.parents), file.parent)
        groups.setdefault(top, []).append(file)
    found = []
    for folder, files in groups.items():
        files.sort()
        whole = set(manifest_files((folder,), str(folder))) == set(files)
        found.append(Found("plain", folder, _relative_tokens(root, folder), files=() if whole else tuple(files),
                           objects=sum(counts[f] for f in files)))
    return found


def _referenced(file: Path, referenced: set[Path]) -> bool:
    return file in referenced or any(parent in referenced for parent in file.parents)


def _manifest_objects(file: Path) -> int:
    """How many Kubernetes objects the file holds; 0 when it is not (only) Kubernetes objects."""
    try:
        if file.stat().st_size > MAX_MANIFEST_BYTES:
            return 0
        manifests = parse_manifests(file.read_text(encoding="utf-8"), str(file))
    except (OSError, UnicodeDecodeError, InputError):
        return 0
    if any(m.api_version.startswith(TOOL_CONFIG_GROUPS) or (m.api_version, m.kind) == ("v1", "Config")
           for m in manifests):
        return 0
    return len(manifests)


def _yaml_mapping(file: Path) -> dict[str, Any]:
    try:
        if file.stat().st_size > MAX_MANIFEST_BYTES:
            return {}
        body = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return body if isinstance(body, dict) else {}


def _shown(root: Path, path: Path) -> str:
    return str(path.relative_to(root)) if path != root else root.name
