"""The choke point to python-on-whales: require_engine, the stack's env file, and engine errors turned into one
RuntimeFailure."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest

from devenv.engine import client as engine_client
from devenv.engine.client import ENGINE_HINT, engine_errors, env_file_text, env_files, require_engine
from devenv.errors import EXIT_RUNTIME, RuntimeFailure
from devenv.model.project import ProjectFiles
from tests.unit.engine.conftest import FakeDocker, docker_error

STACK = {"DEVENV_ENV": "prod", "DEVENV_PORT_WEB_POD_8080": "18080", "DEVENV_OWNER": "laptop:42"}


@pytest.fixture
def files(tmp_path: Path) -> ProjectFiles:
    (tmp_path / "compose").mkdir()
    (tmp_path / "compose" / "compose.yaml").write_text("services: {}\n")
    return ProjectFiles(tmp_path / "compose" / "compose.yaml", tmp_path / ".devenv" / "compose.env", "tiny")


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[FakeDocker]:
    """Every DockerClient the adapter constructs."""
    clients: list[FakeDocker] = []

    def construct(**kwargs: Any) -> FakeDocker:
        clients.append(FakeDocker(**kwargs))
        return clients[-1]

    monkeypatch.setattr(engine_client, "DockerClient", construct)
    return clients


def write_secrets(files: ProjectFiles) -> None:
    files.env_file.parent.mkdir(parents=True, exist_ok=True)
    files.env_file.write_text("DEVENV_SECRET_DB_PASSWORD=local\n")


# --- the env files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("secrets, environment, expected", [
    (False, {}, []),
    (True, {}, ["compose.env"]),
    (False, STACK, ["stack-tiny.env"]),
    (True, STACK, ["compose.env", "stack-tiny.env"]),
], ids=["none", "secrets-only", "stack-only", "secrets-then-stack"])
def test_env_files_are_the_secrets_then_the_stack_variables(files: ProjectFiles, secrets: bool,
                                                           environment: dict[str, str], expected: list[str]) -> None:
    if secrets:
        write_secrets(files)
    found = env_files(files.with_environment(environment))
    assert [Path(p).name for p in found] == expected
    assert all(Path(p).parent == files.env_file.parent for p in found)


def test_stack_env_file_is_private_and_holds_single_quoted_values(files: ProjectFiles) -> None:
    [path] = env_files(files.with_environment(STACK))
    assert path == files.stack_env_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == ("DEVENV_ENV='prod'\nDEVENV_OWNER='laptop:42'\nDEVENV_PORT_WEB_POD_8080='18080'\n")


def test_stack_env_file_is_rewritten_only_when_its_values_change(files: ProjectFiles) -> None:
    [path] = env_files(files.with_environment(STACK))
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    env_files(files.with_environment(dict(reversed(list(STACK.items())))))
    assert path.stat().st_mtime_ns == 1_000_000_000
    env_files(files.with_environment({**STACK, "DEVENV_PORT_WEB_POD_8080": "0"}))
    assert path.stat().st_mtime_ns != 1_000_000_000
    assert "DEVENV_PORT_WEB_POD_8080='0'\n" in path.read_text()


def test_stack_env_file_written_over_a_stale_one_stays_private(files: ProjectFiles) -> None:
    files.stack_env_file.parent.mkdir(parents=True)
    files.stack_env_file.write_text("OLD='1'\n")
    files.stack_env_file.chmod(0o600)
    env_files(files.with_environment(STACK))
    assert "OLD" not in files.stack_env_file.read_text()
    assert stat.S_IMODE(files.stack_env_file.stat().st_mode) == 0o600


def test_stack_env_file_is_per_project(files: ProjectFiles) -> None:
    [mine] = env_files(files.with_environment(STACK))
    [theirs] = env_files(ProjectFiles(files.compose_file, files.env_file, "other", {"DEVENV_ENV": "staging"}))
    assert (mine.name, theirs.name) == ("stack-tiny.env", "stack-other.env")
    assert mine.read_text() != theirs.read_text()


def test_env_file_text_keeps_dollars_literal_by_quoting() -> None:
    assert env_file_text({"B": "x$y", "A": ""}) == "A=''\nB='x$y'\n"


@pytest.mark.parametrize("value", ["it's", "two\nlines"])
def test_env_file_text_refuses_quotes_and_line_breaks(value: str) -> None:
    with pytest.raises(ValueError, match="DEVENV_ENV holds a quote or a line break"):
        env_file_text({"DEVENV_ENV": value})


# --- engine_errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("stderr, stdout", [
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", ""),
    ("", "error during connect: Is the docker daemon running?"),
])
def test_engine_down_becomes_not_reachable_with_the_engine_hint(stderr: str, stdout: str) -> None:
    with pytest.raises(RuntimeFailure) as caught:
        with engine_errors("listing the project's containers", hint="never shown"):
            raise docker_error(stderr, stdout)
    failure = caught.value
    assert failure.what == "the Docker engine is not reachable"
    assert failure.hint == ENGINE_HINT
    assert failure.exit_code == EXIT_RUNTIME
    assert "daemon running" in failure.details
    assert failure.__suppress_context__


@pytest.mark.parametrize("hint, expected_hint", [("free the port", "free the port"),
                                                 ("", "see the engine's message above")])
def test_other_engine_errors_say_what_failed(hint: str, expected_hint: str) -> None:
    with pytest.raises(RuntimeFailure) as caught:
        with engine_errors("docker compose down", hint):
            raise docker_error("Error: port is already allocated", "partial output")
    assert caught.value.what == "docker compose down failed"
    assert caught.value.hint == expected_hint
    assert caught.value.details == "Error: port is already allocated\npartial output"


def test_engine_errors_let_everything_else_through() -> None:
    with pytest.raises(KeyError):
        with engine_errors("anything"):
            raise KeyError("not the engine's")
    with engine_errors("nothing"):
        pass


# --- require_engine --------------------------------------------------------------------------------------


def test_require_engine_without_the_docker_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   made: list[FakeDocker]) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeFailure) as caught:
        require_engine()
    assert caught.value.what == "the docker command is not installed"
    assert "install Docker" in caught.value.hint and caught.value.exit_code == EXIT_RUNTIME
    assert made == []


def test_require_engine_returns_a_client_that_answered(docker_on_path: Path, made: list[FakeDocker]) -> None:
    client = require_engine()
    assert made == [client]
    assert [name for name, _, _ in client.calls] == ["version", "compose.version"]


def test_require_engine_with_the_engine_down(docker_on_path: Path, made: list[FakeDocker],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    down = docker_error("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.")

    def construct(**kwargs: Any) -> FakeDocker:
        client = FakeDocker(**kwargs)
        client.answers["version"] = down
        made.append(client)
        return client

    monkeypatch.setattr(engine_client, "DockerClient", construct)
    with pytest.raises(RuntimeFailure, match="not reachable") as caught:
        require_engine()
    assert caught.value.hint == ENGINE_HINT


@pytest.mark.parametrize("output, what", [
    ("docker: 'compose' is not a docker command.", "Docker Compose v2 is not installed"),
    ("Error: compose plugin crashed", "running `docker compose version` failed"),
])
def test_require_engine_without_compose_v2(docker_on_path: Path, monkeypatch: pytest.MonkeyPatch, output: str,
                                           what: str) -> None:
    client = FakeDocker()
    client.answers["compose.version"] = docker_error(output)
    monkeypatch.setattr(engine_client, "DockerClient", lambda **kwargs: client)
    with pytest.raises(RuntimeFailure) as caught:
        require_engine()
    assert caught.value.what == what
    assert "cli-plugins" in caught.value.hint
