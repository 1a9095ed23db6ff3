"""The bundled example: its committed compose/ is current, and it carries every required feature."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None and shutil.which("kustomize") is None,
                                reason="no Kustomize renderer")


def devenv(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "devenv", *args], cwd=ROOT, capture_output=True, text=True)


def test_committed_render_is_current() -> None:
    done = devenv("render", "--check")
    assert done.returncode == 0, f"compose/ is stale: run `devenv render` and commit\n{done.stderr}"


def test_every_environment_renders() -> None:
    for env in ("prod", "staging"):
        assert devenv("render", "--env", env, "--out", "/tmp/devenv-example-" + env).returncode == 0


def test_example_reports_the_unreproducible_objects() -> None:
    import json

    report = json.loads(devenv("report", "--format", "json").stdout)
    codes = {d["code"] for d in report["deltas"]}
    assert {"ingress", "autoscaling", "disruption-budget", "network-policy", "cronjob-not-scheduled",
            "replicas-reduced", "secret-value-local", "storage-class"} <= codes


def test_example_compose_has_the_production_images_unchanged() -> None:
    compose = yaml.safe_load((ROOT / "compose" / "compose.yaml").read_text())
    images = {s["image"] for s in compose["services"].values()}
    assert {"nginx:1.27.2", "postgrest/postgrest:v12.2.3", "postgres:16.4", "redis:7.4.1"} <= images
