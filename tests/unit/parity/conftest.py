"""Running the devenv command line in-process against the parity cases (tests/cases/parity/)."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from typer.testing import CliRunner

CASES = Path(__file__).resolve().parents[2] / "cases" / "parity"
REPO = Path(__file__).resolve().parents[3]


@dataclass
class Run:
    exit_code: int
    output: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.output)


def _command() -> Any:
    from devenv.cli import app as app_module

    names = {c.name or c.callback.__name__ for c in app_module.app.registered_commands}  # type: ignore[union-attr]
    if "diff" not in names:
        app_module._register()
    return app_module.app


@pytest.fixture(scope="session")
def devenv_cli() -> Callable[..., Run]:
    """`devenv ARGS...` in-process: exit code and standard output. Errors of devenv propagate."""
    command = _command()

    def run(*args: str) -> Run:
        result = CliRunner().invoke(command, list(args), catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout)

    return run


@pytest.fixture
def case(tmp_path: Path) -> Callable[[str], Path]:
    """A copy of tests/cases/parity/NAME in a temporary directory: its devenv.toml path."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(CASES / name, target, ignore=shutil.ignore_patterns("*.golden.*", "expected-*.json"))
        return target / "devenv.toml"

    return copy
