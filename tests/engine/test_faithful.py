"""Issue 3 on a real engine: a container cannot tell the local stack from production by its addresses,
its pod, its files or its limits."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.engine.conftest import Devenv


def get(stack: Devenv, url: str) -> str:
    return stack.exec("alpha-client-app", "wget", "-q", "-O", "-", url)


@pytest.mark.stack_name("faithful")
def test_addresses_pods_files_and_limits(stack: Devenv) -> None:
    stack("up", "--timeout", "180")

    # short names stay in their namespace; qualified names reach the other one
    assert get(stack, "http://cache:6379/") == "alpha-cache"
    assert get(stack, "http://cache.beta:6379/") == "beta-cache"
    assert get(stack, "http://cache.beta.svc.cluster.local:6379/") == "beta-cache"
    assert get(stack, "http://cache.alpha.svc:6379/") == "alpha-cache"
    # a StatefulSet pod by its own name through the headless Service
    assert get(stack, "http://db-0.db.data.svc.cluster.local:5432/") == "db-0"
    # several ports, named target ports different from the Service ports
    assert get(stack, "http://multi:80/") == "a"
    assert get(stack, "http://multi.alpha.svc.cluster.local:81/") == "b"

    # containers of one pod share localhost; the native sidecar keeps running
    assert get(stack, "http://localhost:7000/") == "helper"
    assert get(stack, "http://127.0.0.1:9000/") == "sidecar"
    # init containers ran in order before the app, on the emptyDir every container shares
    assert stack.exec("alpha-client-app", "cat", "/shared/order") == "1\n2\n"
    # $(VAR) expanded in the command as the kubelet does; $$(VAR) kept literal; ${HOME} untouched by Compose
    assert stack.exec("alpha-client-app", "cat", "/shared/greeting").strip() == "world"
    assert "GREETING=hello $(GREETING) ${HOME}" in stack.exec("alpha-client-app", "cat", "/shared/env").splitlines()

    mounts = stack.exec("alpha-client-app", "cat", "/proc/mounts")
    assert any(line.split()[1] == "/fast" and line.split()[2] == "tmpfs" for line in mounts.splitlines())
    assert stack.exec("alpha-client-app", "cat", "/etc/app/app.conf") == "mode=faithful\n"
    assert stack.exec("alpha-client-app", "ls", "/etc/app").split() == ["app.conf", "blob.bin"]
    assert stack.exec("alpha-client-app", "od", "-An", "-tx1", "/etc/app/blob.bin").split() == ["00", "01", "02", "03", "04"]
    assert stack.exec("alpha-client-app", "stat", "-c", "%a", "/etc/app/app.conf").strip() == "440"
    assert stack.exec("alpha-client-app", "stat", "-c", "%a", "/etc/single.conf").strip() == "400"
    assert stack.exec("alpha-client-app", "cat", "/etc/single.conf") == "mode=faithful\n"
    assert stack.exec("alpha-client-app", "cat", "/etc/info/other.conf") == "unused\n"
    assert 'tier="test"' in stack.exec("alpha-client-app", "cat", "/etc/info/labels")
    assert stack.exec("alpha-client-app", "cat", "/etc/podinfo/namespace") == "alpha"

    inspected = json.loads(subprocess.run(["docker", "inspect", stack.container("alpha-client-app")],
                                          capture_output=True, text=True, check=True).stdout)[0]
    assert inspected["HostConfig"]["Memory"] == 64 * 1024 * 1024
    assert inspected["HostConfig"]["NanoCpus"] == 500_000_000
    assert inspected["HostConfig"]["CapDrop"] in (["NET_RAW"], ["CAP_NET_RAW"])
    assert inspected["Config"].get("StopTimeout") == 3  # terminationGracePeriodSeconds


@pytest.mark.stack_name("failing-init")
def test_a_failing_init_container_keeps_the_pod_from_starting(stack: Devenv) -> None:
    done = stack("up", "--timeout", "60", check=False)
    assert done.returncode == 3
    assert "gated-init-check-schema" in done.stderr and "exited with code 4" in done.stderr
    assert "schema version 3 required" in done.stderr
    states = {s["service"]: s for s in stack.status()["services"]}
    assert states["gated"]["status"] == "created", "the app container never started"
