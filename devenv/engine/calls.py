"""The engine's fast path: captured `docker` calls without python-on-whales, answers read from the CLI's JSON.

`up`, `down` and `status` run on every stack start and stop. python-on-whales costs a quarter of a second
to import and runs one `docker inspect` per container (and again for each attribute read once its
cache has expired); here each question is one docker process: one `ps` for a project's containers,
one `inspect` of all of them, one `volume` call for the stack's markers. A failed call becomes the same
RuntimeFailure as through python-on-whales (engine_errors in devenv.engine.client).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devenv import process, statedir
from devenv.engine.selection import cli_args
from devenv.errors import RuntimeFailure
from devenv.model.project import ProjectFiles

ENGINE_HINT = "start the Docker engine (Docker Desktop, or `sudo dockerd &` on Linux), then run `devenv doctor`"
COMPOSE_HINT = "install Compose v2 as a Docker CLI plugin (docker-compose in ~/.docker/cli-plugins/)"


@dataclass
class CallFailed(Exception):
    """A docker command exited with an error."""

    argv: list[str]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        # `inspect` prints an empty JSON list beside its error: no news for the reader
        parts = (self.stderr.strip(), "" if self.stdout.strip() == "[]" else self.stdout.strip())
        return "\n".join(part for part in parts if part)


def program() -> str:
    """The docker CLI's path, or a RuntimeFailure saying to install it."""
    found = shutil.which("docker")
    if found is None:
        raise RuntimeFailure("the docker command is not installed", hint="install Docker, then run `devenv doctor`")
    return found


def run(args: Sequence[str], merge: bool = False) -> str:
    """`docker ARGS...` on the engine in use, to completion; its standard output (with standard error when
    `merge`), or CallFailed."""
    argv = [program(), *cli_args(), *args]
    done = process.completed(argv, f"docker {args[0] if args else ''}", timeout=None, merge=merge,
                             failure=RuntimeFailure, hint=ENGINE_HINT)
    if done.returncode != 0:
        raise CallFailed(argv, done.returncode, done.stdout, done.stderr or "")
    return done.stdout


def inspect(kind: str, names: Sequence[str]) -> list[dict[str, Any]]:
    """One `docker inspect` of many objects; those that vanished meanwhile are left out."""
    if not names:
        return []
    try:
        text = run(["inspect", "--type", kind, *names])
    except CallFailed as exc:
        if "no such" not in exc.stderr.lower():
            raise
        text = exc.stdout  # the CLI still prints the objects it found
    try:
        found = json.loads(text or "[]")
    except ValueError:
        return []
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def listed(kind: str, label: str) -> list[str]:
    """Full IDs (containers) or names (networks, volumes) of the engine's objects of `kind` carrying `label`
    (`KEY` or `KEY=VALUE`): one `docker ps` or `docker KIND ls`."""
    command = ["ps", "-aq", "--no-trunc"] if kind == "container" else [kind, "ls", "-q"]
    return run([*command, "--filter", f"label={label}"]).split()


def unreachable(output: str) -> bool:
    return "Cannot connect to the Docker daemon" in output or "Is the docker daemon running" in output


def compose_missing(output: str) -> bool:
    return "'compose' is not a docker command" in output


def failure(output: str, what: str, hint: str = "") -> RuntimeFailure:
    """The RuntimeFailure (exit code 3) for an engine call that failed with `output`."""
    if unreachable(output):
        return RuntimeFailure("the Docker engine is not reachable", hint=ENGINE_HINT, details=output)
    if compose_missing(output):
        return RuntimeFailure("Docker Compose v2 is not installed", hint=COMPOSE_HINT, details=output)
    return RuntimeFailure(f"{what} failed", hint=hint or "see the engine's message above", details=output)


@contextmanager
def failures(what: str, hint: str = "") -> Iterator[None]:
    """Turn a failed docker call into one clear RuntimeFailure."""
    try:
        yield
    except CallFailed as exc:
        raise failure(exc.output, what, hint) from None


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


def compose_args(files: ProjectFiles, profiles: Sequence[str] = ()) -> list[str]:
    """`compose` with the project's name, file, directory, env files and profiles (after `docker` and the
    engine's selection, cli_args)."""
    args = ["compose", "-p", files.project, "-f", str(files.compose_file), "--project-directory", str(files.directory)]
    for env_file in env_files(files):
        args += ["--env-file", str(env_file)]
    for profile in profiles:
        args += ["--profile", profile]
    return args
