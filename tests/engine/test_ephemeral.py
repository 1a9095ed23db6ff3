"""Throw-away stacks (issue 7): isolation, predictable failure, cleanup even after SIGKILL, the pytest plugin."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.engine.conftest import Devenv, copy_stack, leftovers


def test_four_stacks_of_one_project_side_by_side(tmp_path: Path, engine: None) -> None:
    folder = copy_stack("three-services", tmp_path)
    stacks = [Devenv(folder, f"four{uuid.uuid4().hex[:6]}-{i}") for i in range(4)]
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda s: s("up", "--timeout", "240", check=False), stacks))
        elapsed = time.monotonic() - started
        for result in results:
            assert result.returncode == 0, result.stdout + result.stderr
        addresses = set()
        for stack in stacks:
            host_port = stack("port", "frontend", "80").stdout.strip()
            assert host_port.startswith("127.0.0.1:")
            addresses.add(host_port)
            with urllib.request.urlopen(f"http://{host_port}/fetched.html", timeout=5) as response:
                assert response.read() == b"hello from backend"
            names = subprocess.run(["docker", "ps", "--filter", f"label=com.docker.compose.project={stack.project}",
                                    "--format", "{{.Names}}"], capture_output=True, text=True).stdout.split()
            assert len(names) == 6 and all(n.startswith(stack.project) for n in names)
        assert len(addresses) == 4, "every stack publishes on its own port"
        print(f"four stacks up in {elapsed:.1f} s")
    finally:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda s: s("down", "--volumes", check=False), stacks))
    for stack in stacks:
        assert leftovers(stack.project) == {"containers": [], "networks": [], "volumes": []}


@pytest.mark.stack_name("crashing")
def test_crashing_service_fails_up_fast_with_its_logs_and_rm_on_failure_cleans(stack: Devenv, tmp_path: Path) -> None:
    started = time.monotonic()
    done = stack("up", "--timeout", "60", "--rm-on-failure", "--logs-dir", str(tmp_path / "logs"), check=False)
    assert done.returncode == 3, done.stdout + done.stderr
    assert time.monotonic() - started < 60
    assert "broken" in done.stderr and "exit code 3" in done.stderr
    assert "FATAL: cannot read /etc/broken/config.yaml" in done.stderr
    assert "FATAL" in (tmp_path / "logs" / "broken.log").read_text()
    assert "Traceback" not in done.stderr
    assert leftovers(stack.project) == {"containers": [], "networks": [], "volumes": []}


@pytest.mark.stack_name("slow")
def test_timeout_names_the_service_that_is_not_ready(stack: Devenv) -> None:
    done = stack("up", "--timeout", "8", check=False)
    assert done.returncode == 3
    assert "slow" in done.stderr and "not ready before the timeout" in done.stderr


@pytest.mark.stack_name("slow")
def test_gc_removes_the_leftovers_of_an_up_killed_with_sigkill(stack: Devenv) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    process = subprocess.Popen([sys.executable, "-m", "devenv", "up", "--project", stack.project, "--timeout", "300"],
                               cwd=stack.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not leftovers(stack.project)["containers"] and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(1)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert leftovers(stack.project)["containers"], "the killed up left containers behind"
    dry = json.loads(stack("gc", "--dry-run", "--json").stdout)
    assert stack.project in [s["project"] for s in dry["would_remove"]]
    assert leftovers(stack.project)["containers"], "--dry-run removes nothing"
    stack("gc")
    assert leftovers(stack.project) == {"containers": [], "networks": [], "volumes": []}


@pytest.mark.stack_name("three-services")
def test_gc_removes_expired_stacks_and_keeps_live_ones(stack: Devenv) -> None:
    stack("up", "--ttl", "2s")
    kept = Devenv(stack.cwd, f"{stack.project}-keep")
    try:
        kept("up")
        time.sleep(3)
        removed = json.loads(stack("gc", "--json").stdout)["removed"]
        assert [s["project"] for s in removed if s["project"] in (stack.project, kept.project)] == [stack.project]
        assert leftovers(stack.project)["containers"] == []
        assert leftovers(kept.project)["containers"]
        stack("down")  # idempotent: nothing left to remove is not an error
    finally:
        kept("down", "--volumes", check=False)


def test_ci_project_names_are_unique_per_job(tmp_path: Path, engine: None) -> None:
    folder = copy_stack("three-services", tmp_path)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_JOB"))}
    names = []
    for job in ("101", "102"):
        env = {**base, "CI": "true", "GITHUB_RUN_ID": job, "GITHUB_RUN_ATTEMPT": "1", "GITHUB_JOB": "integration"}
        state = tmp_path / f"state-{job}"
        done = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; from devenv.stackid import "
                               "project_name; print(project_name('three', None, Path(sys.argv[1])))", str(state)],
                              env=env, capture_output=True, text=True, check=True)
        names.append(done.stdout.strip())
    assert names == ["three-101-1-integration", "three-102-1-integration"]
    assert folder.exists()
