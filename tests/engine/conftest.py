"""Engine tests: a real Docker engine and Compose v2. They skip without one, and fail instead when
DEVENV_REQUIRE_ENGINE=1 (CI sets it), so a missing engine can never pass silently.

The images are the offline stand-ins of tests/images, named devenv-test/...; every devenv.toml the
tests run gets the [mirrors] table of tests/images/mirrors.toml appended, so the manifests keep
production's references and devenv's own mirror rewrite reaches the stand-ins."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

REQUIRED = os.environ.get("DEVENV_REQUIRE_ENGINE") == "1"
MIRRORS_FILE = Path(__file__).resolve().parents[1] / "images" / "mirrors.toml"
#: production reference -> the stand-in tests/images/build.sh builds for it
STAND_INS: dict[str, str] = tomllib.loads(MIRRORS_FILE.read_text(encoding="utf-8"))["mirrors"]
TEST_IMAGES = (STAND_INS["busybox:1.36.1"],)


def _unavailable() -> str:
    if shutil.which("docker") is None:
        return "the docker client is not installed"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "the Docker engine is not reachable"
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0:
        return "Compose v2 is not installed"
    missing = missing_images(TEST_IMAGES)
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


OWN_IMAGES = ("devenv-test/", "devenv.local/")  # the stand-ins, and devenv's builds of a working tree


def container_images(project: str) -> dict[str, str]:
    """Each of the project's containers (running or not) with the image reference it was created from."""
    ids = subprocess.run(["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={project}"],
                         capture_output=True, text=True, check=True).stdout.split()
    if not ids:
        return {}
    lines = subprocess.run(["docker", "inspect", "-f", "{{.Name}} {{.Config.Image}}", *ids], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    return dict(line.lstrip("/").split(" ", 1) for line in lines)


def leftovers(project: str) -> dict[str, list[str]]:
    """Containers, networks and volumes still labelled with the project."""
    label = f"label=com.docker.compose.project={project}"
    found = {}
    for kind, argv in (("containers", ["docker", "ps", "-aq"]), ("networks", ["docker", "network", "ls", "-q"]),
                       ("volumes", ["docker", "volume", "ls", "-q"])):
        found[kind] = subprocess.run([*argv, "--filter", label], capture_output=True, text=True).stdout.split()
    return found


def missing_images(images: tuple[str, ...] | list[str]) -> list[str]:
    """The images of `images` the engine does not hold."""
    return [i for i in images
            if subprocess.run(["docker", "image", "inspect", i], check=False, capture_output=True).returncode]


#: the bundled example's recommender built on the offline stand-in of its Python base
RECOMMENDER_BASE = f"""
[build."registry.example.com/shop/recommender".args]
PYTHON_IMAGE = "{STAND_INS["python:3.12-slim"]}"
"""


def add_mirrors(config: Path, extra: str = "") -> None:
    """Append the stand-ins' [mirrors] table (and `extra` TOML) to a copied devenv.toml."""
    text = config.read_text(encoding="utf-8")
    assert "[mirrors]" not in text, f"{config} has its own [mirrors]: the stand-ins' table would clash"
    config.write_text(f"{text.rstrip()}\n\n{MIRRORS_FILE.read_text(encoding='utf-8')}{extra}", encoding="utf-8")


def copy_stack(name: str, tmp_path: Path) -> Path:
    """A copy of tests/engine/stacks/NAME whose devenv.toml mirrors production's images to the stand-ins."""
    source = Path(__file__).parent / "stacks" / name
    target = tmp_path / name
    shutil.copytree(source, target)
    add_mirrors(target / "devenv.toml")
    return target


@pytest.fixture
def stack(request: pytest.FixtureRequest, tmp_path: Path, engine: None) -> Iterator[Devenv]:
    """A copy of tests/engine/stacks/NAME (from the test's `stack_name` marker) run under a unique project."""
    marker = request.node.get_closest_marker("stack_name")
    assert marker, "use @pytest.mark.stack_name('NAME')"
    devenv = Devenv(copy_stack(marker.args[0], tmp_path), f"t{uuid.uuid4().hex[:10]}")
    yield devenv
    images = container_images(devenv.project)
    devenv("down", "--volumes", check=False)
    foreign = {name: image for name, image in images.items() if not image.startswith(OWN_IMAGES)}
    assert not foreign, f"containers ran images other than the stand-ins (a mirror is missing): {foreign}"
