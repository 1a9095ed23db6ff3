"""A pytest plugin: the `devenv_stack` fixture brings a stack up for the test session.

Options: `--devenv-config PATH` (default: devenv.toml found from the working directory),
`--devenv-keep` (leave the stack up after the session), `--devenv-context NAME` (the Docker context
of the engine to run it on). Without that option the engine comes from the environment, as for the
docker CLI: DOCKER_HOST, DOCKER_CONTEXT, or the current `docker context use` one; a CI job picks an
engine of a pool by exporting DOCKER_CONTEXT. The fixture yields a `Stack` whose `address(service,
port)` returns the 127.0.0.1 host:port that reaches that Service port from the test process: where it
is published, or the local end of devenv's tunnel when the engine is remote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from devenv import process
from devenv.errors import RuntimeFailure


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("devenv")
    group.addoption("--devenv-config", default=None, help="devenv.toml of the stack the devenv_stack fixture starts")
    group.addoption("--devenv-keep", action="store_true", help="leave the devenv stack up after the session")
    group.addoption("--devenv-context", default=None,
                    help="Docker context of the engine to run the stack on (default: DOCKER_HOST, DOCKER_CONTEXT, "
                         "or the current context)")


@dataclass
class Stack:
    """A running stack: its project name, config, and the published addresses of its services."""

    project: str
    config: Path
    services: list[dict[str, Any]]
    engine: dict[str, Any] | None = None  # name, host, and whether it is remote (from `devenv status --json`)
    context: str | None = None

    def address(self, service: str, port: int) -> str:
        """host:port on 127.0.0.1 that reaches `service`'s container port `port` from here."""
        for entry in self.services:
            if entry["service"] in (service, f"{service}-pod"):
                for mapping in entry["ports"]:
                    host, _, container = mapping.partition("->")
                    if container.split("/")[0] == str(port):
                        return str(host)
        raise KeyError(f"{service}:{port} is not published (list it under [publish] in devenv.toml)")

    def devenv(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_devenv(self.config, self.project, *args, check=check, context=self.context)


#: the commands that take --project and --context
ENGINE_COMMANDS = {"up", "down", "status", "port", "run", "exec", "logs", "seed", "verify", "watch"}


def run_devenv(config: Path, project: str, *args: str, check: bool = True,
               context: str | None = None) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "devenv", "--config", str(config), *args]
    if args and args[0] in ENGINE_COMMANDS:
        argv += ["--project", project, *(["--context", context] if context else [])]
    done = process.completed(argv, "devenv", timeout=None, failure=RuntimeFailure)
    if check and done.returncode != 0:
        raise RuntimeError(f"devenv {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done


@pytest.fixture(scope="session")
def devenv_config(request: pytest.FixtureRequest) -> Path:
    """devenv.toml of the stack under test; override this fixture to point elsewhere."""
    given = request.config.getoption("--devenv-config")
    return Path(given).resolve() if given else _find_config(Path.cwd())


@pytest.fixture(scope="session")
def devenv_stack(request: pytest.FixtureRequest, devenv_config: Path) -> Iterator[Stack]:
    """The stack of `devenv_config`, up for the whole session under a unique project, down at the end."""
    config = devenv_config
    project = os.environ.get("DEVENV_TEST_PROJECT") or f"pytest-{uuid.uuid4().hex[:8]}"
    context = request.config.getoption("--devenv-context")
    try:
        run_devenv(config, project, "up", context=context)
        status = json.loads(run_devenv(config, project, "status", "--json", context=context).stdout)
        yield Stack(project, config, status["services"], status.get("engine"), context)
    finally:
        if not request.config.getoption("--devenv-keep"):
            run_devenv(config, project, "down", "--volumes", check=False, context=context)


def _find_config(start: Path) -> Path:
    for folder in [start, *start.parents]:
        if (folder / "devenv.toml").is_file():
            return folder / "devenv.toml"
    raise pytest.UsageError("devenv_stack: no devenv.toml found; pass --devenv-config PATH")
