"""Choosing the engine a command talks to, exactly as the docker CLI chooses it.

`--context NAME` wins; then DOCKER_HOST (the default context with that endpoint); then DOCKER_CONTEXT;
then the current context of the docker CLI's config (`docker context use`); else the default socket.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from devenv import process
from devenv.errors import InputError, RuntimeFailure
from devenv.model.engine import DEFAULT_CONTEXT, DEFAULT_HOST, EngineTarget


def resolve(context: str | None = None, environ: Mapping[str, str] | None = None) -> EngineTarget:
    """The engine `context` (or, without one, the environment) selects."""
    env = os.environ if environ is None else environ
    if context:
        name, chosen_by = context, "--context"
    elif env.get("DOCKER_HOST"):
        return EngineTarget(DEFAULT_CONTEXT, env["DOCKER_HOST"], "DOCKER_HOST")
    elif env.get("DOCKER_CONTEXT"):
        name, chosen_by = env["DOCKER_CONTEXT"], "DOCKER_CONTEXT"
    else:
        name = current_context(env)
        chosen_by = "docker config" if name != DEFAULT_CONTEXT else "default"
    if name == DEFAULT_CONTEXT:
        return EngineTarget(DEFAULT_CONTEXT, env.get("DOCKER_HOST") or DEFAULT_HOST, chosen_by)
    return EngineTarget(name, context_host(name, chosen_by), chosen_by)


def config_dir(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("DOCKER_CONFIG") or Path.home() / ".docker")


def current_context(environ: Mapping[str, str]) -> str:
    """The context `docker context use` selected (config.json's currentContext), or the default."""
    try:
        data = json.loads((config_dir(environ) / "config.json").read_text())
    except (OSError, ValueError):
        return DEFAULT_CONTEXT
    name = data.get("currentContext") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else DEFAULT_CONTEXT


def context_host(name: str, chosen_by: str) -> str:
    """The docker endpoint of a named context (`docker context inspect`)."""
    docker = shutil.which("docker")
    if docker is None:
        raise RuntimeFailure("the docker command is not installed", hint="install Docker, then run `devenv doctor`")
    try:
        output = process.run([docker, "context", "inspect", name, "--format", "{{json .Endpoints.docker.Host}}"],
                             f"docker context inspect {name}", timeout=30, failure=InputError)
    except InputError as exc:
        raise InputError(f"no Docker context named '{name}'", where=chosen_by,
                         details=exc.what.partition("\n")[2],
                         hint="list the contexts with `docker context ls`; create one with "
                              "`docker context create NAME --docker host=ssh://USER@HOST`") from None
    try:
        host = json.loads(output.strip() or '""')
    except ValueError:
        host = ""
    if not isinstance(host, str) or not host:
        raise InputError(f"the Docker context '{name}' has no docker endpoint", where=chosen_by,
                         hint="recreate it with `docker context create NAME --docker host=...`")
    return host
