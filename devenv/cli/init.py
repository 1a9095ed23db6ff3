"""`devenv init [PATH]`: find what a repository deploys (Kustomize overlays, Helm charts with their values
files, folders of plain manifests) and write a commented devenv.toml with one environment each."""

from __future__ import annotations

from pathlib import Path

import typer

from devenv.cli import common
from devenv.errors import InputError


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    path: Path = typer.Argument(Path("."), help="The repository (or folder) to look in."),
    out: Path = typer.Option(None, "--out", "-o", help="Directory to write devenv.toml into (default: PATH); "
                                                       "its paths are written relative to it."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing devenv.toml."),
    stdout: bool = typer.Option(False, "--stdout", help="Print the proposed devenv.toml instead of writing it."),
) -> None:
    """Propose a devenv.toml: one environment per Kustomize overlay, Helm values file and set of plain
    manifests found under PATH, the mirror set to the one that looks like production."""
    from devenv.config import CONFIG_NAME, load_config
    from devenv.sources.discover import discover
    from devenv.sources.scaffold import devenv_toml, propose

    discovery = discover(path)
    proposal = propose(discovery)
    if not proposal.envs:
        raise InputError(f"found no Kustomize overlay, Helm chart or Kubernetes manifest under {discovery.root}",
                         hint="run `devenv init` on the folder holding the manifests production deploys, or write "
                              f"{CONFIG_NAME} by hand (see the README)")
    folder = (out or path).resolve()
    text = devenv_toml(discovery, folder)
    if stdout:
        common.out.print(text, end="", markup=False)
        return
    target = folder / CONFIG_NAME
    if target.exists() and not force:
        raise InputError(f"{target} already exists", where=str(target),
                         hint="pass --force to overwrite it, or --stdout to print the proposal and merge it by hand")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    load_config(target)  # what init writes must load: a failure here is devenv's bug, reported as such
    common.out.print(f"wrote {target}: {len(proposal.envs)} environment(s), mirror '{proposal.mirror}'", markup=False)
    width = max(len(name) for name, _ in proposal.envs)
    for name, found in proposal.envs:
        common.out.print(f"  {name:<{width}}  {found.kind:<9} {found.path}", markup=False)
    common.out.print("next: `devenv render` (or `devenv up`); edit the file to drop what you do not deploy",
                     markup=False)
