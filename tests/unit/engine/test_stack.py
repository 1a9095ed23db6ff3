"""A running project as the engine reports it: each container's readiness, failure and summary; the up loop,
down and logs, with python-on-whales replaced by a fake."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from devenv.engine import stack
from devenv.engine.stack import DISCARD_TIMEOUT, ServiceState, cut_off, describe, project_states
from devenv.errors import RuntimeFailure
from devenv.model import labels as names
from devenv.model.project import ProjectFiles
from tests.unit.engine.conftest import FakeDocker, container, docker_error


def state(status: str = "running", health: str = "", exit_code: int = 0, restarts: int = 0, one_shot: bool = False,
          uptime: float = 10.0, health_output: str = "", service: str = "web", **more: Any) -> ServiceState:
    role = names.ROLE_JOB if one_shot else names.ROLE_APP
    return ServiceState(service, role, status, health, exit_code, restarts, one_shot, health_output=health_output,
                        uptime=uptime, **more)


# (id, state, ready, failure, summary)
STATES = [
    ("up-long-enough", state(), True, "", "running"),
    ("just-started", state(uptime=0.5), False, "", "running"),
    ("healthy", state(health="healthy", uptime=0), True, "", "healthy"),
    ("health-starting", state(health="starting"), False, "", "starting"),
    ("unhealthy-with-output", state(health="unhealthy", health_output="connection refused"), False,
     "unhealthy: connection refused", "unhealthy: connection refused"),
    ("unhealthy", state(health="unhealthy"), False, "unhealthy", "unhealthy"),
    ("app-exited", state("exited", exit_code=1, uptime=0), False, "exited with code 1", "exited with code 1"),
    ("app-exited-0", state("exited", uptime=0), False, "exited with code 0", "exited with code 0"),
    ("app-dead", state("dead", exit_code=137, uptime=0), False, "exited with code 137", "exited with code 137"),
    ("crash-loop", state("restarting", exit_code=2, restarts=3), False,
     "crash loop: restarted 3 times (last exit code 2)", "crash loop: restarted 3 times (last exit code 2)"),
    ("restarting", state("restarting", exit_code=2, restarts=2), False, "", "restarting"),
    ("created", state("created", uptime=0), False, "", "created"),
    ("job-completed", state("exited", one_shot=True, uptime=0), True, "", "completed"),
    ("job-failed", state("exited", exit_code=3, one_shot=True), False, "exited with code 3", "exited with code 3"),
    ("job-running", state(one_shot=True), False, "", "running"),
    ("job-dead", state("dead", exit_code=137, one_shot=True), False, "", "dead"),
]


@pytest.mark.parametrize("service, ready, failure, summary", [c[1:] for c in STATES], ids=[c[0] for c in STATES])
def test_readiness_failure_and_summary(service: ServiceState, ready: bool, failure: str, summary: str) -> None:
    assert (service.ready, service.failure, service.summary) == (ready, failure, summary)


def test_published_ports_parse_the_engine_mappings() -> None:
    service = state(ports=("127.0.0.1:18080->8080/tcp", "127.0.0.1:5432->5432"))
    assert service.published() == [(8080, "127.0.0.1:18080"), (5432, "127.0.0.1:5432")]
    assert state().published() == []


# --- from inspect data -----------------------------------------------------------------------------------


def test_state_from_a_running_container_with_published_ports() -> None:
    found = stack._state(container("web-pod", role="sandbox", up_for=30, id="abc", ports={
        "8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}],
        "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18081"}],
        "9090/tcp": None,
    }))
    assert (found.service, found.role, found.status, found.health, found.id) == ("web-pod", "sandbox", "running", "",
                                                                                  "abc")
    assert found.ports == ("127.0.0.1:18080->8080/tcp", "127.0.0.1:18081->80/tcp")
    assert 29 < found.uptime < 60 and found.ready and not found.one_shot


def test_state_keeps_the_tail_of_the_last_health_check_output() -> None:
    found = stack._state(container("db", health="unhealthy", health_output="  " + "x" * 290 + "last words\n"))
    assert found.health == "unhealthy"
    assert len(found.health_output) == 300 and found.health_output.endswith("last words")
    assert found.failure.startswith("unhealthy: xxx")


@pytest.mark.parametrize("role, one_shot", [(names.ROLE_JOB, True), (names.ROLE_INIT, True),
                                            (names.ROLE_MANUAL, True), (names.ROLE_APP, False),
                                            (names.ROLE_SANDBOX, False), ("", False)])
def test_one_shot_roles(role: str, one_shot: bool) -> None:
    assert stack._state(container("x", "exited", role=role)).one_shot is one_shot


def test_state_of_an_exited_container_has_no_uptime_and_tolerates_missing_numbers() -> None:
    raw = container("migrate", "exited", role=names.ROLE_JOB, network_mode="container:sandbox-id")
    raw.state.exit_code = None
    raw.restart_count = None
    found = stack._state(raw)
    assert (found.uptime, found.exit_code, found.restarts, found.joins) == (0.0, 0, 0, "sandbox-id")
    assert found.summary == "completed"


def test_state_without_a_service_label_is_named_after_the_container() -> None:
    raw = container("web")
    raw.config.labels = None
    assert stack._state(raw).service == "tiny-web-1"


def test_uptime_of_a_naive_timestamp_counts_as_utc() -> None:
    naive = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=20)
    assert 19 < stack._uptime(naive) < 60
    assert stack._uptime(None) == 0.0


@pytest.mark.parametrize("network_mode, joins", [("container:abc", "abc"), ("bridge", ""), ("", ""),
                                                 ("service:web-pod", "")])
def test_joined_namespace(network_mode: str, joins: str) -> None:
    assert stack._joined(network_mode) == joins


def test_cut_off_names_services_whose_sandbox_was_recreated_under_them() -> None:
    sandbox = state(service="web-pod", id="new")
    states = [
        sandbox,
        state(service="web", joins="old"),                      # joins the sandbox's former container
        state(service="sidecar", joins="new"),                  # joins the live one
        state(service="migrate", one_shot=True, joins="old"),   # one-shot: done anyway
        state(service="standalone"),
        state(service="api", joins="stopped"),
        state("exited", service="api-pod", id="stopped"),       # the sandbox exists but does not run
    ]
    assert cut_off(states) == ["api", "web"]
    assert cut_off([sandbox]) == []


def test_describe_is_the_json_shape_of_status() -> None:
    states = [state(health="healthy", ports=("127.0.0.1:1->2/tcp",)), state("exited", exit_code=1, service="job")]
    assert describe(states) == [
        {"service": "web", "role": "app", "status": "running", "health": "healthy", "ready": True, "exit_code": 0,
         "restarts": 0, "ports": ["127.0.0.1:1->2/tcp"]},
        {"service": "job", "role": "app", "status": "exited", "health": "", "ready": False, "exit_code": 1,
         "restarts": 0, "ports": []},
    ]


# --- project_states --------------------------------------------------------------------------------------


def test_project_states_are_sorted_by_service(fake_docker: FakeDocker) -> None:
    listed = [container("web-pod"), container("db"), container("web")]
    fake_docker.answers["container.list"] = listed
    fake_docker.answers["container.inspect"] = lambda ids: [c for c in listed if c.id in ids]
    assert [s.service for s in project_states("tiny")] == ["db", "web", "web-pod"]
    [(_, kwargs)] = fake_docker.called("container.list")
    assert kwargs == {"all": True, "filters": [("label", f"{names.COMPOSE_PROJECT}=tiny")]}


def test_project_states_of_an_empty_project(fake_docker: FakeDocker) -> None:
    fake_docker.answers["container.list"] = []
    assert project_states("tiny") == []
    assert not fake_docker.called("container.inspect")


def test_project_states_skip_a_container_that_vanished_between_list_and_inspect(fake_docker: FakeDocker) -> None:
    listed = [container("web"), container("gone"), container("db")]
    fake_docker.answers["container.list"] = listed

    def inspect(ids: Any) -> Any:
        if isinstance(ids, list) or ids == "id-gone":
            raise docker_error("Error: No such container: id-gone")
        return next(c for c in listed if c.id == ids)

    fake_docker.answers["container.inspect"] = inspect
    assert [s.service for s in project_states("tiny")] == ["db", "web"]


def test_project_states_with_the_engine_down(fake_docker: FakeDocker) -> None:
    fake_docker.answers["container.list"] = docker_error("Cannot connect to the Docker daemon at unix:///x.sock")
    with pytest.raises(RuntimeFailure, match="not reachable"):
        project_states("tiny")


# --- up, down, logs --------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> ProjectFiles:
    return ProjectFiles(tmp_path / "compose.yaml", tmp_path / ".devenv" / "compose.env", "tiny",
                        {"DEVENV_ENV": "prod"})


@pytest.fixture
def compose(monkeypatch: pytest.MonkeyPatch) -> FakeDocker:
    """The client compose_client returns; the up loop's clock does not sleep."""
    client = FakeDocker()
    client.compose_client_args = []  # type: ignore[attr-defined]

    def make(files: ProjectFiles, all_profiles: bool = False) -> FakeDocker:
        client.compose_client_args.append((files, all_profiles))  # type: ignore[attr-defined]
        return client

    monkeypatch.setattr(stack, "compose_client", make)
    monkeypatch.setattr(stack, "time", SimpleNamespace(sleep=lambda seconds: None, monotonic=time.monotonic))
    return client


