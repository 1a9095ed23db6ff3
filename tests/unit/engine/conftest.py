"""Fakes for the engine: containers as `docker inspect` describes them, a `docker` that records its calls
(devenv.engine.calls), and a python-on-whales client that records calls (devenv.engine.client)."""

from __future__ import annotations

import json
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from python_on_whales.exceptions import DockerException

from devenv.engine import calls
from devenv.engine.calls import CallFailed
from devenv.model import labels as names


def stamp(seconds_ago: float) -> str:
    """The engine's timestamp (RFC 3339, nanoseconds, UTC) of a moment `seconds_ago`."""
    moment = datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"


def container(service: str, status: str = "running", *, role: str = "app", project: str = "tiny",
              health: str | None = None, health_output: str = "", exit_code: int = 0, restarts: int = 0,
              up_for: float | None = 60.0, ports: dict[str, list[dict[str, str]] | None] | None = None,
              network_mode: str = "", id: str = "", passed_ago: float | None = None,
              created_ago: float = 120.0) -> dict[str, Any]:
    """A container as `docker inspect` reports it (the fields devenv reads). `passed_ago`: when its last
    passing health check ended."""
    log = [{"Start": stamp(3), "End": stamp(2), "ExitCode": 1, "Output": "earlier"},
           {"Start": stamp(1), "End": stamp(0.5), "ExitCode": 1, "Output": health_output}] if health_output else []
    if passed_ago is not None:
        log.append({"Start": stamp(passed_ago + 0.1), "End": stamp(passed_ago), "ExitCode": 0, "Output": ""})
    state: dict[str, Any] = {"Status": status, "ExitCode": exit_code,
                             "StartedAt": stamp(up_for) if up_for is not None else "0001-01-01T00:00:00Z"}
    if health:
        state["Health"] = {"Status": health, "FailingStreak": 0, "Log": log}
    return {
        "Id": id or f"id-{service}",
        "Created": stamp(created_ago),
        "Name": f"/{project}-{service}-1",
        "RestartCount": restarts,
        "Config": {"Labels": {names.COMPOSE_PROJECT: project, names.COMPOSE_SERVICE: service, names.ROLE: role}},
        "State": state,
        "NetworkSettings": {"Ports": ports or {}},
        "HostConfig": {"NetworkMode": network_mode},
    }


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
    monkeypatch.setattr("devenv.engine.selection._selected", None)  # each test selects its engine afresh


def call_failed(stderr: str = "", stdout: str = "", code: int = 1) -> CallFailed:
    return CallFailed(["docker", "something"], code, stdout, stderr)


class FakeCalls:
    """Stands in for the `docker` program of devenv.engine.calls: records each call's arguments and answers
    by the longest matching first arguments: a text, an exception to raise, or a function of the arguments."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.answers: dict[tuple[str, ...], Any] = {}

    def __call__(self, args: Any, merge: bool = False) -> str:
        argv = [str(a) for a in args]
        self.calls.append(argv)
        for prefix in sorted(self.answers, key=len, reverse=True):
            if tuple(argv[:len(prefix)]) == prefix:
                answer = self.answers[prefix]
                if callable(answer) and not isinstance(answer, type):
                    answer = answer(argv)
                if isinstance(answer, BaseException):
                    raise answer
                return str(answer)
        return ""

    def called(self, *prefix: str) -> list[list[str]]:
        return [argv for argv in self.calls if tuple(argv[:len(prefix)]) == prefix]

    def containers(self, *documents: dict[str, Any]) -> None:
        """Answer `ps` with these containers' IDs and `inspect` with those of them asked for."""
        self.answers[("ps",)] = "".join(f"{d['Id']}\n" for d in documents)
        self.answers[("inspect", "--type", "container")] = lambda argv: json.dumps(
            [d for d in documents if d["Id"] in argv[3:]])


@pytest.fixture
def fake_calls(monkeypatch: pytest.MonkeyPatch) -> FakeCalls:
    """Every docker call of devenv.engine.calls answered by one FakeCalls."""
    fake = FakeCalls()
    monkeypatch.setattr(calls, "run", fake)
    monkeypatch.setattr(calls, "program", lambda: "/usr/bin/docker")
    return fake


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
