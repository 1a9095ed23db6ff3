"""Interactive Compose commands: the docker compose argv they run, and the exit code they return."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devenv.engine.client import ENGINE_HINT
from devenv.engine.passthrough import compose
from devenv.errors import RuntimeFailure
from devenv.model.project import ProjectFiles


@pytest.fixture
def files(tmp_path: Path) -> ProjectFiles:
    (tmp_path / "compose").mkdir()
    (tmp_path / "compose" / "compose.yaml").write_text("services: {}\n")
    return ProjectFiles(tmp_path / "compose" / "compose.yaml", tmp_path / ".devenv" / "compose.env", "tiny")


@pytest.fixture
def interactive(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []

    def run(argv: list[str], env: Any = None, failure: Any = None, hint: str = "") -> int:
        calls.append({"argv": list(argv), "env": env, "failure": failure, "hint": hint})
        return 5

    monkeypatch.setattr("devenv.process.interactive", run)
    return calls


def test_compose_argv_names_project_file_directory_env_files_and_profiles(
        files: ProjectFiles, docker_on_path: Path, interactive: list[dict[str, Any]]) -> None:
    files.env_file.parent.mkdir(parents=True)
    files.env_file.write_text("DEVENV_SECRET_X=1\n")
    stacked = files.with_environment({"DEVENV_ENV": "prod"})
    code = compose(stacked, "run", "--rm", "-T", "cleanup", profiles=("manual", "tools"))
    assert code == 5
    [call] = interactive
    assert call["argv"] == [
        str(docker_on_path), "compose", "-p", "tiny", "-f", str(files.compose_file),
        "--project-directory", str(files.compose_file.parent),
        "--env-file", str(files.env_file), "--env-file", str(stacked.stack_env_file),
        "--profile", "manual", "--profile", "tools",
        "run", "--rm", "-T", "cleanup",
    ]
    assert call["failure"] is RuntimeFailure and call["hint"] == ENGINE_HINT
    assert stacked.stack_env_file.read_text() == "DEVENV_ENV='prod'\n"


def test_compose_without_env_files_or_profiles(files: ProjectFiles, docker_on_path: Path,
                                               interactive: list[dict[str, Any]]) -> None:
    compose(files, "logs", "--tail", "10")
    assert interactive[0]["argv"][2:] == ["-p", "tiny", "-f", str(files.compose_file), "--project-directory",
                                          str(files.compose_file.parent), "logs", "--tail", "10"]


@pytest.mark.parametrize("exit_code", [0, 7])
def test_compose_runs_docker_and_returns_its_exit_code(files: ProjectFiles, docker_on_path: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch, exit_code: int) -> None:
    monkeypatch.setenv("FAKE_DOCKER_EXIT", str(exit_code))
    assert compose(files, "exec", "web", "env") == exit_code
    argv = (tmp_path / "argv.txt").read_text().splitlines()
    assert argv[:3] == ["compose", "-p", "tiny"] and argv[-3:] == ["exec", "web", "env"]


def test_compose_without_the_docker_command(files: ProjectFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            interactive: list[dict[str, Any]]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeFailure, match="docker command is not installed"):
        compose(files, "logs")
    assert interactive == []