def states_sequence(monkeypatch: pytest.MonkeyPatch, *answers: list[ServiceState]) -> list[str]:
    """project_states answers these in turn (the last one forever); returns the projects asked for."""
    asked: list[str] = []

    def answer(project: str) -> list[ServiceState]:
        asked.append(project)
        return answers[min(len(asked), len(answers)) - 1]

    monkeypatch.setattr(stack, "project_states", answer)
    return asked


def test_up_waits_until_every_expected_service_is_ready(files: ProjectFiles, compose: FakeDocker,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ready = [state(service="web"), state(service="web-pod"), state(service="cleanup-cronjob", uptime=0)]
    asked = states_sequence(monkeypatch, [state(service="web", uptime=0)], ready)
    seen: list[list[str]] = []
    result = stack.up(files, ["web", "web-pod"], timeout=5, on_progress=lambda s: seen.append([x.service for x in s]),
                      services=["web"])
    assert result.ready and not result.failed and not result.timed_out
    assert [s.service for s in result.states] == ["web", "web-pod"]
    assert set(asked) == {"tiny"} and seen[-1] == ["web", "web-pod"]
    assert compose.compose_client_args == [(files, False)]  # type: ignore[attr-defined]
    [(_, kwargs)] = compose.called("compose.up")
    assert kwargs == {"services": ["web"], "detach": True, "quiet": True, "wait": False, "remove_orphans": True}


def test_up_stops_at_the_first_failed_service(files: ProjectFiles, compose: FakeDocker,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    crashed = state("exited", exit_code=1, service="web", uptime=0)
    states_sequence(monkeypatch, [crashed, state(service="web-pod")])
    result = stack.up(files, ["web", "web-pod"], timeout=5)
    assert not result.ready and result.failed == [crashed] and not result.timed_out


def test_up_reports_the_compose_error(files: ProjectFiles, compose: FakeDocker,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    compose.answers["compose.up"] = docker_error("Error response from daemon: pull access denied for nginx")
    states_sequence(monkeypatch, [])
    result = stack.up(files, ["web"], timeout=5)
    assert not result.ready and result.compose_error == "Error response from daemon: pull access denied for nginx"


def test_up_times_out_naming_the_services_not_ready(files: ProjectFiles, compose: FakeDocker,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    starting = state(health="starting", service="db")
    states_sequence(monkeypatch, [starting, state(service="web")])
    result = stack.up(files, ["db", "web"], timeout=0)
    assert result.timed_out and result.failed == [starting] and not result.ready


def test_up_recreates_services_cut_off_from_their_sandbox_once(files: ProjectFiles, compose: FakeDocker,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cut = [state(service="web-pod", id="new"), state(service="web", joins="old")]
    repaired = [state(service="web-pod", id="new"), state(service="web", joins="new")]
    recreated: list[bool] = []

    def compose_up(*args: Any, **kwargs: Any) -> None:
        if kwargs.get("force_recreate"):
            recreated.append(True)

    compose.answers["compose.up"] = compose_up
    monkeypatch.setattr(stack, "project_states", lambda project: repaired if recreated else cut)
    result = stack.up(files, ["web", "web-pod"], timeout=5)
    assert result.ready
    _, second = compose.called("compose.up")
    assert second[1] == {"services": ["web"], "detach": True, "quiet": True, "force_recreate": True,
                         "dependencies": False}


@pytest.mark.parametrize("volumes, timeout", [(False, None), (True, DISCARD_TIMEOUT)])
def test_down_includes_every_profile_and_shortens_the_grace_only_when_dropping_data(
        files: ProjectFiles, compose: FakeDocker, volumes: bool, timeout: int | None) -> None:
    stack.down(files, volumes=volumes)
    assert compose.compose_client_args == [(files, True)]  # type: ignore[attr-defined]
    assert compose.called("compose.down") == [((), {"volumes": volumes, "remove_orphans": True, "timeout": timeout,
                                                     "quiet": True})]


def test_down_failure_is_a_runtime_failure(files: ProjectFiles, compose: FakeDocker) -> None:
    compose.answers["compose.down"] = docker_error("Error: network tiny_cluster has active endpoints")
    with pytest.raises(RuntimeFailure) as caught:
        stack.down(files)
    assert caught.value.what == "docker compose down failed"
    assert "active endpoints" in caught.value.details


def test_logs_of_one_service_by_label(fake_docker: FakeDocker) -> None:
    fake_docker.answers["container.list"] = ["c1", "c2"]
    fake_docker.answers["container.logs"] = lambda c, tail: f"{c}: last {tail}"
    assert stack.logs("tiny", "web", tail=5) == "c1: last 5\nc2: last 5"
    [(_, kwargs)] = fake_docker.called("container.list")
    assert kwargs["filters"] == [("label", f"{names.COMPOSE_PROJECT}=tiny"), ("label", f"{names.COMPOSE_SERVICE}=web")]
