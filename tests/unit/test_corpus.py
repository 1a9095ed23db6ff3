"""The public corpus (../shared/corpus, never copied here): plain YAML, Kustomize with components and the
Helm chart render without a crash, pass `docker compose config`, and every unreproduced element is a delta."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "microservices-demo"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")

ENVIRONMENTS = {
    "plain": f'manifests = ["{CORPUS}/kubernetes-manifests"]',
    "kustomize": f'kustomize = "{CORPUS}/kustomize"',
    "helm": f'helm = "{CORPUS}/helm-chart"\nrelease = "boutique"\nnamespace = "boutique"',
}


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_corpus_renders_and_reports(env: str, tmp_path: Path) -> None:
    if env == "helm":
        pytest.importorskip("helm_python") if shutil.which("helm") is None else None
    (tmp_path / "devenv.toml").write_text(f"[envs.{env}]\n{ENVIRONMENTS[env]}\n")
    devenv = [sys.executable, "-m", "devenv"]
    done = subprocess.run([*devenv, "render"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(subprocess.run([*devenv, "report", "--format", "json"], cwd=tmp_path, capture_output=True,
                                       text=True, check=True).stdout)
    codes = {d["code"] for d in report["deltas"]}
    assert "replicas-reduced" in codes or "service-account" in codes or "network-policy" in codes
    if shutil.which("docker"):
        check = subprocess.run(["docker", "compose", "-f", "compose/compose.yaml", "--env-file", ".devenv/compose.env",
                                "config", "-q"], cwd=tmp_path, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
