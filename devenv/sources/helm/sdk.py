"""Helm's Go engine in-process, through the helm-python-sdk wheel (`pip install 'devenv[helm]'`): values
merged as `helm` merges them, the chart loaded and rendered as an install (dependencies, conditions,
import-values, schema validation included), CRDs of enabled charts first."""

from __future__ import annotations

import importlib.metadata
import json
from typing import Any

from devenv.config import HelmSource
from devenv.errors import InputError
from devenv.sources.helm.assembly import Doc, assemble
from devenv.sources.helm.dependencies import check_vendored, enabled_crds
from devenv.sources.helm.failures import render_failure
from devenv.sources.helm.values import user_values

INSTALL_HINT = "pip install 'devenv[helm]' (Helm's Go engine, in-process), or put the helm binary on PATH"


def render_with_sdk(source: HelmSource, shown: str) -> list[Doc]:
    """The chart's documents, CRDs first, as the engine renders them for an install."""
    helm = import_sdk()
    values = user_values(helm, source, shown)
    try:
        helm.validate_release_name(source.release)
    except helm.HelmError as exc:
        raise InputError(f"release name '{source.release}' is not valid for Helm: {exc.detail}",
                         where=shown, hint="set release = \"...\" for this environment in devenv.toml") from None
    try:
        chart = helm.Chart.load(str(source.chart))
    except helm.HelmError as exc:
        raise InputError(f"Helm cannot load the chart {shown}: {exc.detail}", where=shown,
                         hint="point `helm` in devenv.toml at a chart directory (with Chart.yaml) or a "
                              "packaged .tgz") from None
    with chart:
        check_vendored(chart, shown)
        options: dict[str, Any] = {"name": source.release, "namespace": source.namespace, "is_install": True}
        try:
            if source.kube_version:
                rendered = _render_for_kube_version(chart, values, {**options, "kube_version": source.kube_version})
            else:
                rendered = chart.render(values, **options)
        except helm.HelmError as exc:
            raise render_failure(source, shown, exc.detail) from None
        crds = enabled_crds(chart, values, rendered)
    return crds + assemble(rendered, source, shown)


def _render_for_kube_version(chart: Any, values: dict[str, Any], options: dict[str, Any]) -> dict[str, str]:
    """`helm_render` of the wheel's C ABI with `kube_version`, an option it takes and Chart.render() omits."""
    from helm_python import _native

    # the C ABI answers a JSON object of template path -> rendered text
    rendered: dict[str, str] = json.loads(
        _native.call_string("helm_render", chart._raw(), json.dumps(values), json.dumps(options)))
    return rendered


def import_sdk() -> Any:
    """The helm_python module, or an InputError saying how to get a renderer."""
    try:
        import helm_python
    except ImportError:
        raise InputError("cannot render a Helm chart: the helm binary is not on PATH and the helm-python-sdk "
                         "package is not installed", hint=INSTALL_HINT) from None
    except Exception as exc:  # HelmLibraryError: the wheel's Go library does not load on this machine
        raise InputError(f"helm-python-sdk is installed but its Go library does not load: {exc}",
                         hint="reinstall it for this platform, or put the helm binary on PATH") from None
    return helm_python


def sdk_version() -> str:
    """The installed helm-python-sdk's version, "" when it is not installed."""
    try:
        return importlib.metadata.version("helm-python-sdk")
    except importlib.metadata.PackageNotFoundError:
        return ""
