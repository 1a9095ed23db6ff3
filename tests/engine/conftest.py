"""Engine tests: a real Docker engine and Compose v2. They skip without one, and fail instead when
DEVENV_REQUIRE_ENGINE=1 (CI sets it), so a missing engine can never pass silently."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

REQUIRED = os.environ.get("DEVENV_REQUIRE_ENGINE") == "1"
TEST_IMAGES = ("busybox:1.36.1",)


def _unavailable() -> str:
    if shutil.which("docker") is None:
        return "the docker client is not installed"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "the Docker engine is not reachable"
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        return "Compose v2 is not installed"
    missing = [i for i in TEST_IMAGES if subprocess.run(["docker", "image", "inspect", i], capture_output=True).returncode]
    if missing:
        return f"test images missing ({', '.join(missing)}): run tests/images/build.sh"
    return ""


@pytest.fixture(scope="session")
def engine() -> None:
    reason = _unavailable()
    if reason:
        if REQUIRED:
            pytest.fail(f"DEVENV_REQUIRE_ENGINE=1 but {reason}")
        pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/engine" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.engine)
            if "engine" not in getattr(item, "fixturenames", []):
                item.fixturenames.insert(0, "engine")  # type: ignore[attr-defined]


@dataclass
class Devenv:
    """Runs the devenv command line against one project directory under a unique project name."""

    cwd: Path
    project: str

    def __call__(self, *args: str, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "devenv", *args]
        if args and args[0] in {"up", "down", "status", "port", "run", "exec", "logs"} and "--project" not in args:
            argv[3:4] = [args[0], "--project", self.project]
        done = subprocess.run(argv, cwd=self.cwd, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"devenv {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done

    def status(self) -> dict:
        return json.loads(self("status", "--json").stdout)

    def container(self, service: str) -> str:
        out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={self.project}",
                              "--filter", f"label=com.docker.compose.service={service}"],
                             capture_output=True, text=True, check=True).stdout.split()
        assert out, f"no container for service {service}"
        return out[0]

    def exec(self, service: str, *command: str) -> str:
        return subprocess.run(["docker", "exec", self.container(service), *command], capture_output=True,
                              text=True, check=True).stdout


def leftovers(project: str) -> dict[str, list[str]]:
    """Containers, networks and volumes still labelled with the project."""
    label = f"label=com.docker.compose.project={project}"
    found = {}
    for kind, argv in (("containers", ["docker", "ps", "-aq"]), ("networks", ["docker", "network", "ls", "-q"]),
                       ("volumes", ["docker", "volume", "ls", "-q"])):
        found[kind] = subprocess.run([*argv, "--filter", label], capture_output=True, text=True).stdout.split()
    return found


def copy_stack(name: str, tmp_path: Path) -> Path:
    source = Path(__file__).parent / "stacks" / name
    target = tmp_path / name
    shutil.copytree(source, target)
    return target


@pytest.fixture
def stack(request: pytest.FixtureRequest, tmp_path: Path, engine: None) -> Iterator[Devenv]:
    """A copy of tests/engine/stacks/NAME (from the test's `stack_name` marker) run under a unique project."""
    marker = request.node.get_closest_marker("stack_name")
    assert marker, "use @pytest.mark.stack_name('NAME')"
    devenv = Devenv(copy_stack(marker.args[0], tmp_path), f"t{uuid.uuid4().hex[:10]}")
    yield devenv
    devenv("down", "--volumes", check=False)
