"""Remote-engine tests: a second Docker engine started by the test set-up (.ci/remote-engine.sh) in its
own network and mount namespaces, reached only through DOCKER_HOST (its unix socket), where neither this
machine's project files nor its loopback are visible. They skip when it cannot be started, and fail
instead when DEVENV_REQUIRE_ENGINE=1 (CI sets it)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.engine.conftest import RECOMMENDER_BASE, STAND_INS, add_mirrors

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / ".ci" / "remote-engine.sh"
REQUIRED = os.environ.get("DEVENV_REQUIRE_ENGINE") == "1"
#: what the tests run there (the helper, the bundled example's images, the recommender's and the develop
#: stack's base images): the offline stand-ins, under the names tests/images/build.sh gives them
IMAGES = tuple(sorted(set(STAND_INS.values())))


def _host() -> str:
    return subprocess.run(["bash", str(SCRIPT), "host"], capture_output=True, text=True, check=True).stdout.strip()


def _answers(host: str) -> bool:
    return subprocess.run(["docker", "version"], capture_output=True, check=False,
                          env={**os.environ, "DOCKER_HOST": host}).returncode == 0


def _unavailable() -> str:
    if shutil.which("docker") is None or shutil.which("dockerd") is None:
        return "docker and dockerd are not installed"
    if os.geteuid() != 0:
        return "the second engine needs root (namespaces, dockerd)"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is missing"
    missing = [i for i in IMAGES
               if subprocess.run(["docker", "image", "inspect", i], capture_output=True, check=False).returncode]
    if missing:
        return f"test images missing on the first engine ({', '.join(missing)}): run tests/images/build.sh"
    return ""


def _give_up(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"DEVENV_REQUIRE_ENGINE=1 but the remote engine is unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def remote_engine() -> Iterator[str]:
    """DOCKER_HOST of the second engine, started (and the test images copied there) for the session."""
    reason = _unavailable()
    if reason:
        _give_up(reason)
    host = _host()
    started = not _answers(host)
    done = subprocess.run(["bash", str(SCRIPT), "start", *IMAGES], capture_output=True, text=True, timeout=600,
                          check=False)
    if done.returncode != 0:
        _give_up(f"{SCRIPT.name} start failed:\n{done.stderr[-3000:]}")
    yield host
    if started and os.environ.get("DEVENV_KEEP_REMOTE_ENGINE") != "1":
        subprocess.run(["bash", str(SCRIPT), "stop"], capture_output=True, timeout=120, check=False)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/remote" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.engine)


@dataclass
class Remote:
    """The devenv command line in one project directory, against one engine (by DOCKER_HOST or --context)."""

    cwd: Path
    project: str
    environ: dict[str, str] = field(default_factory=dict)

    def __call__(self, *args: str, check: bool = True, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "devenv", *args]
        if args and args[0] in {"up", "down", "status", "port", "run", "exec", "logs", "seed", "watch", "verify"} \
                and "--project" not in args:
            argv[3:4] = [args[0], "--project", self.project]
        done = subprocess.run(argv, cwd=self.cwd, capture_output=True, text=True, timeout=timeout, check=False,
                              env={**os.environ, **self.environ})
        if check and done.returncode != 0:
            raise AssertionError(f"devenv {' '.join(args)} exited {done.returncode}\n{done.stdout}\n{done.stderr}")
        return done

    def status(self, *extra: str) -> dict:
        return json.loads(self("status", "--json", *extra).stdout)

    def docker(self, *args: str, host: str | None = None) -> str:
        environ = {**os.environ, **self.environ}
        if host is not None:
            environ["DOCKER_HOST"] = host
        return subprocess.run(["docker", *args], capture_output=True, text=True, check=True, env=environ).stdout


def leftovers(project: str, host: str | None) -> dict[str, list[str]]:
    """Containers, networks and volumes labelled with the project on one engine (None: the first one)."""
    environ = {**os.environ}
    environ.pop("DOCKER_CONTEXT", None)
    if host:
        environ["DOCKER_HOST"] = host
    else:
        environ.pop("DOCKER_HOST", None)
    label = f"label=com.docker.compose.project={project}"
    found = {}
    for kind, argv in (("containers", ["docker", "ps", "-aq"]), ("networks", ["docker", "network", "ls", "-q"]),
                       ("volumes", ["docker", "volume", "ls", "-q"])):
        found[kind] = subprocess.run([*argv, "--filter", label], capture_output=True, text=True, check=False,
                                     env=environ).stdout.split()
    return found


def relays() -> list[str]:
    """Command lines of running tunnel processes (devenv.engine.relay)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if "devenv.engine.relay" in command:
                found.append(command)
    return found


def copy_project(sources: list[Path], target: Path) -> Path:
    """A copy of a project (devenv.toml and its folders) in a directory the remote engine cannot see, its
    images mirrored to the offline stand-ins (the bundled example's recommender built on the stand-in base)."""
    target.mkdir(parents=True)
    for source in sources:
        if source.is_dir():
            shutil.copytree(source, target / source.name)
        elif source.exists():
            shutil.copy(source, target / source.name)
    config = target / "devenv.toml"
    if config.is_file():
        add_mirrors(config, RECOMMENDER_BASE if "shop/recommender" in config.read_text() else "")
    return target


def new_project(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"
