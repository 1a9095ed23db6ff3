"""What every command shares: the loaded config, the consoles, the project name, option types."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console

from devenv.config import Config, find_config, load_config
from devenv.errors import InputError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

PROJECT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass
class State:
    config_path: Path | None = None
    debug: bool = False

    def config(self) -> Config:
        return load_config(find_config(Path.cwd(), self.config_path))


STATE = State()

EnvOption = typer.Option(None, "--env", "-e", help="Environment of devenv.toml (default: the mirrored one).")
ProjectOption = typer.Option(None, "--project", "-p", help="Compose project name (default: from devenv.toml).")


def project_name(config: Config, given: str | None) -> str:
    """The Compose project name: given, else the config's; validated against Compose's naming rules."""
    name = given or os.environ.get("DEVENV_PROJECT") or config.project
    if not PROJECT_RE.match(name):
        raise InputError(
            f"'{name}' is not a valid project name",
            where="--project",
            hint="use lower-case letters, digits, '-' and '_', starting with a letter or digit",
        )
    return name
