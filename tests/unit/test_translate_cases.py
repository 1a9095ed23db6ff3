"""Data-driven translation cases: each tests/cases/translate/NAME.yaml against NAME.golden.yaml.

Goldens are compared by meaning (parsed YAML), and rewritten with `pytest --update-goldens`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from devenv.compose.writer import compose_document
from tests.unit.translate_helpers import FIXED_SECRET, run

CASES = Path(__file__).parent.parent / "cases" / "translate"
CASE_FILES = sorted(p for p in CASES.glob("*.yaml") if not p.name.endswith(".golden.yaml"))


def snapshot(text: str) -> dict[str, Any]:
    output = run(text)
    document = yaml.safe_load(compose_document(output, ""))
    return {
        "compose": document,
        "files": {path: f.content.decode(errors="replace") + f" (mode {oct(f.mode)})"
                  for path, f in sorted(output.files.items()) if not f.secret},
        "secret_files": sorted(path for path, f in output.files.items() if f.secret),
        "secret_env": sorted(output.secret_env),
        "deltas": sorted(f"{d.severity} {d.code} {d.object} {d.field} | prod={d.prod} | local={d.local}"
                         for d in output.deltas),
    }


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: p.stem)
def test_case_matches_golden(case: Path, update_goldens: bool) -> None:
    actual = snapshot(case.read_text())
    golden = case.with_name(case.stem + ".golden.yaml")
    if update_goldens or not golden.exists():
        golden.write_text(yaml.safe_dump(actual, sort_keys=True, width=120))
        if not update_goldens:
            pytest.fail(f"golden {golden.name} was missing and has been written: review and commit it")
    assert actual == yaml.safe_load(golden.read_text())


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: p.stem)
def test_no_production_secret_value_in_any_output(case: Path) -> None:
    """Secret data in the manifests (prod-token, prod-password, base64 'prod') never reaches the project."""
    output = run(case.read_text())
    rendered = compose_document(output, "")
    for planted in ("prod-token", "prod-password", "cHJvZC10b2tlbg==", "cHJvZA=="):
        assert planted not in rendered
        assert all(planted not in f.content.decode(errors="replace") for f in output.files.values())
    assert FIXED_SECRET not in rendered, "local secret values belong in the state directory, not compose.yaml"
