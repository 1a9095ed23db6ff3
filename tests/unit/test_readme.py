"""The README's promise: its test command is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    command = re.search(r"^TEST_COMMAND='([^']+)'", ci, flags=re.MULTILINE)
    assert command, ".ci/run must define TEST_COMMAND"
    readme = (ROOT / "README.md").read_text()
    assert f"pip install -e '.[test]' && {command.group(1)}" in readme


def test_readme_set_up_command_brings_up_the_example() -> None:
    assert "pip install -e '.[kustomize,helm]' && devenv up" in (ROOT / "README.md").read_text()
