"""Secrets at rest on a real engine: `devenv up` under a strict umask (077) runs a non-root pod that reads its
Secret by env and by volume; both hold the same LOCAL value, the production value is nowhere under the
project, and the state directory stays private while the mounted Secret is readable as in Kubernetes."""

from __future__ import annotations

import base64
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.engine.conftest import Devenv, add_mirrors

PRODUCTION = "prod-password/K3+q@9001"

MANIFESTS = f"""\
apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  password: {base64.b64encode(PRODUCTION.encode()).decode()}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector: {{matchLabels: {{app: app}}}}
  template:
    metadata:
      labels: {{app: app}}
    spec:
      securityContext: {{runAsUser: 1000, runAsGroup: 1000}}
      containers:
        - name: app
          image: busybox:1.36.1
          command: ["sleep", "3600"]
          env:
            - name: DB_PASSWORD
              valueFrom: {{secretKeyRef: {{name: db, key: password}}}}
          volumeMounts:
            - {{name: db, mountPath: /run/db, readOnly: true}}
      volumes:
        - name: db
          secret: {{secretName: db}}
"""


@pytest.fixture
def project(tmp_path: Path, engine: None):
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "app.yaml").write_text(MANIFESTS)
    (tmp_path / "devenv.toml").write_text('[project]\nname = "atrest"\n\n[envs.prod]\nmanifests = ["k8s"]\n')
    add_mirrors(tmp_path / "devenv.toml")  # the offline stand-ins
    stack = Devenv(tmp_path, f"t{uuid.uuid4().hex[:10]}")
    yield stack
    stack("down", "--volumes", check=False)


def test_a_non_root_pod_reads_its_local_secret_and_nothing_production_is_at_rest(project: Devenv) -> None:
    up = subprocess.run([sys.executable, "-m", "devenv", "up", "--project", project.project, "--timeout", "120"],
                        cwd=project.cwd, capture_output=True, text=True, umask=0o077, timeout=600, check=False)
    assert up.returncode == 0, up.stdout + up.stderr
    from_env = project.exec("app", "sh", "-c", 'printf %s "$DB_PASSWORD"')
    from_file = project.exec("app", "cat", "/run/db/password")
    assert project.exec("app", "id", "-u").strip() == "1000"
    assert from_env and from_file == from_env, "env and volume carry the same local value"
    assert from_env != PRODUCTION
    forms = (PRODUCTION, base64.b64encode(PRODUCTION.encode()).decode())
    inputs = {project.cwd / "k8s" / "app.yaml"}
    for path in project.cwd.rglob("*"):
        if path.is_file() and path not in inputs:
            content = path.read_bytes()
            assert not [f for f in forms if f.encode() in content], f"{path} holds the production value"
    state = project.cwd / ".devenv"
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    assert stat.S_IMODE((state / "compose.env").stat().st_mode) == 0o600
    assert (state / ".gitignore").read_text() == "*\n"
    done = project("status", check=False)
    assert PRODUCTION not in done.stdout + done.stderr
