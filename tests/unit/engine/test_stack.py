"""A running project as the engine reports it: each container's readiness, failure and summary, read from
`docker inspect` documents; down and logs, with the `docker` program replaced by a fake."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from devenv.engine import stack
from devenv.engine.stack import (
    DISCARD_TIMEOUT,
    MIN_UPTIME,
    ServiceState,
    current,
    cut_off,
    describe,
    epoch,
    project_states,
    vouch,
)
from devenv.errors import RuntimeFailure
from devenv.model import labels as names
from devenv.model.project import ProjectFiles
from tests.unit.engine.conftest import FakeCalls, call_failed, container


def state(status: str = "running", health: str = "", exit_code: int = 0, restarts: int = 0, one_shot: bool = False,
          uptime: float = 10.0, health_output: str = "", service: str = "web", **more: Any) -> ServiceState:
    role = names.ROLE_JOB if one_shot else names.ROLE_APP
    return ServiceState(service, role, status, health, exit_code, restarts, one_shot, health_output=health_output,
                        uptime=uptime, **more)


T0 = 1_800_000_000.0

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
    ("just-started-vouched", state(uptime=0.2, vouched=True), True, "", "running"),
    ("vouched-but-exited", state("exited", exit_code=1, uptime=0, vouched=True), False, "exited with code 1",
     "exited with code 1"),
    ("vouched-but-own-check-starting", state(health="starting", vouched=True), False, "", "starting"),
]


@pytest.mark.parametrize("service, ready, failure, summary", [c[1:] for c in STATES], ids=[c[0] for c in STATES])
def test_readiness_failure_and_summary(service: ServiceState, ready: bool, failure: str, summary: str) -> None:
    assert (service.ready, service.failure, service.summary) == (ready, failure, summary)


def test_published_ports_parse_the_engine_mappings() -> None:
    service = state(ports=("127.0.0.1:18080->8080/tcp", "127.0.0.1:5432->5432"))
    assert service.published() == [(8080, "127.0.0.1:18080"), (5432, "127.0.0.1:5432")]
    assert state().published() == []


# --- from inspect data -----------------------------------------------------------------------------------


def read(document: dict[str, Any]) -> ServiceState:
    return stack._state(document, time.time())


def test_state_from_a_running_container_with_published_ports() -> None:
    found = read(container("web-pod", role="sandbox", up_for=30, id="abc", ports={
        "8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18080"}],
        "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "18081"}],
        "9090/tcp": None,
    }))
    assert (found.service, found.role, found.status, found.health, found.id) == ("web-pod", "sandbox", "running", "",
                                                                                  "abc")
    assert found.ports == ("127.0.0.1:18080->8080/tcp", "127.0.0.1:18081->80/tcp")
    assert 29 < found.uptime < 60 and found.ready and not found.one_shot
    assert abs(found.started_at - (time.time() - 30)) < 5


def test_state_keeps_the_tail_of_the_last_health_check_output() -> None:
    found = read(container("db", health="unhealthy", health_output="  " + "x" * 290 + "last words\n"))
    assert found.health == "unhealthy"
    assert len(found.health_output) == 300 and found.health_output.endswith("last words")
    assert found.failure.startswith("unhealthy: xxx")
    assert found.checked_at == 0.0  # no check passed


def test_state_knows_when_its_last_passing_health_check_ended() -> None:
    found = read(container("web-pod", health="healthy", passed_ago=2, health_output="refused"))
    assert abs(found.checked_at - (time.time() - 2)) < 1


@pytest.mark.parametrize("role, one_shot", [(names.ROLE_JOB, True), (names.ROLE_INIT, True),
                                            (names.ROLE_MANUAL, True), (names.ROLE_APP, False),
                                            (names.ROLE_SANDBOX, False), ("", False)])
def test_one_shot_roles(role: str, one_shot: bool) -> None:
    assert read(container("x", "exited", role=role)).one_shot is one_shot


def test_state_of_an_exited_container_has_no_uptime_and_tolerates_missing_numbers() -> None:
    raw = container("migrate", "exited", role=names.ROLE_JOB, network_mode="container:sandbox-id")
    raw["State"]["ExitCode"] = None
    raw["RestartCount"] = None
    found = read(raw)
    assert (found.uptime, found.exit_code, found.restarts, found.joins) == (0.0, 0, 0, "sandbox-id")
    assert found.summary == "completed"


def test_state_of_a_container_never_started() -> None:
    found = read(container("web", "created", up_for=None))
    assert (found.uptime, found.started_at, found.summary) == (0.0, 0.0, "created")


def test_state_without_a_service_label_is_named_after_the_container() -> None:
    raw = container("web")
    raw["Config"]["Labels"] = None
    assert read(raw).service == "tiny-web-1"


def test_state_of_a_document_missing_whole_sections() -> None:
    found = read({"Id": "x", "Name": "/lonely"})
    assert (found.service, found.status, found.health, found.ports, found.ready) == ("lonely", "", "", (), False)


@pytest.mark.parametrize("stamp, seconds", [
    ("2026-11-30T23:39:57.944646827Z", datetime(2026, 11, 30, 23, 39, 57, 944646, timezone.utc).timestamp()),
    ("2026-11-30T23:39:57Z", datetime(2026, 11, 30, 23, 39, 57, tzinfo=timezone.utc).timestamp()),
    ("2026-12-01T00:39:57.5+01:00", datetime(2026, 11, 30, 23, 39, 57, 500000, timezone.utc).timestamp()),
    ("2026-11-30T23:39:57", datetime(2026, 11, 30, 23, 39, 57, tzinfo=timezone.utc).timestamp()),  # naive: UTC
    ("0001-01-01T00:00:00Z", 0.0),  # Go's zero time: never
    ("", 0.0), (None, 0.0), ("yesterday", 0.0),
])
def test_epoch_of_engine_timestamps(stamp: Any, seconds: float) -> None:
    assert epoch(stamp) == seconds


@pytest.mark.parametrize("network_mode, joins", [("container:abc", "abc"), ("bridge", ""), ("", ""),
                                                 ("service:web-pod", "")])
def test_joined_namespace(network_mode: str, joins: str) -> None:
    assert stack._joined(network_mode) == joins


def test_state_knows_when_the_container_was_created() -> None:
    assert abs(read(container("web", created_ago=30)).created_at - (time.time() - 30)) < 5


def test_current_keeps_each_services_newest_container() -> None:
    replaced = state("exited", service="backend-pod", id="old", created_at=T0)
    replacement = state("created", service="backend-pod", id="new", created_at=T0 + 60)
    other = state(service="api", created_at=T0 - 5)
    assert current([replaced, other, replacement]) == [other, replacement]
    assert current([replacement, replaced]) == [replacement]
    assert current([]) == []


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


# --- vouch: a pod's passing readiness check stands for its containers without one -------------------------


def sandbox(health: str = "healthy", checked_at: float = T0 + 0.5, status: str = "running") -> ServiceState:
    return state(status, health=health, service="web-pod", id="pod", checked_at=checked_at)


def member(**fields: Any) -> ServiceState:
    values: dict[str, Any] = {"service": "web", "joins": "pod", "uptime": 0.3, "started_at": T0, **fields}
    return state(values.pop("status", "running"), **values)


# (id, sandbox, container, vouched)
VOUCHES = [
    ("checked-after-start", sandbox(), member(), True),
    ("checked-before-start", sandbox(checked_at=T0 - 1), member(), False),
    ("sandbox-not-healthy", sandbox(health="starting"), member(), False),
    ("sandbox-without-check", sandbox(health="", checked_at=0.0), member(), False),
    ("sandbox-stopped", sandbox(status="exited"), member(), False),
    ("restarted-container", sandbox(), member(restarts=1), False),
    ("container-with-own-check", sandbox(), member(health="starting"), False),
    ("container-not-running", sandbox(), member(status="created", started_at=0.0), False),
    ("one-shot", sandbox(), member(one_shot=True), False),
    ("joins-another-pod", sandbox(), member(joins="other"), False),
    ("joins-nothing", sandbox(), member(joins=""), False),
]


@pytest.mark.parametrize("pod, app, vouched", [c[1:] for c in VOUCHES], ids=[c[0] for c in VOUCHES])
def test_vouch(pod: ServiceState, app: ServiceState, vouched: bool) -> None:
    assert app.uptime < MIN_UPTIME and not app.ready
    after = {s.service: s for s in vouch([pod, app])}
    assert after["web"].vouched is vouched
    assert after["web"].ready is vouched
    assert after["web-pod"] == pod


# --- project_states --------------------------------------------------------------------------------------


def test_project_states_are_sorted_by_service_from_one_ps_and_one_inspect(fake_calls: FakeCalls) -> None:
    fake_calls.containers(container("web-pod"), container("db"), container("web"))
    assert [s.service for s in project_states("tiny")] == ["db", "web", "web-pod"]
    assert fake_calls.calls == [
        ["ps", "-aq", "--no-trunc", "--filter", f"label={names.COMPOSE_PROJECT}=tiny"],
        ["inspect", "--type", "container", "id-web-pod", "id-db", "id-web"],
    ]


def test_project_states_vouch_for_the_containers_of_a_healthy_pod(fake_calls: FakeCalls) -> None:
    fake_calls.containers(container("web-pod", role="sandbox", id="pod", health="healthy", passed_ago=0.1),
                          container("web", up_for=0.4, network_mode="container:pod"))
    web = project_states("tiny")[0]
    assert web.service == "web" and web.vouched and web.ready


def test_project_states_of_an_empty_project(fake_calls: FakeCalls) -> None:
    assert project_states("tiny") == []
    assert fake_calls.called("inspect") == []


def test_project_states_skip_a_container_that_vanished_between_list_and_inspect(fake_calls: FakeCalls) -> None:
    fake_calls.answers[("ps",)] = "id-web\nid-gone\nid-db\n"
    fake_calls.answers[("inspect",)] = call_failed("Error: No such container: id-gone", stdout=(
        '[{"Id": "id-web", "Config": {"Labels": {"com.docker.compose.service": "web"}}},'
        ' {"Id": "id-db", "Config": {"Labels": {"com.docker.compose.service": "db"}}}]'))
    assert [s.service for s in project_states("tiny")] == ["db", "web"]


def test_project_states_with_the_engine_down(fake_calls: FakeCalls) -> None:
    fake_calls.answers[("ps",)] = call_failed("Cannot connect to the Docker daemon at unix:///x.sock")
    with pytest.raises(RuntimeFailure, match="not reachable"):
        project_states("tiny")


def test_project_states_when_inspect_fails_otherwise(fake_calls: FakeCalls) -> None:
    fake_calls.answers[("ps",)] = "id-web\n"
    fake_calls.answers[("inspect",)] = call_failed("permission denied")
    with pytest.raises(RuntimeFailure) as caught:
        project_states("tiny")
    assert caught.value.what == "inspecting the project's containers failed"


# --- down, logs ------------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> ProjectFiles:
    return ProjectFiles(tmp_path / "compose.yaml", tmp_path / ".devenv" / "compose.env", "tiny",
                        {"DEVENV_ENV": "prod"})


@pytest.mark.parametrize("volumes, extra", [(False, []), (True, ["--volumes", "--timeout", str(DISCARD_TIMEOUT)])])
def test_down_includes_every_profile_and_shortens_the_grace_only_when_dropping_data(
        files: ProjectFiles, fake_calls: FakeCalls, volumes: bool, extra: list[str]) -> None:
    stack.down(files, volumes=volumes)
    assert fake_calls.calls == [[
        "compose", "-p", "tiny", "-f", str(files.compose_file), "--project-directory", str(files.directory),
        "--env-file", str(files.stack_env_file), "--profile", "*", "down", "--remove-orphans", *extra]]


def test_down_failure_is_a_runtime_failure(files: ProjectFiles, fake_calls: FakeCalls) -> None:
    fake_calls.answers[("compose",)] = call_failed("Error: network tiny_cluster has active endpoints")
    with pytest.raises(RuntimeFailure) as caught:
        stack.down(files)
    assert caught.value.what == "docker compose down failed"
    assert "active endpoints" in caught.value.details


def test_down_without_compose_v2_says_to_install_it(files: ProjectFiles, fake_calls: FakeCalls) -> None:
    fake_calls.answers[("compose",)] = call_failed("docker: 'compose' is not a docker command.")
    with pytest.raises(RuntimeFailure) as caught:
        stack.down(files)
    assert caught.value.what == "Docker Compose v2 is not installed" and "cli-plugins" in caught.value.hint


@pytest.mark.parametrize("tail, option", [(5, ["--tail", "5"]), (None, [])])
def test_logs_of_one_service_by_label(fake_calls: FakeCalls, tail: int | None, option: list[str]) -> None:
    fake_calls.answers[("ps",)] = "c1\nc2\n"
    fake_calls.answers[("logs",)] = lambda argv: f"{argv[-1]}: {' '.join(argv[1:-1]) or 'all'}"
    assert stack.logs("tiny", "web", tail=tail) == "\n".join(f"{c}: {' '.join(option) or 'all'}" for c in ("c1", "c2"))
    [listed] = fake_calls.called("ps")
    assert listed == ["ps", "-aq", "--filter", f"label={names.COMPOSE_PROJECT}=tiny",
                      "--filter", f"label={names.COMPOSE_SERVICE}=web"]
