"""Each public corpus app renders, passes `docker compose config`, and what devenv says about it is a
reviewed golden: delta counts by severity and code (tests/cases/corpus/APP.golden.json, rewritten with
`pytest --update-goldens`), so a change in what devenv reports about a real app shows in review."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from devenv import pipeline
from devenv.config import load_config
from tests.unit.test_field_coverage import APPS, CORPUS

GOLDENS = Path(__file__).resolve().parents[1] / "cases" / "corpus"
pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not on this machine")


def _counts(app: str, tmp_path: Path) -> dict[str, object]:
    if "helm" in APPS[app] and shutil.which("helm") is None:
        pytest.importorskip("helm_python")
    (tmp_path / "devenv.toml").write_text(f"[envs.{app}]\n{APPS[app]}\n")
    config = load_config(tmp_path / "devenv.toml")
    rendered = pipeline.render(config)
    pipeline.write(rendered)
    counts = Counter(f"{d.severity} {d.code}" for d in rendered.deltas)
    return {"objects": len(rendered.manifests), "services": len(rendered.output.services),
            "deltas": dict(sorted(counts.items()))}


@pytest.mark.parametrize("app", sorted(APPS))
def test_corpus_app_report_matches_its_golden(app: str, tmp_path: Path, update_goldens: bool) -> None:
    actual = _counts(app, tmp_path)
    golden = GOLDENS / f"{app}.golden.json"
    if update_goldens or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(json.dumps(actual, indent=1) + "\n")
    assert actual == json.loads(golden.read_text()), "review the change, then `pytest --update-goldens`"
    if shutil.which("docker") is None:
        assert os.environ.get("DEVENV_REQUIRE_ENGINE") != "1", "DEVENV_REQUIRE_ENGINE=1 but docker is absent"
        return
    check = subprocess.run(["docker", "compose", "-f", "compose/compose.yaml", "--env-file", ".devenv/compose.env",
                            "config", "-q"], cwd=tmp_path, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
