"""A remote engine behind an `ssh://` Docker context: the stack runs there, its ports are reached through an
SSH local forward to the engine host's loopback (no relay container), and `down` closes the tunnel."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

from tests.remote.conftest import ROOT, SCRIPT, Remote, copy_project, leftovers, new_project, relays


def test_an_ssh_context_reaches_the_stack_through_an_ssh_tunnel(remote_engine: str, tmp_path: Path) -> None:
    ssh_bin = subprocess.run(["bash", str(SCRIPT), "ssh-bin"], capture_output=True, text=True,
                             check=True).stdout.strip()
    config = tmp_path / "docker-config"
    config.mkdir()
    plugins = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker") / "cli-plugins"
    if plugins.is_dir():
        (config / "cli-plugins").symlink_to(plugins)
    # `ssh` on PATH knows the host devenv-remote (an sshd inside the engine's namespaces), for the docker
    # CLI's ssh:// connection and devenv's tunnel alike
    environ = {"DOCKER_CONFIG": str(config), "DOCKER_HOST": "", "DOCKER_CONTEXT": "",
               "PATH": f"{ssh_bin}:{os.environ['PATH']}"}
    subprocess.run(["docker", "context", "create", "over-ssh", "--docker", "host=ssh://root@devenv-remote"],
                   check=True, capture_output=True, env={**os.environ, **environ})
    source = ROOT / "tests" / "engine" / "stacks" / "develop"
    project = copy_project([source / "devenv.toml", source / "k8s", source / "src"], tmp_path / "develop")
    remote = Remote(project, new_project("ssh"), environ)
    try:
        up = remote("up", "--context", "over-ssh", "--timeout", "180")
        assert "on over-ssh (remote engine)" in up.stdout
        status = remote.status("--context", "over-ssh")
        assert status["engine"] == {"name": "over-ssh", "host": "ssh://root@devenv-remote", "remote": True}
        assert "devenv-relay" not in {s["service"] for s in status["services"]}  # SSH needs no relay
        address = remote("port", "greeter", "80", "--context", "over-ssh").stdout.strip()
        with urllib.request.urlopen(f"http://{address}/index.html", timeout=10) as response:
            assert response.read() == b"v1"
        [state] = (project / ".devenv" / "tunnels").glob("*-" + remote.project + ".json")
        assert json.loads(state.read_text())["kind"] == "ssh"
        tunnels = [r for r in relays() if str(project) in r]
        assert len(tunnels) == 1
    finally:
        remote("down", "--volumes", "--context", "over-ssh", check=False)
    assert leftovers(remote.project, remote_engine) == {"containers": [], "networks": [], "volumes": []}
    assert not [r for r in relays() if str(project) in r]
    ssh_tunnels = subprocess.run(["pgrep", "-f", "ssh -F .* -N .*-L 127.0.0.1"], capture_output=True, text=True,
                                 check=False).stdout.split()
    assert ssh_tunnels == []
