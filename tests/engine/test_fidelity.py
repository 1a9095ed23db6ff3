"""Issue 13 on a real engine (Docker 20.10 here, without Compose's `volume.subpath`): the shapes of real
charts behave as in Kubernetes, probed from inside the containers."""

from __future__ import annotations

import subprocess

import pytest

from tests.engine.conftest import REQUIRED, STAND_INS, Devenv

NGINX = STAND_INS["nginx:1.27.2"]  # the stand-in the stack's [mirrors] maps production's nginx to


@pytest.fixture
def nginx_image() -> None:
    if subprocess.run(["docker", "image", "inspect", NGINX], capture_output=True, check=False).returncode:
        if REQUIRED:
            pytest.fail(f"DEVENV_REQUIRE_ENGINE=1 but {NGINX} is missing: run tests/images/build.sh")
        pytest.skip(f"{NGINX} is missing: run tests/images/build.sh")


def get(stack: Devenv, url: str) -> str:
    return stack.exec("blog-reader", "wget", "-q", "-O", "-", url)


@pytest.mark.stack_name("fidelity")
def test_real_chart_shapes_behave_as_in_kubernetes(stack: Devenv, nginx_image: None) -> None:
    stack("up", "--timeout", "180")

    # item 1: targetPort 0 and an absent targetPort both reach the Service port
    assert get(stack, "http://echo:8080/") == "zero"
    assert get(stack, "http://echo.default.svc.cluster.local:9090/") == "absent"

    # item 3: the per-pod Service selects the StatefulSet pod by statefulset.kubernetes.io/pod-name
    assert get(stack, "http://redis-announce-0:6379/") == "redis-0 0"
    assert get(stack, "http://redis-0.redis:6379/") == "redis-0 0"

    # item 2: distinct subPaths are distinct directories; what the init container (not root) copied into the
    # whole emptyDir is there, not nested one level down; a file subPath is a file
    assert get(stack, "http://blog/index.html") == "base"
    assert stack.exec("blog-web", "ls", "-A", "/opt/app").split() == ["index.html"]
    assert stack.exec("blog-web", "cat", "/etc/search/opensearch.yml") == "cluster.name: demo\n"
    assert stack.exec("blog-web", "stat", "-c", "%F", "/etc/search/opensearch.yml").strip() == "regular file"
    # a subPath nobody wrote is a fresh directory any user can write (the app runs as 1001)
    assert stack.exec("blog-web", "stat", "-c", "%a", "/tmp").strip() == "777"
    assert len(stack.exec("blog-web", "cat", "/tmp/starts").split()) == 1
    # two containers share one subPath; the whole volume shows every subPath in place, read-only
    assert stack.exec("blog-reader", "cat", "/mnt/shared/note") == "from-web"
    assert stack.exec("blog-reader", "cat", "/all/shared/note") == "from-web"
    assert sorted(stack.exec("blog-reader", "ls", "-A", "/all").split()) == [
        "app-base-dir", "opensearch.yml", "shared", "tmp-dir"]
    assert stack.exec("blog-reader", "cat", "/all/tmp-dir/starts") == stack.exec("blog-web", "cat", "/tmp/starts")
    denied = subprocess.run(["docker", "exec", stack.container("blog-reader"), "touch", "/all/shared/x"], check=False,
                            capture_output=True, text=True)
    assert denied.returncode != 0
    # data survives a container restart, as an emptyDir does for its pod's life
    subprocess.run(["docker", "restart", stack.container("blog-web")], capture_output=True, check=True)
    stack("up", "--timeout", "120")  # also re-runs the init container: the subPaths keep the pod's data
    assert len(stack.exec("blog-web", "cat", "/tmp/starts").split()) == 2
    assert stack.exec("blog-web", "ls", "-A", "/opt/app").split() == ["index.html"]
    assert stack.exec("blog-reader", "cat", "/all/opensearch.yml") == "cluster.name: demo\n"

    # item 15: an emptyDir over image files starts empty (no copy of nginx's /etc/nginx)
    assert stack.exec("gateway", "cat", "/scratch/listing") == ""

    # item 4: a Helm test hook did not run on `up`; `devenv run` runs it, and it reaches the Service
    assert "echo-test-connection" not in {s["service"] for s in stack.status()["services"]}
    assert stack("run", "echo-test-connection", check=False).returncode == 0

    # item 15: an emptyDir lives as long as its pod: `down` then `up` starts it empty
    stack("down")
    stack("up", "--timeout", "120")
    assert len(stack.exec("blog-web", "cat", "/tmp/starts").split()) == 1
