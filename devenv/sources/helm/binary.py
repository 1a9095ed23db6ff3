"""Helm's own `helm` binary, when it is on PATH: `helm template RELEASE CHART --namespace NS --include-crds
-f ... --set ...`, run through the sources' one process runner."""

from __future__ import annotations

from devenv.config import HelmSource
from devenv.errors import InputError
from devenv.sources.helm.assembly import Doc, docs_from_stream
from devenv.sources.helm.failures import render_failure
from devenv.sources.tools import ToolFailed, run_tool

RENDER_TIMEOUT = 300


def template_argv(binary: str, source: HelmSource) -> list[str]:
    """The `helm template` command line that renders the chart as an install of the release."""
    argv = [binary, "template", source.release, str(source.chart), "--namespace", source.namespace,
            "--include-crds"]
    for values in source.values:
        argv += ["--values", str(values)]
    for key, value in source.set:
        argv += ["--set", f"{key}={value}"]
    if source.kube_version:
        argv += ["--kube-version", source.kube_version]
    return argv


def render_with_binary(binary: str, source: HelmSource, shown: str) -> list[Doc]:
    """The documents `helm template` prints, in its order; its error message pointed at the file."""
    try:
        stream = run_tool(template_argv(binary, source), f"helm template of {shown}", timeout=RENDER_TIMEOUT,
                          hint="run `helm template` on the chart by hand to see where it hangs")
    except ToolFailed as exc:
        raise render_failure(source, shown, exc.output.removeprefix("Error: ")) from None
    return docs_from_stream(stream)


def binary_version(binary: str) -> str:
    """`helm version --short` without its build suffix (`v3.14.0`)."""
    try:
        output = run_tool([binary, "version", "--short"], "helm version", timeout=30)
    except InputError:
        return "(version unknown)"
    return output.strip().split("+")[0] or "(version unknown)"
