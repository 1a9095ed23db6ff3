"""Helm charts, rendered by Helm's own Go engine the way `helm template` renders them for an install.

Two ways to reach that engine, one output:

- the `helm` binary on PATH (`binary`): `helm template RELEASE CHART --namespace NS --include-crds -f ... --set ...`;
- otherwise the helm-python-sdk wheel (`sdk`, `pip install 'devenv[helm]'`), which embeds Helm v4's Go engine
  as a shared library. Values are merged as `helm` merges `-f` and `--set` (`values`), the engine renders the
  chart (dependencies, conditions, import-values, schema validation included; `dependencies`), and the
  result is assembled as `helm template` assembles it (`assembly`): CRDs first, then manifests in Helm's
  install order, then hooks; NOTES.txt and partials left out.

Either way, hooks follow the manifests in the order Helm runs them (`hooks`): by event (pre-install
before post-install..., test hooks last), then `helm.sh/hook-weight`, then name. Errors
name Helm's message and the chart file it points at (`failures`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from devenv.config import HelmSource
from devenv.errors import InputError
from devenv.sources.helm.assembly import emit
from devenv.sources.helm.binary import binary_version, render_with_binary
from devenv.sources.helm.failures import check_paths
from devenv.sources.helm.sdk import INSTALL_HINT, render_with_sdk
from devenv.sources.helm.sdk import import_sdk as _import_sdk
from devenv.sources.helm.sdk import sdk_version as _sdk_version
from devenv.sources.helm.values import user_values as _user_values  # noqa: F401 (tests of --set call it here)

__all__ = ["INSTALL_HINT", "describe_helm", "helm_identity", "helm_inputs", "render_helm"]

# Bump when the assembly changes what render_helm returns: it is part of the render cache key.
ASSEMBLY_VERSION = "2"


def render_helm(source: HelmSource, shown: str) -> str:
    """The YAML stream Helm's engine renders for the chart, as a real `helm install` would see it."""
    check_paths(source, shown)
    binary = shutil.which("helm")
    docs = render_with_binary(binary, source, shown) if binary else render_with_sdk(source, shown)
    return emit(docs)


def helm_inputs(source: HelmSource) -> list[Path]:
    """Every local file the render can read: the chart tree (subcharts in charts/ included), the values files."""
    chart = source.chart
    files = _tree_files(chart) if chart.is_dir() else [chart]
    return files + list(source.values)


def helm_identity() -> str:
    """Changes when the renderer changes: part of the render cache key."""
    binary = shutil.which("helm")
    if binary:
        try:
            stat = Path(binary).stat()
            renderer = f"helm:{binary}:{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            renderer = f"helm:{binary}"
    else:
        renderer = f"helm-python-sdk:{_sdk_version() or 'absent'}"
    return f"{renderer};assembly:{ASSEMBLY_VERSION}"


def describe_helm() -> tuple[str, str]:
    """(what renders Helm charts here, "") or ("", how to install a renderer): for `devenv doctor`."""
    binary = shutil.which("helm")
    if binary:
        return f"helm {binary_version(binary)} at {binary}", ""
    if not _sdk_version():
        return "", INSTALL_HINT
    try:
        helm = _import_sdk()
    except InputError as exc:
        return "", f"{exc.what} ({exc.hint})"
    return f"helm-python-sdk {_sdk_version()} (Helm {helm.helm_sdk_version()} Go engine in-process)", ""


def _tree_files(folder: Path) -> list[Path]:
    """Every file under `folder`, following symlinked subcharts, each directory once."""
    files: list[Path] = []
    seen: set[str] = set()
    for current, folders, names in os.walk(folder, followlinks=True):
        real = os.path.realpath(current)
        if real in seen:
            folders[:] = []
            continue
        seen.add(real)
        files.extend(Path(current, name) for name in names)
    return sorted(files)
