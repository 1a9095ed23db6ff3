"""up, down, status, port, gc, logs, exec and run with the engine adapter replaced: what the CLI hands the
engine, what it prints, and its exit codes (2 bad input, 3 runtime failure)."""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from devenv.engine.client import ENGINE_HINT
from devenv.engine.lifecycle import StackInfo
from devenv.engine.stack import ServiceState, UpResult
from devenv.errors import RuntimeFailure
from devenv.model.engine import Location
from devenv.model.project import ProjectFiles
from devenv.stackid import StackLabels
from tests.unit.cli.conftest import Result

Devenv = Callable[..., Result]

STACK_VARIABLES = {"DEVENV_ENV": "prod", "DEVENV_CREATED": "1700000000", "DEVENV_TTL": "0",
                   "DEVENV_OWNER": "laptop:42", "DEVENV_CI_JOB": "", "DEVENV_PORT_WEB_POD_8080": "18080"}


def running(service: str, role: str = "app", *ports: str, health: str = "") -> ServiceState:
    return ServiceState(service, role, "running", health, 0, 0, False, ports=tuple(ports), uptime=10.0)


WEB = running("web")
WEB_POD = running("web-pod", "sandbox", "127.0.0.1:18080->8080/tcp")


@dataclass
class FakeEngine:
    """Stands in for devenv.engine.*: records each call, answers from the fields below."""

    states: list[ServiceState] = field(default_factory=lambda: [WEB, WEB_POD])
    up_result: UpResult | None = None
    stacks: list[StackInfo] = field(default_factory=list)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    environ_during_up: dict[str, str] = field(default_factory=dict)
    builds: list[bool] = field(default_factory=list)
    images_present: list[str] = field(default_factory=list)  # built services whose image exists already

    def named(self, name: str) -> list[Any]:
        return [args for called, args in self.calls if called == name]

    def up(self, files: ProjectFiles, expected: list[str], timeout: float,
           on_progress: Callable[[list[ServiceState]], None] | None = None,
           services: list[str] | None = None, build: bool = False) -> UpResult:
        self.calls.append(("up", (files, expected, timeout, services)))
        self.builds.append(build)
        self.environ_during_up = dict(os.environ)
        if on_progress:
            on_progress(self.states)
        return self.up_result or UpResult(True, self.states, seconds=1.25)


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine()

    def record(name: str, answer: Callable[..., Any] = lambda *a, **k: None) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            fake.calls.append((name, (args, kwargs)))
            return answer(*args, **kwargs)
        return call

    monkeypatch.setattr("devenv.engine.client.require_engine", record("require_engine"))
    monkeypatch.setattr("devenv.engine.stack.up", fake.up)
    monkeypatch.setattr("devenv.engine.stack.down", record("down"))
    monkeypatch.setattr("devenv.engine.stack.logs", record("logs", lambda *a, **k: "boom: cannot bind\nexiting"))
    monkeypatch.setattr("devenv.engine.stack.project_states", record("project_states", lambda name: fake.states))
    monkeypatch.setattr("devenv.launch.container_ids", lambda name: [s.id or s.service for s in fake.states])
    monkeypatch.setattr("devenv.engine.lifecycle.ensure_meta", record("ensure_meta", lambda name, fresh, *_: fresh))
    monkeypatch.setattr("devenv.engine.probe.locate", lambda *args, **kwargs: Location(True, "test"))
    monkeypatch.setattr("devenv.engine.lifecycle.mark_ready", record("mark_ready"))
    monkeypatch.setattr("devenv.engine.lifecycle.remove_markers", record("remove_markers"))
    monkeypatch.setattr("devenv.engine.lifecycle.list_stacks", lambda: fake.stacks)
    monkeypatch.setattr("devenv.engine.lifecycle.remove_stack", record("remove_stack"))
    monkeypatch.setattr("devenv.engine.pod_volumes.discard_pod_volumes",
                        record("discard_pod_volumes", lambda *a, **k: []))
    monkeypatch.setattr("devenv.cli.stack.existing_images",
                        lambda rendered, services: [s for s in fake.images_present if s in services])
    monkeypatch.setattr("devenv.engine.pod_volumes.pod_volumes",
                        record("pod_volumes", lambda *a, **k: [("tiny_web-pod-scratch", "web")]))
    monkeypatch.setattr("devenv.launch.volumes_dir", lambda name: "/var/lib/docker/volumes")
    return fake


