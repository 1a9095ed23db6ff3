"""What every command shares: the loaded config, the consoles, the project name, option types."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console

if TYPE_CHECKING:
    from devenv.config import Config



out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

@dataclass
class State:
    config_path: Path | None = None
    debug: bool = False

    def config(self) -> Config:
        from devenv.config import find_config, load_config

        return load_config(find_config(Path.cwd(), self.config_path))


STATE = State()

EnvOption = typer.Option(None, "--env", "-e", help="Environment of devenv.toml (default: the mirrored one).")
ProjectOption = typer.Option(None, "--project", "-p", help="Compose project name (default: from devenv.toml).")
ContextOption = typer.Option(None, "--context", help="Docker context of the engine to use (default: DOCKER_HOST, "
                                                     "DOCKER_CONTEXT, or the `docker context use` one).")


def use_engine(context: str | None) -> None:
    """Talk to the engine `context` names (or the environment selects) for the rest of the command."""
    from devenv.engine.selection import use
    from devenv.engine.target import resolve

    use(resolve(context))


def project_name(config: Config, given: str | None) -> str:
    """The Compose project name: given, DEVENV_PROJECT, derived from the CI job, or devenv.toml's."""
    from devenv import stackid

    return stackid.project_name(config.project, given, config.state_dir)
