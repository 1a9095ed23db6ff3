"""`devenv verify` on a real engine: a faithful stack has no drift; containers changed outside devenv
(recreated from an edited copy of the compose file, or replaced with `docker run`), a bind-mounted
file edited on disk and a stopped container are all caught, and no secret value is ever printed."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from devenv.parity.verify import read_env_file
from tests.engine.conftest import Devenv

FORMATS = ("table", "json", "markdown", "junit", "sarif")


def verify(stack: Devenv, *args: str) -> subprocess.CompletedProcess[str]:
    return stack("verify", "--project", stack.project, *args, check=False)


def found(done: subprocess.CompletedProcess[str]) -> set[tuple[str, str]]:
    return {(d["code"], d["field"]) for d in json.loads(done.stdout)["deltas"] if not d["accepted"]}


def docker(*argv: str, cwd: object = None) -> str:
    return subprocess.run(["docker", *argv], cwd=cwd, capture_output=True, text=True, check=True).stdout


@pytest.mark.stack_name("three-services")
def test_verify_catches_drift_made_outside_devenv(stack: Devenv) -> None:
    stack("up", "--timeout", "120")
    clean = verify(stack, "--format", "json", "--fail-on", "info")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["deltas"] == []
    secrets = read_env_file(stack.cwd / ".devenv" / "compose.env")
    assert secrets, "the frontend's API_KEY is interpolated from the state directory"

    # 1. worker recreated by hand from an edited copy of the compose file: one value changed, one name added
    document = yaml.safe_load((stack.cwd / "compose" / "compose.yaml").read_text())
    environment = document["services"]["worker"]["environment"]
    environment["QUEUE"] = "hand-edited"
    environment["EXTRA_FLAG"] = "1"
    (stack.cwd / "compose" / "compose.hand.yaml").write_text(yaml.safe_dump(document))
    docker("compose", "-f", "compose/compose.hand.yaml", "--env-file", ".devenv/compose.env", "-p", stack.project,
           "up", "-d", "--no-deps", "worker", cwd=stack.cwd)
    assert "QUEUE=hand-edited" in stack.exec("worker", "env")

    # 2. frontend replaced with `docker run`, carrying the project's labels and another API_KEY
    original = stack.container("frontend")
    inspected = json.loads(docker("inspect", original))[0]
    labels = inspected["Config"]["Labels"]
    env = [e for e in inspected["Config"]["Env"] if not e.startswith("API_KEY=")] + ["API_KEY=typed-by-hand-31337"]
    docker("rm", "-f", original)
    argv = ["run", "-d", "--name", f"{stack.project}-frontend-by-hand"]
    for key in ("com.docker.compose.project", "com.docker.compose.service", "dev.devenv.role", "dev.devenv.object"):
        argv += ["--label", f"{key}={labels[key]}"]
    for item in env:
        argv += ["--env", item]
    docker(*argv, inspected["Config"]["Image"], "sleep", "600")

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
    docker("rm", "-f", f"{stack.project}-frontend-by-hand")


@pytest.mark.stack_name("three-services")
def test_verify_without_a_stack_is_a_clear_runtime_failure(stack: Devenv) -> None:
    done = verify(stack)
    assert done.returncode == 3
    assert "has no containers" in done.stderr and "devenv up" in done.stderr