@pytest.fixture
def fixed_variables(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr("devenv.launch.stack_environment",
                        lambda config, rendered, name, ttl=None: dict(STACK_VARIABLES))
    return STACK_VARIABLES


# --- up --------------------------------------------------------------------------------------------------


def test_up_hands_the_engine_the_project_files_with_the_stack_variables(devenv: Devenv, project: Path,
                                                                         engine: FakeEngine,
                                                                         fixed_variables: dict[str, str]) -> None:
    result = devenv("up")
    assert result.exit_code == 0, result.stderr
    [(files, expected, timeout, services)] = engine.named("up")
    assert files.compose_file.resolve() == (project / "compose" / "compose.yaml").resolve()
    assert files.env_file.resolve() == (project / ".devenv" / "compose.env").resolve()
    assert files.project == "tiny"
    assert dict(files.environment) == fixed_variables
    assert (expected, timeout, services) == (["web", "web-pod"], 42, None)
    assert files.compose_file.is_file()  # up renders before it starts


def test_up_never_puts_the_stack_variables_in_os_environ(devenv: Devenv, project: Path, engine: FakeEngine,
                                                         fixed_variables: dict[str, str]) -> None:
    environ_before = dict(os.environ)
    assert devenv("up").exit_code == 0
    assert not set(fixed_variables) & set(engine.environ_during_up)
    assert dict(os.environ) == environ_before


def test_up_reports_ready_with_published_ports_and_remembers_them(devenv: Devenv, project: Path, engine: FakeEngine,
                                                                  fixed_variables: dict[str, str]) -> None:
    result = devenv("up")
    assert "starting 2 services of project 'tiny' (environment 'prod')" in result.stdout
    assert "ready in 1.2 s: 2 containers" in result.stdout
    assert "web-pod: http://127.0.0.1:18080 -> 8080/tcp" in result.stdout
    assert [args for args, _ in engine.named("mark_ready")] == [("tiny",)]
    remembered = json.loads((project / ".devenv" / "ports.json").read_text())
    assert remembered["tiny"] == {"DEVENV_PORT_WEB_POD_8080": 18080}
    assert remembered["tiny:chosen"] == {"DEVENV_PORT_WEB_POD_8080": "18080"}


def test_up_builds_an_image_from_source_only_when_its_context_changed(devenv: Devenv, project: Path,
                                                                      engine: FakeEngine,
                                                                      fixed_variables: dict[str, str]) -> None:
    source = project / "src" / "web"
    source.mkdir(parents=True)
    (source / "Dockerfile").write_text("FROM nginx:1.27.2\nCOPY index.html /usr/share/nginx/html/\n")
    (source / "index.html").write_text("v1")
    with (project / "devenv.toml").open("a") as config:
        config.write('\n[build."nginx"]\ncontext = "src/web"\n')
    first = devenv("up")
    assert first.exit_code == 0, first.stderr
    assert "building" not in first.stdout  # no image yet: Compose builds it anyway
    assert devenv("up").exit_code == 0
    (source / "index.html").write_text("v2, longer")
    rebuilt = devenv("up")
    assert rebuilt.exit_code == 0 and "building web: its build context changed since the last" in rebuilt.stdout
    engine.up_result = UpResult(False, engine.states, [], seconds=1.0, timed_out=True)
    (source / "index.html").write_text("v3, longer still")
    devenv("up")  # not ready: the new fingerprint is not recorded
    assert engine.builds == [False, False, True, True]
    engine.up_result = None
    assert devenv("up").exit_code == 0 and engine.builds[-1] is True


def test_up_rebuilds_an_existing_image_it_has_no_record_of(devenv: Devenv, project: Path, engine: FakeEngine,
                                                            fixed_variables: dict[str, str]) -> None:
    """An image of that name built by another checkout (or before devenv kept records) may hold other code."""
    source = project / "src" / "web"
    source.mkdir(parents=True)
    (source / "Dockerfile").write_text("FROM nginx:1.27.2\n")
    with (project / "devenv.toml").open("a") as config:
        config.write('\n[build."nginx"]\ncontext = "src/web"\n')
    engine.images_present = ["web"]
    first = devenv("up")
    assert first.exit_code == 0, first.stderr
    assert "building web" in first.stdout and engine.builds == [True]
    assert devenv("up").exit_code == 0 and engine.builds == [True, False]  # recorded now


def test_up_with_the_real_stack_environment_passes_labels_and_port_variables(devenv: Devenv, project: Path,
                                                                             engine: FakeEngine) -> None:
    engine.states = []  # nothing runs yet
    started = int(time.time())
    assert devenv("up", "--ttl", "2h").exit_code == 0
    [(files, *_)] = engine.named("up")
    variables = dict(files.environment)
    assert variables["DEVENV_ENV"] == "prod" and variables["DEVENV_TTL"] == "7200"
    assert int(variables["DEVENV_CREATED"]) >= started
    assert variables["DEVENV_OWNER"].endswith(f":{os.getpid()}")
    assert "DEVENV_PORT_WEB_POD_8080" in variables
    assert not {k for k in variables if k in os.environ and k.startswith("DEVENV_")}


@pytest.mark.parametrize("args, project_name, timeout", [
    (["--project", "other", "--timeout", "7"], "other", 7),
    (["-p", "ci-123"], "ci-123", 42),
])
def test_up_options_reach_the_engine(devenv: Devenv, project: Path, engine: FakeEngine,
                                     fixed_variables: dict[str, str], args: list[str], project_name: str,
                                     timeout: int) -> None:
    assert devenv("up", *args).exit_code == 0
    [(files, _, given_timeout, _)] = engine.named("up")
    assert (files.project, given_timeout) == (project_name, timeout)
    assert files.stack_env_file.name == f"stack-{project_name}.env"


def test_up_of_one_service_starts_it_with_its_pod_sandbox(devenv: Devenv, project: Path, engine: FakeEngine,
                                                          fixed_variables: dict[str, str]) -> None:
    assert devenv("up", "web").exit_code == 0
    [(_, expected, _, services)] = engine.named("up")
    assert (expected, services) == (["web", "web-pod"], ["web"])


def test_up_of_an_unknown_service_is_exit_2(devenv: Devenv, project: Path, engine: FakeEngine,
                                            fixed_variables: dict[str, str]) -> None:
    result = devenv("up", "api")
    assert result.exit_code == 2
    assert "no service named api" in result.stderr and "services: web, web-pod" in result.stderr
    assert not engine.named("up")


def test_up_with_a_bad_project_name_is_exit_2(devenv: Devenv, project: Path, engine: FakeEngine) -> None:
    result = devenv("up", "--project", "Bad Name")
    assert result.exit_code == 2 and "not a valid project name" in result.stderr
    assert not engine.calls


FAILED_WEB = ServiceState("web", "app", "exited", "", 1, 0, False)
FAILURES = [
    ("service-failed", UpResult(False, [FAILED_WEB, WEB_POD], [FAILED_WEB], seconds=3),
     ["web: exited with code 1 (status exited)", "  | boom: cannot bind"]),
    ("timed-out", UpResult(False, [WEB, WEB_POD], [running("web", health="starting")], seconds=42, timed_out=True),
     ["web: not ready before the timeout (status running)"]),
    ("compose-failed", UpResult(False, [], compose_error="Error response from daemon: pull access denied"),
     ["docker compose up failed:\n  Error response from daemon: pull access denied"]),
]


@pytest.mark.parametrize("up_result, said", [c[1:] for c in FAILURES], ids=[c[0] for c in FAILURES])
def test_up_that_does_not_become_ready_is_exit_3_naming_the_service(
        devenv: Devenv, project: Path, engine: FakeEngine, fixed_variables: dict[str, str], up_result: UpResult,
        said: list[str]) -> None:
    engine.up_result = up_result
    result = devenv("up")
    assert result.exit_code == 3
    for fragment in said + ["error: project 'tiny': the stack did not become ready", "hint: fix the failing service",
                            "the stack is left as it is for inspection"]:
        assert fragment in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not engine.named("mark_ready") and not engine.named("down")


def test_up_rm_on_failure_tears_the_stack_down(devenv: Devenv, project: Path, engine: FakeEngine,
                                               fixed_variables: dict[str, str], tmp_path: Path) -> None:
    engine.up_result = FAILURES[0][1]
    result = devenv("up", "--rm-on-failure", "--logs-dir", str(tmp_path / "logs"))
    assert result.exit_code == 3
    [((files,), kwargs)] = engine.named("down")
    assert files.project == "tiny" and kwargs == {"volumes": True}
    assert [args for args, _ in engine.named("remove_markers")] == [("tiny",)]
    assert "removed project 'tiny' (--rm-on-failure)" in result.stderr
    assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == ["web-pod.log", "web.log"]


# --- every engine command when the engine is down --------------------------------------------------------


@pytest.mark.parametrize("command", [["up"], ["down"], ["status"], ["status", "--json"], ["port", "web", "80"],
                                     ["gc", "--dry-run"], ["logs"]])
def test_engine_commands_without_an_engine_are_exit_3_with_the_hint(devenv: Devenv, project: Path,
                                                                    engine: FakeEngine,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    command: list[str]) -> None:
    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise RuntimeFailure("the Docker engine is not reachable", hint=ENGINE_HINT, details="Cannot connect")

    # up, down and status ask the engine directly (its first answer says whether it runs); the rest check first
    for target in ("devenv.engine.client.require_engine", "devenv.engine.lifecycle.ensure_meta",
                   "devenv.launch.container_ids", "devenv.engine.stack.down", "devenv.engine.stack.project_states"):
        monkeypatch.setattr(target, unreachable)
    result = devenv(*command)
    assert result.exit_code == 3
    assert result.stderr.startswith("error: the Docker engine is not reachable\n  Cannot connect\n")
    assert f"hint: {ENGINE_HINT}" in result.stderr
    assert not engine.named("up") and not engine.named("down") and not engine.named("remove_stack")


# --- down ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args, volumes, said", [
    ([], False, "project 'tiny' is down\n"),
    (["--volumes"], True, "project 'tiny' is down and its volumes removed"),
    (["-v", "-p", "other"], True, "project 'other' is down and its volumes removed"),
])
def test_down_stops_the_project(devenv: Devenv, project: Path, engine: FakeEngine, args: list[str], volumes: bool,
                                said: str) -> None:
    result = devenv("down", *args)
    assert result.exit_code == 0, result.stderr
    [((files,), kwargs)] = engine.named("down")
    assert kwargs == {"volumes": volumes}
    assert files.compose_file.resolve() == (project / "compose" / "compose.yaml").resolve()
    assert files.compose_file.is_file()  # rendered first when missing: Compose needs the file to go down
    assert said in result.stdout
    # the pods' emptyDirs end with the stack, whether or not its data is kept: removed with the markers
    assert engine.named("remove_markers") == [((files.project,), {"also": ["tiny_web-pod-scratch"]})]


