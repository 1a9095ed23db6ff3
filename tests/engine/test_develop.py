"""The developer's loop (issue 8): the working tree's build instead of production's image, edits synced
into the running container, an external endpoint replaced by a local container, partial `up`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.engine.conftest import Devenv


def running_services(stack: Devenv) -> set[str]:
    return {s["service"] for s in stack.status()["services"] if s["status"] == "running"}


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


@pytest.mark.stack_name("develop")
def test_partial_up_starts_exactly_the_dependency_closure(stack: Devenv) -> None:
    stack("up", "greeter")
    assert running_services(stack) == {"greeter", "greeter-pod"}


@pytest.mark.stack_name("develop")
def test_build_from_source_watch_and_external_replacement(stack: Devenv) -> None:
    stack("up", "--timeout", "180")
    address = stack("port", "greeter", "80").stdout.strip()
    assert address.startswith("127.0.0.1:")
    assert fetch(f"http://{address}/index.html") == "v1"  # the working tree's build, not production's image
    image = subprocess.run(["docker", "inspect", "-f", "{{.Config.Image}}", stack.container("greeter")],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert image == "devenv.local/registry.example.com/team/greeter:dev"

    # the config key stays, its value points at the local mock, which answers
    env = dict(line.split("=", 1) for line in stack.exec("greeter", "env").splitlines() if "=" in line)
    assert env["PAYMENTS_URL"] == "http://payments-mock:8080/v1"
    assert stack.exec("greeter", "wget", "-q", "-O", "-", "http://payments-mock:8080/") == "mock-payments"

    report = json.loads(stack("report", "--format", "json").stdout)
    found = {(d["code"], d["prod"]) for d in report["deltas"]}
    assert ("image-built-from-source", "registry.example.com/team/greeter:2.3.1@sha256:" + "0" * 64) in found
    assert ("external-replaced", "https://api.payments-provider.io") in found
    assert ("external-endpoint", "collect.analytics-vendor.io") in found  # flagged even when not replaced

    before = {s: stack.container(s) for s in ("checker", "payments-mock", "greeter")}
    watcher = subprocess.Popen([sys.executable, "-m", "devenv", "watch", "--project", stack.project], cwd=stack.cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy())
    try:
        time.sleep(3)
        (stack.cwd / "src" / "greeter" / "www" / "index.html").write_text("v2")
        deadline = time.monotonic() + 30
        while fetch(f"http://{address}/index.html") != "v2":
            assert time.monotonic() < deadline, "the edit never reached the running container"
            time.sleep(0.5)
    finally:
        watcher.terminate()
        watcher.wait(timeout=20)
    assert {s: stack.container(s) for s in before} == before, "the rest of the stack was not restarted"
    watching = subprocess.run(["pgrep", "-f", f"compose -p {stack.project} .* watch"], capture_output=True,
                              text=True, check=False).stdout.split()
    assert watching == [], "stopping `devenv watch` left `docker compose watch` running"

    # an edit with no watch running: the next `up` rebuilds the image (Compose alone would keep the old
    # one, as an image of that name exists) and replaces the container; an `up` with nothing changed does not
    (stack.cwd / "src" / "greeter" / "www" / "index.html").write_text("v3")
    rebuilt = stack("up", "--timeout", "180")
    assert "building greeter" in rebuilt.stdout
    assert fetch(f"http://{stack('port', 'greeter', '80').stdout.strip()}/index.html") == "v3"
    again = stack("up", "--timeout", "180")
    assert "building" not in again.stdout
