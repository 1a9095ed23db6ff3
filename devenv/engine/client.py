"""The choke point to python-on-whales: clients for a project, and engine errors as RuntimeFailure."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from python_on_whales import DockerClient
from python_on_whales.exceptions import DockerException

from devenv import statedir
from devenv.errors import RuntimeFailure
from devenv.model.engine import EngineTarget
from devenv.model.project import ProjectFiles

ENGINE_HINT = "start the Docker engine (Docker Desktop, or `sudo dockerd &` on Linux), then run `devenv doctor`"

#: the engine this process talks to: one per command, like the docker CLI's own --context (None: the environment's)
_selected: EngineTarget | None = None


def use(target: EngineTarget | None) -> None:
    """Talk to `target` from now on (None: whatever DOCKER_HOST, DOCKER_CONTEXT or the docker config say)."""
    global _selected
    _selected = target


def selected() -> EngineTarget | None:
    return _selected


def current_target() -> EngineTarget:
    """The engine in use: the one selected, else the one the environment selects (DOCKER_HOST, DOCKER_CONTEXT,
    the docker config), resolved once per process."""
    global _selected
    if _selected is None:
        from devenv.engine.target import resolve

        _selected = resolve(None)
    return _selected


def target_options() -> dict[str, str]:
    """DockerClient keyword arguments selecting the engine in use."""
    return dict(_selected.client_options) if _selected else {}


def cli_args() -> list[str]:
    """docker CLI global options selecting the engine in use (for commands run without python-on-whales)."""
    return list(_selected.cli_args) if _selected else []


def docker() -> DockerClient:
    if shutil.which("docker") is None:
        raise RuntimeFailure("the docker command is not installed", hint="install Docker, then run `devenv doctor`")
    return DockerClient(**target_options())  # type: ignore[arg-type]


def env_file_text(environment: Mapping[str, str]) -> str:
    """Variables as a Compose env file: single-quoted values are taken literally."""
    lines = []
    for key, value in sorted(environment.items()):
        if "'" in value or "\n" in value:
            raise ValueError(f"stack variable {key} holds a quote or a line break")
        lines.append(f"{key}='{value}'\n")
    return "".join(lines)


def env_files(files: ProjectFiles) -> list[str | Path]:
    """The env files Compose reads for this project: local secrets, then the stack's own variables."""
    found: list[str | Path] = [files.env_file] if files.env_file.is_file() else []
    if files.environment:
        path = files.stack_env_file
        text = env_file_text(files.environment)
        if not path.is_file() or path.read_text() != text:
            statedir.ensure(path.parent)  # beside compose.env, in the state directory
            statedir.write_private(path, text.encode())
        found.append(path)
    return found


def compose_client(files: ProjectFiles, all_profiles: bool = False) -> DockerClient:
    env_files_ = env_files(files)
    return DockerClient(**target_options(),  # type: ignore[arg-type]
                        compose_files=[files.compose_file], compose_project_name=files.project,
                        compose_env_files=env_files_, compose_project_directory=files.directory,
                        compose_profiles=["*"] if all_profiles else [])


@contextmanager
def engine_errors(what: str, hint: str = "") -> Iterator[None]:
    """Turn an engine failure into one clear RuntimeFailure (exit code 3)."""
    try:
        yield
    except DockerException as exc:
        output = "\n".join(part for part in (exc.stderr or "", exc.stdout or "") if part).strip()
        down = "Cannot connect to the Docker daemon" in output or "Is the docker daemon running" in output
        raise RuntimeFailure(
            "the Docker engine is not reachable" if down else f"{what} failed",
            hint=ENGINE_HINT if down else hint or "see the engine's message above",
            details=output,
        ) from None


def require_engine() -> DockerClient:
    """A client for a running engine with Compose v2, or a RuntimeFailure saying what to fix."""
    client = docker()
    with engine_errors("asking the Docker engine for its version"):
        client.version()
    with engine_errors("running `docker compose version`",
                       "install Compose v2 as a Docker CLI plugin (docker-compose in ~/.docker/cli-plugins/)"):
        client.compose.version()
    return client
