"""The choke point to python-on-whales (for `doctor`, `verify` and the commands off the hot path), and its
engine errors as RuntimeFailure; `up`, `down` and `status` use devenv.engine.calls instead."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from typing import Iterator

from python_on_whales import DockerClient
from python_on_whales.exceptions import DockerException

from devenv.engine.calls import COMPOSE_HINT, ENGINE_HINT, env_file_text, env_files, failure
from devenv.engine.selection import cli_args, current_target, selected, target_options, use
from devenv.errors import RuntimeFailure

__all__ = ["ENGINE_HINT", "cli_args", "current_target", "docker", "engine_errors", "env_file_text", "env_files",
           "require_engine", "selected", "target_options", "use"]

def docker() -> DockerClient:
    if shutil.which("docker") is None:
        raise RuntimeFailure("the docker command is not installed", hint="install Docker, then run `devenv doctor`")
    return DockerClient(**target_options())  # type: ignore[arg-type]


@contextmanager
def engine_errors(what: str, hint: str = "") -> Iterator[None]:
    """Turn an engine failure into one clear RuntimeFailure (exit code 3)."""
    try:
        yield
    except DockerException as exc:
        output = "\n".join(part for part in (exc.stderr or "", exc.stdout or "") if part).strip()
        raise failure(output, what, hint) from None


def require_engine() -> DockerClient:
    """A client for a running engine with Compose v2, or a RuntimeFailure saying what to fix."""
    client = docker()
    with engine_errors("asking the Docker engine for its version"):
        client.version()
    with engine_errors("running `docker compose version`", COMPOSE_HINT):
        client.compose.version()
    return client
