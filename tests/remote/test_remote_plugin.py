"""A CI job's integration tests on an engine of a pool: the pytest plugin takes the engine from the
environment (DOCKER_HOST here; DOCKER_CONTEXT alike), and hands the tests addresses that work from the
test process, through the tunnel."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.remote.conftest import ROOT, copy_project, leftovers, new_project, relays

TESTS = '''
import urllib.request


def test_frontend_fetches_from_the_backend(devenv_stack):
    assert devenv_stack.engine["remote"] is True
    address = devenv_stack.address("frontend", 8000)
    assert address.startswith("127.0.0.1:")
    with urllib.request.urlopen(f"http://{address}/fetched.html", timeout=10) as response:
        assert response.read() == b"hello from backend"
'''


def test_the_pytest_plugin_runs_the_stack_on_the_engine_the_environment_names(remote_engine: str,
                                                                             tmp_path: Path) -> None:
    source = ROOT / "tests" / "engine" / "stacks" / "three-services"
    stack = copy_project([source / "devenv.toml", source / "k8s"], tmp_path / "stack")
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "test_integration.py").write_text(TESTS)
    project = new_project("plugin")
    environ = {**os.environ, "DOCKER_HOST": remote_engine, "DEVENV_TEST_PROJECT": project}
    environ.pop("DOCKER_CONTEXT", None)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--devenv-config",
                           str(stack / "devenv.toml"), "test_integration.py"], cwd=tmp_path / "suite",
                          capture_output=True, text=True, env=environ, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert leftovers(project, remote_engine) == {"containers": [], "networks": [], "volumes": []}
    assert leftovers(project, None) == {"containers": [], "networks": [], "volumes": []}
    assert not [r for r in relays() if str(stack) in r]
