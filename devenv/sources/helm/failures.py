"""Helm errors that point at the file: the chart and values paths checked first, then Helm's own message
with the innermost template and line it names, and a hint that fits (offline `lookup`, the values
schema, the cluster version)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from devenv.config import HelmSource
from devenv.errors import InputError
from devenv.k8s.redact import scrub, scrub_schema_values

_LOCATION = re.compile(r"([\w.@+\-/]+\.(?:ya?ml|tpl|txt|json)):(\d+)(?::(\d+))?")
_LIVE_CALL = re.compile(r"\b(lookup|getHostByName)\b")
_MISSING_DEPENDENCIES = re.compile(r"found in Chart\.yaml, but missing in charts/ directory: (.*)")
VENDOR_HINT = ("run `helm dependency build {chart}` where the chart repositories are reachable and keep charts/ "
               "with the chart: devenv renders offline")


def check_paths(source: HelmSource, shown: str) -> None:
    """The chart (a directory with Chart.yaml, or a packaged file) and every values file exist."""
    if not source.chart.exists():
        raise InputError(f"Helm chart {shown} does not exist",
                         hint="fix the helm path of this environment in devenv.toml")
    if source.chart.is_dir() and not (source.chart / "Chart.yaml").is_file():
        raise InputError(f"{shown} has no Chart.yaml", where=shown,
                         hint="point `helm` in devenv.toml at the chart directory (the one with Chart.yaml)")
    for values in source.values:
        if not values.is_file():
            raise InputError(f"values file {values} does not exist", where=shown,
                             hint="fix the values paths of this environment in devenv.toml")


def render_failure(source: HelmSource, shown: str, message: str) -> InputError:
    """Helm's own message, where it points (the innermost template and line), and a hint that fits."""
    message = scrub_schema_values(scrub(message, [value for _, value in source.set]))  # values may be secrets
    locations = _LOCATION.findall(message)
    where = shown
    if locations:
        template, line, column = locations[-1]
        where = f"{local_file(source, shown, template)}:{line}" + (f":{column}" if column else "")
    what = f"helm template of {shown} failed: {message}"
    live = _live_call_site(source, [template for template, _, _ in locations])
    if live or "error calling lookup" in message:
        site = f"{live[0]} calls `{live[1]}`" if live else "the chart calls `lookup`"
        return InputError(
            f"{what}\n{site}, which reads live objects from a cluster. devenv renders offline, as "
            "`helm template` does, so `lookup` returns an empty result (and `getHostByName` an empty address).",
            where=where,
            hint="make the template tolerate an empty result (e.g. `{{ if $found }}...{{ else }}...{{ end }}`), "
                 "or give the value it looks up through the values files or `set` of this environment",
        )
    missing = _MISSING_DEPENDENCIES.search(message)
    if missing:
        names = [n.strip() for n in missing.group(1).split(",")]
        requirements = source.chart / "requirements.yaml"
        declared_in = declaring_file(requirements.read_text(encoding="utf-8", errors="replace")
                                     if requirements.is_file() else None, names)
        return InputError(f"chart {shown}: found in {declared_in}, but missing in charts/ directory: "
                          f"{', '.join(names)}", where=f"{shown}/{declared_in}", hint=VENDOR_HINT.format(chart=shown))
    if "values don't meet the specifications" in message:
        return InputError(what, where=where, hint="fix the values files or `set` overrides of this environment "
                                                  "to match the chart's values.schema.json")
    if "chart requires kubeVersion" in message:
        return InputError(what, where=where, hint="set kube_version for this environment in devenv.toml to the "
                                                  "production cluster's Kubernetes version")
    return InputError(what, where=where, hint="fix the template at the file and line Helm names; "
                                              "`helm template` on the chart shows the same error")


def _live_call_site(source: HelmSource, templates: list[str]) -> tuple[str, str] | None:
    """The first template named in an error that calls a function needing a live cluster."""
    for template in templates:
        path = _chart_file(source, template)
        if path is None:
            continue
        try:
            found = _LIVE_CALL.search(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue
        if found:
            return template, found.group(1)
    return None


def _chart_file(source: HelmSource, template: str) -> Path | None:
    """The local file behind a template name like `mychart/charts/sub/templates/x.yaml`, when there is one."""
    parts = template.split("/")
    if not source.chart.is_dir() or len(parts) < 2:
        return None
    candidate = source.chart.joinpath(*parts[1:])
    return candidate if candidate.is_file() else None


def local_file(source: HelmSource, shown: str, template: str) -> str:
    """A template name as the user finds it: under the chart path they gave, when the file is there."""
    return f"{shown}/{template.split('/', 1)[1]}" if _chart_file(source, template) else template


def declaring_file(requirements: str | None, missing: list[str]) -> str:
    """Where the missing dependencies are declared: requirements.yaml (Helm v2 charts; Helm 3 still reads
    it) when it names them, else Chart.yaml."""
    try:
        declared = (yaml.safe_load(requirements) or {}).get("dependencies") if requirements else None
    except (yaml.YAMLError, AttributeError):
        declared = None
    names = {d.get("name") for d in declared if isinstance(d, dict)} if isinstance(declared, list) else set()
    return "requirements.yaml" if names and all(name in names for name in missing) else "Chart.yaml"