# --- status ----------------------------------------------------------------------------------------------


def test_status_json_describes_every_container(devenv: Devenv, project: Path, engine: FakeEngine) -> None:
    engine.states = [WEB_POD, FAILED_WEB]
    result = devenv("status", "--json")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["project"] == "tiny"
    assert document["services"] == [
        {"service": "web-pod", "role": "sandbox", "status": "running", "health": "", "ready": True, "exit_code": 0,
         "restarts": 0, "ports": ["127.0.0.1:18080->8080/tcp"]},
        {"service": "web", "role": "app", "status": "exited", "health": "", "ready": False, "exit_code": 1,
         "restarts": 0, "ports": []},
    ]
    assert [args for args, _ in engine.named("project_states")] == [("tiny",)]


def test_status_table_shows_summaries(devenv: Devenv, project: Path, engine: FakeEngine) -> None:
    engine.states = [FAILED_WEB, WEB_POD]
    result = devenv("status")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["service", "role", "state", "ports"]
    assert lines[1].split()[:2] == ["web", "app"] and "exited with code 1" in lines[1]
    assert lines[2].split() == ["web-pod", "sandbox", "running", "127.0.0.1:18080->8080/tcp"]


def test_status_of_a_stack_without_containers(devenv: Devenv, project: Path, engine: FakeEngine) -> None:
    engine.states = []
    assert "project 'tiny' has no containers (run `devenv up`)" in devenv("status").stdout
    document = devenv("status", "--json").json()
    assert document == {"project": "tiny", "services": [], "engine": {
        "name": "unix:///nonexistent/devenv-unit-tests.sock", "host": "unix:///nonexistent/devenv-unit-tests.sock",
        "remote": False}}


