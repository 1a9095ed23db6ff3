"""Running `devenv ARGS...` in-process through the real `main()`: its one error handler, its exit codes.

The project every test gets is tiny and plain YAML: a Deployment `web` (2 replicas, nginx) behind a Service
on port 80 -> 8080, published to the host; a second environment `staging` differs in image, replicas and
one value, so `devenv diff` has something to say.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from typer.testing import CliRunner

from devenv.cli import app as app_module

DEVENV_TOML = """\
[project]
name = "tiny"
mirror = "prod"

[envs.prod]
manifests = ["k8s/prod"]

[envs.staging]
manifests = ["k8s/staging"]

[publish]
web = [80]

[local]
timeout = 42
"""

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: IMAGE
          ports: [{containerPort: 8080}]
          env: [{name: MODE, value: VALUE}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""


def manifest(replicas: int = 2, image: str = "nginx:1.27.2", value: str = "prod") -> str:
    return MANIFEST.replace("REPLICAS", str(replicas)).replace("IMAGE", image).replace("VALUE", value)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def _register_once() -> None:
    """Register the commands on the shared Typer app once per session (main() registers on every call)."""
    if not app_module.app.registered_commands:
        app_module._register()


@pytest.fixture(autouse=True)
def no_real_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call that slips past the fakes fails against a socket that does not exist instead of reaching an engine."""
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/devenv-unit-tests.sock")
    monkeypatch.setattr("devenv.engine.selection._selected", None)  # each test selects its engine afresh


@pytest.fixture
def devenv(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """`devenv ARGS...` through devenv.cli.app.main(): exit code, standard output, standard error.

    Anything but a SystemExit (an unexpected exception, a traceback for the user) fails the test.
    """
    _register_once()
    monkeypatch.setattr(app_module, "_register", lambda: None)
    for variable in ("CI", "DEVENV_PROJECT"):
        monkeypatch.delenv(variable, raising=False)

    def run(*args: str) -> Result:
        monkeypatch.setattr(sys, "argv", ["devenv", *args])
        with CliRunner().isolation() as (out, err, _):
            try:
                app_module.main()
                code: Any = 0
            except SystemExit as exc:
                code = exc.code
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
        return Result(code if isinstance(code, int) else (0 if code is None else 1), stdout, stderr)

    return run


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny project in a temporary directory, which is also the working directory."""
    root = tmp_path / "tiny"
    (root / "k8s" / "prod").mkdir(parents=True)
    (root / "k8s" / "staging").mkdir(parents=True)
    (root / "devenv.toml").write_text(DEVENV_TOML)
    (root / "k8s" / "prod" / "app.yaml").write_text(manifest())
    (root / "k8s" / "staging" / "app.yaml").write_text(manifest(1, "nginx:1.27.3", "staging"))
    monkeypatch.chdir(root)
    return root
