"""Selecting a remote engine by Docker context, and what still works there: a build from this machine's
working tree, `devenv watch` syncing edits into it, `status`/`port` through the tunnel, and `gc` finding
the stack from this checkout and sweeping a pool of engines named by context."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.remote.conftest import ROOT, Remote, copy_project, leftovers, new_project, relays


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read()).decode()


@pytest.fixture
def contexts(tmp_path: Path, remote_engine: str) -> dict[str, str]:
    """A docker config of its own with context `pool-a` (the remote engine) and `pool-b` (the first one)."""
    config = tmp_path / "docker-config"
    config.mkdir()
    plugins = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker") / "cli-plugins"
    if plugins.is_dir():
        (config / "cli-plugins").symlink_to(plugins)
    environ = {"DOCKER_CONFIG": str(config), "DOCKER_HOST": "", "DOCKER_CONTEXT": ""}
    for name, host in (("pool-a", remote_engine), ("pool-b", "unix:///var/run/docker.sock")):
        subprocess.run(["docker", "context", "create", name, "--docker", f"host={host}"], check=True,
                       capture_output=True, env={**os.environ, **environ})
    return environ


def test_a_context_selects_the_remote_engine_for_builds_watch_ports_and_gc(contexts: dict[str, str],
                                                                           remote_engine: str, tmp_path: Path) -> None:
    source = ROOT / "tests" / "engine" / "stacks" / "develop"
    project = copy_project([source / "devenv.toml", source / "k8s", source / "src"], tmp_path / "develop")
    remote = Remote(project, new_project("ctx"), contexts)
    try:
        up = remote("up", "--context", "pool-a", "--ttl", "1s", "--timeout", "180")
        assert "on pool-a (remote engine)" in up.stdout
        # the first engine knows nothing of it
        assert leftovers(remote.project, None)["containers"] == []

        # DOCKER_CONTEXT selects the same engine as --context
        remote.environ["DOCKER_CONTEXT"] = "pool-a"
        status = remote.status()
        assert status["engine"] == {"name": "pool-a", "host": remote_engine, "remote": True}
        address = remote("port", "greeter", "80").stdout.strip()
        del remote.environ["DOCKER_CONTEXT"]
        assert remote("port", "greeter", "80", "--context", "pool-a").stdout.strip() == address
        assert fetch(f"http://{address}/index.html") == "v1"  # built there from the working tree sent from here

        watcher = subprocess.Popen([sys.executable, "-m", "devenv", "watch", "--project", remote.project,
                                    "--context", "pool-a"], cwd=project, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env={**os.environ, **contexts})
        try:
            deadline = time.monotonic() + 60
            while fetch(f"http://{address}/index.html") != "v2":
                assert time.monotonic() < deadline, "the edit never reached the container on the remote engine"
                # written again until it arrives: the watcher may not watch yet (it renders and ships first)
                (project / "src" / "greeter" / "www" / "index.html").write_text("v2")
                time.sleep(2)
        finally:
            watcher.terminate()
            watcher.wait(timeout=20)

        time.sleep(1.5)  # past the 1 s time-to-live
        # gc from this checkout visits the engines it ran stacks on, without being told
        swept = json.loads(remote("gc", "--dry-run", "--json").stdout)
        engines = {e["engine"]: e for e in swept["engines"]}
        assert [p["project"] for p in engines["pool-a"]["would_remove"]] == [remote.project]
        # a pool sweep names its engines; an expired stack goes, with this checkout's tunnel to it
        pool = json.loads(remote("gc", "--dry-run", "--json", "--context", "pool-a", "--context", "pool-b").stdout)
        assert [e["engine"] for e in pool["engines"]] == ["pool-a", "pool-b"]
        assert not any(p["project"] == remote.project for p in pool["engines"][1]["would_remove"])
        removed = remote("gc", "--context", "pool-a")
        assert f"removed {remote.project}: expired" in removed.stdout
        assert leftovers(remote.project, remote_engine) == {"containers": [], "networks": [], "volumes": []}
        assert not [r for r in relays() if str(project) in r]
    finally:
        remote("down", "--volumes", "--context", "pool-a", check=False)
    assert leftovers(remote.project, remote_engine) == {"containers": [], "networks": [], "volumes": []}
