"""Granted host privileges on a real engine: what devenv.toml allows by name is what the containers get.

A workload asks for an added capability, the host's PID namespace, an unsafe sysctl,
unconfined seccomp/AppArmor, an unmasked /proc, a hostPath and a hostPort; another asks for the host's
network. Without grants `up` refuses (exit 2) before touching the engine; with them the stack becomes
ready and `docker inspect` shows each setting, the hostPort bound on 127.0.0.1 only. (`privileged` is
checked by the unit tests only: an engine that itself runs without every capability cannot start a
privileged container.)
"""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import MIRRORS_FILE, Devenv, leftovers

AGENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: agent, namespace: ops}}
spec:
  selector: {{matchLabels: {{app: agent}}}}
  template:
    metadata:
      labels: {{app: agent}}
      annotations: {{container.apparmor.security.beta.kubernetes.io/agent: unconfined}}
    spec:
      hostPID: true
      securityContext:
        seccompProfile: {{type: Unconfined}}
        sysctls: [{{name: kernel.msgmax, value: "65536"}}]
      containers:
        - name: agent
          image: busybox:1.36.1
          command: ["httpd", "-f", "-p", "80", "-h", "/host"]
          ports: [{{containerPort: 80, hostPort: {port}, hostIP: 0.0.0.0}}]
          securityContext:
            procMount: Unmasked
            capabilities: {{add: [NET_ADMIN]}}
          volumeMounts: [{{name: host, mountPath: /host}}]
      volumes:
        - {{name: host, hostPath: {{path: {host_dir}}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: netagent, namespace: ops}}
spec:
  selector: {{matchLabels: {{app: netagent}}}}
  template:
    metadata: {{labels: {{app: netagent}}}}
    spec:
      hostNetwork: true
      containers:
        - {{name: netagent, image: busybox:1.36.1, command: ["sleep", "3600"]}}
"""
GRANTS = ["cap-net-admin:ops/agent", "host-pid:ops/agent", "unsafe-sysctl:ops/agent",
          "seccomp-unconfined:ops/agent", "apparmor-unconfined:ops/agent", "proc-unmasked:ops/agent",
          "host-path:ops/agent", "host-port:ops/agent", "host-network:ops/*"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def privileged_stack(tmp_path: Path, engine: None) -> Iterator[tuple[Devenv, int]]:
    host_dir = tmp_path / "host-data"
    host_dir.mkdir()
    (host_dir / "index.html").write_text("from the host")
    port = free_port()
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "agent.yaml").write_text(AGENT.format(port=port, host_dir=host_dir))
    # the stand-ins' [mirrors] before [local], which the test extends with its grants
    (tmp_path / "devenv.toml").write_text('[envs.prod]\nmanifests = ["k8s"]\n\n' + MIRRORS_FILE.read_text()
                                          + '\n[local]\nseed_on_up = false\n')
    devenv = Devenv(tmp_path, f"t{uuid.uuid4().hex[:10]}")
    yield devenv, port
    devenv("down", "--volumes", check=False)


def inspect(devenv: Devenv, service: str) -> dict[str, Any]:
    done = subprocess.run(["docker", "inspect", devenv.container(service)], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout)[0])


def test_granted_privileges_reach_the_containers_and_nothing_more(privileged_stack: tuple[Devenv, int]) -> None:
    stack, port = privileged_stack
    refused = stack("up", "--timeout", "120", check=False)
    assert refused.returncode == 2 and "allow = [" in refused.stderr
    assert leftovers(stack.project)["containers"] == []  # refused before the engine created anything

    config = stack.cwd / "devenv.toml"
    config.write_text(config.read_text() + f"allow = {json.dumps(GRANTS)}\n")
    stack("up", "--timeout", "120")

    host = inspect(stack, "agent")["HostConfig"]
    assert host["Privileged"] is False and host["PidMode"] == "host"
    assert host["CapAdd"] == ["CAP_NET_ADMIN"]
    assert {"seccomp=unconfined", "apparmor=unconfined"} <= {o.replace(":", "=") for o in host["SecurityOpt"]}
    assert host["MaskedPaths"] == [] and host["Sysctls"] == {"kernel.msgmax": "65536"}
    assert stack.exec("agent", "cat", "/proc/sys/kernel/msgmax").strip() == "65536"
    # the hostPort: bound on 127.0.0.1 only (hostIP 0.0.0.0 in the manifest), serving the hostPath's file
    sandbox = inspect(stack, "agent-pod")["HostConfig"]["PortBindings"]
    assert sandbox == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(port)}]}
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as response:
        assert response.read() == b"from the host"

    # hostNetwork: the pod's sandbox is on the host's network, its container shares it
    assert inspect(stack, "netagent-pod")["HostConfig"]["NetworkMode"] == "host"
    assert inspect(stack, "netagent")["HostConfig"]["NetworkMode"].startswith("container:")

    report = json.loads(stack("report", "--format", "json").stdout)["deltas"]
    granted = [d for d in report if d["accepted_by"].startswith("local.allow")]
    assert len(granted) == len(GRANTS) and all(d["severity"] == "warning" for d in granted)
