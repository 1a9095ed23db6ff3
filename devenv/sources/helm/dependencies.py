"""Subcharts, as `helm template` treats them: every declared dependency vendored in charts/ (devenv renders
offline), and the CRDs of a subchart only when its tags and condition enable it."""

from __future__ import annotations

from typing import Any

from devenv.errors import InputError
from devenv.sources.helm.assembly import Doc
from devenv.sources.helm.failures import VENDOR_HINT, declaring_file


def check_vendored(chart: Any, shown: str) -> None:
    """As `helm template` does: every declared dependency must be in charts/. The file named is the one that
    declares it: Chart.yaml, or requirements.yaml (Helm v2 charts, `apiVersion: v1`)."""
    loaded = {dependency.get("name") for dependency in chart.dependencies}
    missing = [d.get("name", "?") for d in chart.metadata.get("dependencies") or [] if d.get("name") not in loaded]
    if missing:
        requirements = next((f.get("data") for f in chart.files or [] if f.get("name") == "requirements.yaml"), None)
        declared_in = declaring_file(requirements, missing)
        raise InputError(
            f"chart {shown}: found in {declared_in}, but missing in charts/ directory: {', '.join(missing)}",
            where=f"{shown}/{declared_in}",
            hint=VENDOR_HINT.format(chart=shown),
        )


def enabled_crds(chart: Any, values: dict[str, Any], rendered: dict[str, str]) -> list[Doc]:
    """The chart's crds/ files, as `--include-crds` prints them, without those of disabled subcharts.

    A subchart whose templates rendered is enabled; one without templates is judged by its dependency's
    `tags` and `condition` as Helm judges them (nested subcharts follow their top-level one).
    """
    crds = chart.crds
    if not crds:
        return []
    root = chart.name
    rendered_charts = {path.split("/templates/", 1)[0] for path in rendered}
    declared = chart.metadata.get("dependencies") or []
    merged: dict[str, Any] | None = None
    docs = []
    for crd in crds:
        owner = crd["filename"].rsplit("/crds/", 1)[0]
        enabled = owner == root or owner in rendered_charts
        if not enabled:
            top = owner.split("/")[2] if owner.startswith(f"{root}/charts/") else ""
            matching = [d for d in declared if top in (d.get("name"), d.get("alias"))]
            if merged is None:
                merged = chart.merge_values(values)
            enabled = not matching or any(_dependency_enabled(d, merged) for d in matching)
        if enabled:
            docs.append(Doc(crd["filename"], crd["data"], kind="CustomResourceDefinition"))
    return docs


def _dependency_enabled(dependency: dict[str, Any], values: dict[str, Any]) -> bool:
    """Helm's processDependencyTags then processDependencyConditions, for one top-level dependency."""
    enabled = True
    tags = values.get("tags")
    if isinstance(tags, dict):
        flags = [tags[tag] for tag in dependency.get("tags") or [] if isinstance(tags.get(tag), bool)]
        if flags and not any(flags):
            enabled = False
    for path in (dependency.get("condition") or "").strip().split(","):
        value: Any = values if path else None
        for part in path.split(".") if path else []:
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, bool):  # the first condition that resolves to a boolean decides
            return value
    return enabled