# --- port ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["web", "80"], ["web-pod", "8080"], ["default/web", "80"]])
def test_port_prints_where_a_service_port_is_published(devenv: Devenv, project: Path, engine: FakeEngine,
                                                       args: list[str]) -> None:
    result = devenv("port", *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "127.0.0.1:18080\n"


@pytest.mark.parametrize("args", [["web", "81"], ["api", "80"]])
def test_port_not_published_is_exit_2_with_a_hint(devenv: Devenv, project: Path, engine: FakeEngine,
                                                  args: list[str]) -> None:
    result = devenv("port", *args)
    assert result.exit_code == 2
    assert f"{args[0]}:{args[1]} is not published in project 'tiny'" in result.stderr
    assert f"{args[0]} = [{args[1]}]" in result.stderr


def test_port_of_a_stopped_stack_is_not_published(devenv: Devenv, project: Path, engine: FakeEngine) -> None:
    engine.states = []
    assert devenv("port", "web", "80").exit_code == 2


# --- commands passed straight through to docker compose --------------------------------------------------


@pytest.fixture
def passthrough(monkeypatch: pytest.MonkeyPatch) -> list[tuple[ProjectFiles, tuple[str, ...], tuple[str, ...]]]:
    calls: list[tuple[ProjectFiles, tuple[str, ...], tuple[str, ...]]] = []

    def compose(files: ProjectFiles, *args: str, profiles: tuple[str, ...] = ()) -> int:
        calls.append((files, args, profiles))
        return 17

    monkeypatch.setattr("devenv.engine.passthrough.compose", compose)
    return calls


@pytest.mark.parametrize("args, compose_args", [
    (["logs"], ("logs", "--tail", "100")),
    (["logs", "web", "-n", "5", "--follow"], ("logs", "--tail", "5", "--follow", "web")),
])
def test_logs_passes_through_and_exits_with_compose_code(devenv: Devenv, project: Path, engine: FakeEngine,
                                                         passthrough: list[Any], args: list[str],
                                                         compose_args: tuple[str, ...]) -> None:
    assert devenv(*args).exit_code == 17
    [(files, given, profiles)] = passthrough
    assert (files.project, given, profiles) == ("tiny", compose_args, ())


def test_exec_runs_in_the_stack_with_its_variables(devenv: Devenv, project: Path, engine: FakeEngine,
                                                   fixed_variables: dict[str, str], passthrough: list[Any]) -> None:
    assert devenv("exec", "web", "--", "env", "-0").exit_code == 17
    [(files, given, _)] = passthrough
    assert given == ("exec", "-T", "web", "env", "-0")
    assert dict(files.environment) == fixed_variables


CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: cleanup, namespace: default}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: cleanup, image: busybox:1.36.1, command: [sh, -c, "echo done"]}]
"""


def test_run_a_cronjob_now_in_the_manual_profile(devenv: Devenv, project: Path, engine: FakeEngine,
                                                 fixed_variables: dict[str, str], passthrough: list[Any]) -> None:
    (project / "k8s" / "prod" / "cron.yaml").write_text(CRONJOB)
    result = devenv("run", "cleanup")
    assert result.exit_code == 17, result.stderr
    [(files, given, profiles)] = passthrough
    assert (given, profiles) == (("run", "--rm", "-T", "cleanup"), ("manual",))
    assert dict(files.environment) == fixed_variables
    assert devenv("run", "web").stderr.count("jobs: cleanup") == 1


def test_run_of_something_that_is_not_a_job_is_exit_2(devenv: Devenv, project: Path, engine: FakeEngine,
                                                      passthrough: list[Any]) -> None:
    result = devenv("run", "web")
    assert result.exit_code == 2
    assert "no Job or CronJob named 'web'" in result.stderr and "jobs: none" in result.stderr
    assert passthrough == []


# --- gc --------------------------------------------------------------------------------------------------

NOW = int(time.time())
EXPIRED = StackInfo("old", StackLabels("prod", NOW - 3 * 3600, 3600, "elsewhere:1", ""), True, 2)
KEPT = StackInfo("tiny", StackLabels("prod", NOW, 0, "elsewhere:1", ""), True, 2)


def test_gc_dry_run_lists_what_it_would_remove_and_removes_nothing(devenv: Devenv, engine: FakeEngine) -> None:
    engine.stacks = [EXPIRED, KEPT]
    result = devenv("gc", "--dry-run")
    assert result.exit_code == 0, result.stderr
    # NOW is read when the module loads: a long run adds minutes to the age
    assert re.search(r"would remove old: expired \(3h\d\dm old, time-to-live 1h00m\)", result.stdout)
    assert "1 stack(s) would remove, 1 kept" in result.stdout
    assert not engine.named("remove_stack")


def test_gc_removes_the_expired_stacks_only(devenv: Devenv, engine: FakeEngine) -> None:
    engine.stacks = [EXPIRED, KEPT]
    result = devenv("gc")
    assert result.exit_code == 0
    assert [args for args, _ in engine.named("remove_stack")] == [("old",)]
    assert "removed old: expired" in result.stdout and "1 stack(s) removed, 1 kept" in result.stdout


@pytest.mark.parametrize("args, key, doomed, kept", [
    (["--dry-run", "--json"], "would_remove", [("old", "expired")], ["tiny"]),
    (["--all", "--dry-run", "--json"], "would_remove", [("old", "--all"), ("tiny", "--all")], []),
    (["--all", "--json"], "removed", [("old", "--all"), ("tiny", "--all")], []),
])
def test_gc_json(devenv: Devenv, engine: FakeEngine, args: list[str], key: str, doomed: list[tuple[str, str]],
                 kept: list[str]) -> None:
    engine.stacks = [EXPIRED, KEPT]
    document = devenv("gc", *args).json()
    assert [(d["project"], d["reason"].split(" ")[0]) for d in document[key]] == doomed
    assert document["kept"] == kept
    removed = [args[0] for args, _ in engine.named("remove_stack")]
    assert removed == ([] if "--dry-run" in args else [p for p, _ in doomed])


def test_gc_reports_a_stack_it_cannot_remove_and_goes_on(devenv: Devenv, engine: FakeEngine,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    stuck = StackInfo("stuck", EXPIRED.labels, True, 1)
    engine.stacks = [stuck, EXPIRED, KEPT]
    removed: list[str] = []

    def remove_stack(project: str) -> None:
        if project == "stuck":
            raise RuntimeFailure("removing stack stuck failed", details="error: network stuck_default has active "
                                                                        "endpoints")
        removed.append(project)

    monkeypatch.setattr("devenv.engine.lifecycle.remove_stack", remove_stack)
    result = devenv("gc")
    assert removed == ["old"]
    assert result.exit_code == 3
    assert "could not remove stuck: removing stack stuck failed\nerror: network stuck_default has active endpoints" \
        in result.stderr
    assert "removed old: expired" in result.stdout and "1 stack(s) removed, 1 kept" in result.stdout
    assert "1 stack(s) could not be removed: stuck" in result.stderr
    document = devenv("gc", "--json").json()
    assert document["failed"][0]["project"] == "stuck" and document["removed"][0]["project"] == "old"


def test_gc_with_no_stacks(devenv: Devenv, engine: FakeEngine) -> None:
    assert devenv("gc").stdout == "0 stack(s) removed, 0 kept\n"
