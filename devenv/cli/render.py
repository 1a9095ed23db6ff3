"""`devenv render`: write the Compose project of an environment; `--check` fails when it is stale."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from devenv.cli import common
from devenv.errors import EXIT_GATE

if TYPE_CHECKING:
    from devenv import pipeline



def register(app: typer.Typer) -> None:
    app.command("render")(render)


def render(
    env: str = common.EnvOption,
    out: Path = typer.Option(None, "--out", "-o", help="Output directory (default: compose/ of devenv.toml)."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 when the rendered files are stale."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Run the renderer even when its inputs are unchanged."),
) -> None:
    """Translate the environment's manifests into DIR/compose.yaml and the files it mounts."""
    from devenv import pipeline

    config = common.STATE.config()
    rendered = pipeline.render(config, env, out, use_cache=not no_cache)
    if check:
        stale = pipeline.check(rendered)
        if stale:
            common.err.print(f"{rendered.out_dir} is stale: {len(stale)} file(s) differ from a fresh render:")
            for path in stale[:20]:
                common.err.print(f"  {path}")
            common.err.print("hint: run `devenv render` and commit the result")
            raise typer.Exit(EXIT_GATE)
        common.out.print(f"{rendered.out_dir / 'compose.yaml'} is up to date")
        return
    with pipeline.state_lock(config):
        written = pipeline.write(rendered)
    summary = summarize(rendered)
    note = "unchanged" if not written.changed else f"{len(written.changed)} file(s) written"
    cache = ", renderer cache hit" if rendered.cached else ""
    common.out.print(f"rendered {written.compose_file} ({note}; {summary}; {rendered.seconds * 1000:.0f} ms{cache})")
    from devenv.model.privileges import is_security_code

    refused = [d for d in rendered.deltas if is_security_code(d.code) and not d.accepted]
    if refused:
        common.err.print(f"warning: {len(refused)} host privilege(s) the manifests ask for are not granted in "
                         f"{config.path.name} and were left out; `devenv up` refuses to start until they are "
                         "allowed under [local] allow (`devenv report` lists them)", markup=False)


def summarize(rendered: pipeline.Rendered) -> str:
    deltas = [d for d in rendered.deltas if not d.accepted]
    counts = {sev: sum(1 for d in deltas if d.severity == sev) for sev in ("error", "warning", "info")}
    shown = ", ".join(f"{n} {sev}" for sev, n in counts.items() if n)
    return f"{len(rendered.output.services)} services, {len(deltas)} deltas" + (f" ({shown})" if shown else "")
