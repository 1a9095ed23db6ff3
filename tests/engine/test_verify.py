"""`devenv verify` on a real engine: a faithful stack has no drift; containers changed outside devenv
(replaced with `docker run` carrying the project's labels and another environment), a bind-mounted
file edited on disk and a stopped container are all caught, and no secret value is ever printed."""

from __future__ import annotations

import json
import subprocess

import pytest

from devenv.parity.verify import read_env_file
from tests.engine.conftest import Devenv

FORMATS = ("table", "json", "markdown", "junit", "sarif")


def verify(stack: Devenv, *args: str) -> subprocess.CompletedProcess[str]:
    return stack("verify", "--project", stack.project, *args, check=False)


def found(done: subprocess.CompletedProcess[str]) -> set[tuple[str, str]]:
    return {(d["code"], d["field"]) for d in json.loads(done.stdout)["deltas"] if not d["accepted"]}


def docker(*argv: str, cwd: object = None) -> str:
    return subprocess.run(["docker", *argv], cwd=cwd, capture_output=True, text=True, check=True).stdout


def replace_by_hand(stack: Devenv, service: str, changes: dict[str, str]) -> None:
    """Remove the service's container and `docker run` a copy with `changes` to its environment, as
    someone editing a stack outside devenv would (Compose itself cannot recreate a container that joins
    another container's network namespace with --no-deps on every version)."""
    original = stack.container(service)
    config = json.loads(docker("inspect", original))[0]
    labels = config["Config"]["Labels"]
    env = dict(item.split("=", 1) for item in config["Config"]["Env"])
    env.update(changes)
    docker("rm", "-f", original)
    argv = ["run", "-d", "--name", f"{stack.project}-{service}-by-hand", "--network",
            config["HostConfig"]["NetworkMode"]]
    for key in ("com.docker.compose.project", "com.docker.compose.service", "dev.devenv.role", "dev.devenv.object"):
        argv += ["--label", f"{key}={labels[key]}"]
    for name, value in env.items():
        argv += ["--env", f"{name}={value}"]
    entrypoint, command = config["Config"]["Entrypoint"] or [], config["Config"]["Cmd"] or []
    if entrypoint:
        argv += ["--entrypoint", entrypoint[0]]
    docker(*argv, config["Config"]["Image"], *entrypoint[1:], *command)  # the same process, still serving


@pytest.mark.stack_name("three-services")
def test_verify_catches_drift_made_outside_devenv(stack: Devenv) -> None:
    stack("up", "--timeout", "120")
    clean = verify(stack, "--format", "json", "--fail-on", "info")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["deltas"] == []
    secrets = read_env_file(stack.cwd / ".devenv" / "compose.env")
    assert secrets, "the frontend's API_KEY is interpolated from the state directory"

    # 1. worker replaced by hand (`docker run` in its pod's network, with the project's labels):
    #    one value changed, one name added
    replace_by_hand(stack, "worker", {"QUEUE": "hand-edited", "EXTRA_FLAG": "1"})
    assert "QUEUE=hand-edited" in stack.exec("worker", "env")

    # 2. frontend replaced the same way with another API_KEY (a secret interpolated from compose.env)
    replace_by_hand(stack, "frontend", {"API_KEY": "typed-by-hand-31337"})

    # 3. the backend's bind-mounted content edited on disk
    page = stack.cwd / "compose" / "files" / "apps" / "backend" / "content" / "index.html"
    page.write_text("edited on disk")
    assert stack.exec("backend", "cat", "/www/index.html") == "edited on disk"

    drift = verify(stack, "--format", "json", "--fail-on", "warning")
    assert drift.returncode == 1, drift.stdout + drift.stderr
    assert found(drift) == {
        ("runtime-env", "services.worker.environment.QUEUE"),
        ("runtime-env", "services.worker.environment.EXTRA_FLAG"),
        ("runtime-env", "services.frontend.environment.API_KEY"),
        ("runtime-file", "services.backend.volumes[/www/index.html]"),
    }
    by_field = {d["field"]: d for d in json.loads(drift.stdout)["deltas"]}
    assert (by_field["services.worker.environment.QUEUE"]["prod"],
            by_field["services.worker.environment.QUEUE"]["local"]) == ("jobs", "hand-edited")
    assert by_field["services.frontend.environment.API_KEY"]["local"] == "redacted, differs"
    assert verify(stack, "--fail-on", "error").returncode == 0  # warnings only so far

    for fmt in FORMATS:
        output = verify(stack, "--format", fmt).stdout
        for value in ("typed-by-hand-31337", *secrets.values()):
            assert value not in output, f"a secret value leaked into verify --format {fmt}"

    # 4. a stopped container is an error
    docker("stop", "-t", "1", stack.container("backend"))
    stopped = verify(stack, "--format", "json", "--fail-on", "error")
    assert stopped.returncode == 1
    assert ("runtime-state", "services.backend.state") in found(stopped)
    for service in ("worker", "frontend"):
        docker("rm", "-f", f"{stack.project}-{service}-by-hand")


@pytest.mark.stack_name("three-services")
def test_verify_without_a_stack_is_a_clear_runtime_failure(stack: Devenv) -> None:
    done = verify(stack)
    assert done.returncode == 3
    assert "has no containers" in done.stderr and "devenv up" in done.stderr
