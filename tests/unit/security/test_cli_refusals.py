"""End to end through the command line: a hostile manifest gets one clear message (file, document, object,
field, hint) and exit code 2, never a traceback, and nothing is written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.unit.security.helpers import configmap, http_rule, ingress, pod

GATEWAY = '[local]\ngateway = "nginx:1.27.2"\n'

# (case id, manifests, extra devenv.toml, fragments of stderr)
CASES: list[tuple[str, list[dict[str, Any]], str, list[str]]] = [
    ("volume-name", [configmap({"k": "v"}), pod(volumes=[{"name": "../../../../tmp/x", "configMap": {"name": "cfg"}}])],
     "", ["k8s/app.yaml (document 2)", "Pod/default/app", "spec.volumes[0].name", "hint:"]),
    ("subpath", [configmap({"k": "v"}), pod(volumes=[{"name": "c", "configMap": {"name": "cfg"}}],
                                            volumeMounts=[{"name": "c", "mountPath": "/x", "subPath": "../../../etc"}])],
     "", ["k8s/app.yaml (document 2)", "spec.containers[0].volumeMounts[0].subPath", "must not contain '..'"]),
    ("ingress-host", [ingress([http_rule(host="a.example.com;}server{listen 80")])], GATEWAY,
     ["k8s/app.yaml (document 1)", "Ingress/default/web", "spec.rules[0].host"]),
]


def devenv(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devenv", *args], cwd=cwd, capture_output=True, text=True,
                          env=os.environ.copy(), timeout=60, check=False)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_hostile_manifest_is_one_clear_message(tmp_path: Path, case: tuple[str, list[dict[str, Any]], str, list[str]]) -> None:
    _, bodies, extra, fragments = case
    (tmp_path / "k8s").mkdir()
    (tmp_path / "devenv.toml").write_text('[envs.a]\nmanifests = ["k8s"]\n' + extra)
    (tmp_path / "k8s" / "app.yaml").write_text("\n---\n".join(json.dumps(body) for body in bodies))
    done = devenv(tmp_path, "render")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in done.stderr, f"{fragment!r} not in:\n{done.stderr}"
    assert not (tmp_path / "compose").exists()


def test_an_escaped_surrogate_is_refused(tmp_path: Path) -> None:
    """libyaml refuses a `\\uD83D` escape when loading (file, line); were the pure-Python reader used, the
    Compose writer refuses the string it cannot write (compose.yaml path, object)."""
    (tmp_path / "k8s").mkdir()
    (tmp_path / "devenv.toml").write_text('[envs.a]\nmanifests = ["k8s"]\n')
    (tmp_path / "k8s" / "app.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec: {containers: [{name: c, image: busybox, "
        "envFrom: [{configMapRef: {name: cfg}}]}]}\n---\n"
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {KEY: "a\\ud83d\\ude00b"}\n')
    done = devenv(tmp_path, "render")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "Unicode" in done.stderr or "surrogate" in done.stderr, done.stderr
    assert not (tmp_path / "compose").exists()
