"""Fakes for python-on-whales: containers as the engine describes them, and a Docker client that records calls."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from python_on_whales.exceptions import DockerException

from devenv.model import labels as names


def container(service: str, status: str = "running", *, role: str = "app", project: str = "tiny",
              health: str | None = None, health_output: str = "", exit_code: int = 0, restarts: int = 0,
              up_for: float | None = 60.0, ports: dict[str, list[dict[str, str]]] | None = None,
              network_mode: str = "", id: str = "") -> SimpleNamespace:
    """A container as `docker inspect` reports it, through python-on-whales' attribute names."""
    log = [SimpleNamespace(output="earlier"), SimpleNamespace(output=health_output)] if health_output else []
    started = datetime.now(timezone.utc) - timedelta(seconds=up_for) if up_for is not None else None
    return SimpleNamespace(
        id=id or f"id-{service}",
        name=f"{project}-{service}-1",
        config=SimpleNamespace(labels={names.COMPOSE_PROJECT: project, names.COMPOSE_SERVICE: service,
                                       names.ROLE: role}),
        state=SimpleNamespace(status=status, exit_code=exit_code, started_at=started,
                              health=SimpleNamespace(status=health, log=log) if health else None),
        restart_count=restarts,
        network_settings=SimpleNamespace(ports=ports or {}),
        host_config=SimpleNamespace(network_mode=network_mode),
    )


def docker_error(stderr: str = "", stdout: str = "", code: int = 1) -> DockerException:
    return DockerException(["docker", "something"], code, stdout.encode() if stdout else None,
                           stderr.encode() if stderr else None)


class Recorder:
    """Any attribute is a method that records its call and answers from `answers` (an exception is raised)."""

    def __init__(self, prefix: str, calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]],
                 answers: dict[str, Any]) -> None:
        self._prefix, self._calls, self._answers = prefix, calls, answers

    def __getattr__(self, name: str) -> Any:
        key = f"{self._prefix}.{name}"

        def call(*args: Any, **kwargs: Any) -> Any:
            self._calls.append((key, args, kwargs))
            answer = self._answers.get(key)
            if callable(answer) and not isinstance(answer, type):
                answer = answer(*args, **kwargs)
            if isinstance(answer, BaseException):
                raise answer
            return answer
        return call


class FakeDocker:
    """A DockerClient stand-in: `calls` lists ("container.list", args, kwargs)...; `answers` maps such keys to a
    return value, an exception to raise, or a function of the call's arguments."""

    def __init__(self, **kwargs: Any) -> None:
        self.init_kwargs = kwargs
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.answers: dict[str, Any] = {}
        for group in ("container", "volume", "network", "compose"):
            setattr(self, group, Recorder(group, self.calls, self.answers))

    def version(self) -> Any:
        self.calls.append(("version", (), {}))
        answer = self.answers.get("version")
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def called(self, key: str) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
        return [(args, kwargs) for name, args, kwargs in self.calls if name == key]


@pytest.fixture(autouse=True)
def no_real_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """A call that slips past the fakes fails against a socket that does not exist instead of reaching an engine."""
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/devenv-unit-tests.sock")
    monkeypatch.setattr("devenv.engine.client._selected", None)  # each test selects its engine afresh


@pytest.fixture
def fake_docker(monkeypatch: pytest.MonkeyPatch) -> FakeDocker:
    """One fake client returned by every `docker()` of the engine adapter."""
    client = FakeDocker()
    for module in ("devenv.engine.stack", "devenv.engine.lifecycle"):
        monkeypatch.setattr(f"{module}.docker", lambda: client)
    return client


@pytest.fixture
def docker_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holding only a fake `docker` program that records its arguments and exits with $FAKE_DOCKER_EXIT."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "docker"
    program.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$FAKE_DOCKER_ARGV"\nexit "${FAKE_DOCKER_EXIT:-0}"\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_DOCKER_ARGV", str(tmp_path / "argv.txt"))
    return program
