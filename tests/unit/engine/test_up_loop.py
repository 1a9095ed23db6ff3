"""`up`'s loop: it starts Compose, looks at the stack whenever the engine reports a change (here a fake that
always reports one), and ends ready, failed, timed out, or with Compose's error; and how long it waits."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import Any, ClassVar

import pytest

from devenv.engine import stack
from devenv.engine.stack import MIN_GAP, MIN_UPTIME, QUIET_LOOK, STARTING_GAP, ServiceState, next_look
from devenv.errors import RuntimeFailure
from devenv.model import labels as names
from devenv.model.project import ProjectFiles
from tests.unit.engine.conftest import FakeCalls, call_failed


def state(status: str = "running", health: str = "", exit_code: int = 0, one_shot: bool = False,
          uptime: float = 10.0, service: str = "web", **more: Any) -> ServiceState:
    role = names.ROLE_JOB if one_shot else names.ROLE_APP
    return ServiceState(service, role, status, health, exit_code, 0, one_shot, uptime=uptime, **more)


class FakeChanges:
    """Stands in for events.Changes: every wait reports a change at once (or none, with `quiet`)."""

    made: ClassVar[list[FakeChanges]] = []

    def __init__(self, project: str) -> None:
        self.project = project
        self.waits: list[float] = []
        self.quiet = False
        self.members = True
        self.closed = False
        FakeChanges.made.append(self)

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        return not self.quiet

    def membership_changed(self) -> bool:
        changed, self.members = self.members, False
        return changed

    def notify(self) -> None:
        pass

    def __enter__(self) -> FakeChanges:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.closed = True


@pytest.fixture
def files(tmp_path: Path) -> ProjectFiles:
    return ProjectFiles(tmp_path / "compose.yaml", tmp_path / ".devenv" / "compose.env", "tiny",
                        {"DEVENV_ENV": "prod"})


@pytest.fixture
def changes(monkeypatch: pytest.MonkeyPatch, fake_calls: FakeCalls) -> list[FakeChanges]:
    """Engine events faked, the pause between looks skipped; returns the Changes the loop made."""
    FakeChanges.made = []
    monkeypatch.setattr(stack.events, "Changes", FakeChanges)
    monkeypatch.setattr(stack, "time", SimpleNamespace(sleep=lambda seconds: None, monotonic=time.monotonic,
                                                       time=time.time))
    return FakeChanges.made


class Looks(list[str]):
    """The projects whose containers were listed; `count`: how many looks there were."""

    count = 0


def looks(monkeypatch: pytest.MonkeyPatch, *answers: list[ServiceState]) -> Looks:
    """The states each look sees, in turn (the last one forever)."""
    listed = Looks()

    def states_of(ids: list[str]) -> list[ServiceState]:
        listed.count += 1
        return answers[min(listed.count, len(answers)) - 1]

    monkeypatch.setattr(stack, "container_ids", lambda project: listed.append(project) or ["some-id"])
    monkeypatch.setattr(stack, "states_of", states_of)
    return listed


def compose_argv(files: ProjectFiles, *args: str) -> list[str]:
    return ["compose", "-p", "tiny", "-f", str(files.compose_file), "--project-directory", str(files.directory),
            "--env-file", str(files.stack_env_file), *args]


def test_up_waits_until_every_expected_service_is_ready(files: ProjectFiles, fake_calls: FakeCalls,
                                                         changes: list[FakeChanges],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    ready = [state(service="web"), state(service="web-pod"), state(service="cleanup-cronjob", uptime=0)]
    listed = looks(monkeypatch, [state(service="web", uptime=0)], ready)
    seen: list[list[str]] = []
    result = stack.up(files, ["web", "web-pod"], timeout=5, on_progress=lambda s: seen.append([x.service for x in s]),
                      services=["web"])
    assert result.ready and not result.failed and not result.timed_out
    assert [s.service for s in result.states] == ["web", "web-pod"]
    assert set(listed) == {"tiny"} and seen[-1] == ["web", "web-pod"]
    assert fake_calls.calls == [compose_argv(files, "up", "--detach", "--remove-orphans", "web")]
    [made] = changes
    assert made.project == "tiny" and made.closed


def test_up_lists_the_containers_again_only_when_one_came_or_went_or_no_event_came(
        files: ProjectFiles, fake_calls: FakeCalls, changes: list[FakeChanges],
        monkeypatch: pytest.MonkeyPatch) -> None:
    starting = [state(service="web", health="starting")]
    listed = looks(monkeypatch, starting, starting, starting, [state(service="web", health="healthy")])
    assert stack.up(files, ["web"], timeout=5).ready
    assert len(listed) == 1 and listed.count >= 4  # events came each time, and only the first look had to list
    changes.clear()
    quiet = looks(monkeypatch, starting, starting, [state(service="web", health="healthy")])

    def quiet_changes(project: str) -> FakeChanges:
        made = FakeChanges(project)
        made.quiet = True
        return made

    monkeypatch.setattr(stack.events, "Changes", quiet_changes)
    assert stack.up(files, ["web"], timeout=5).ready
    assert len(quiet) == quiet.count >= 3  # no event: every look lists


def test_up_looks_calmly_while_compose_still_starts_containers(files: ProjectFiles, fake_calls: FakeCalls,
                                                               changes: list[FakeChanges],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Events arrive all the time (the fake), yet while Compose runs the stack is looked at every
    STARTING_GAP seconds at most; once it is done, at once."""
    release = threading.Event()
    fake_calls.answers[("compose",)] = lambda argv: release.wait(10) and ""
    listed = looks(monkeypatch, [state(service="web", health="starting")], [state(service="web", health="healthy")])
    threading.Timer(1.2, release.set).start()
    started = time.monotonic()
    result = stack.up(files, ["web"], timeout=30)
    assert result.ready
    assert listed.count <= 1.2 / STARTING_GAP + 2  # not one look per event
    assert time.monotonic() - started < 1.2 + 1.0


def test_up_stops_at_the_first_failed_service(files: ProjectFiles, fake_calls: FakeCalls,
                                              changes: list[FakeChanges], monkeypatch: pytest.MonkeyPatch) -> None:
    crashed = state("exited", exit_code=1, service="web", uptime=0)
    looks(monkeypatch, [crashed, state(service="web-pod")])
    result = stack.up(files, ["web", "web-pod"], timeout=5)
    assert not result.ready and result.failed == [crashed] and not result.timed_out


def test_up_is_not_failed_by_a_container_being_replaced(files: ProjectFiles, fake_calls: FakeCalls,
                                                       changes: list[FakeChanges],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Compose creates the replacement, then stops the old container: its exit is no failure."""
    old = state("exited", service="web-pod", id="old", created_at=100.0)
    new = state("created", service="web-pod", id="new", created_at=200.0, uptime=0)
    looks(monkeypatch, [old, new], [state(service="web-pod", id="new", created_at=200.0)])
    result = stack.up(files, ["web-pod"], timeout=5)
    assert result.ready and [s.id for s in result.states] == ["new"]


def test_up_reports_the_compose_error(files: ProjectFiles, fake_calls: FakeCalls, changes: list[FakeChanges],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    fake_calls.answers[("compose",)] = call_failed("Error response from daemon: pull access denied for nginx")
    looks(monkeypatch, [])
    result = stack.up(files, ["web"], timeout=5)
    assert not result.ready and result.compose_error == "Error response from daemon: pull access denied for nginx"


@pytest.mark.parametrize("output, what", [
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.", "the Docker engine is not reachable"),
    ("docker: 'compose' is not a docker command.", "Docker Compose v2 is not installed"),
])
def test_up_without_an_engine_or_compose_is_a_runtime_failure(files: ProjectFiles, fake_calls: FakeCalls,
                                                               changes: list[FakeChanges],
                                                               monkeypatch: pytest.MonkeyPatch, output: str,
                                                               what: str) -> None:
    fake_calls.answers[("compose",)] = call_failed(output)
    looks(monkeypatch, [])
    with pytest.raises(RuntimeFailure) as caught:
        stack.up(files, ["web"], timeout=5)
    assert caught.value.what == what
    assert changes[0].closed


def test_up_times_out_naming_the_services_not_ready(files: ProjectFiles, fake_calls: FakeCalls,
                                                    changes: list[FakeChanges], monkeypatch: pytest.MonkeyPatch) -> None:
    starting = state(health="starting", service="db")
    looks(monkeypatch, [starting, state(service="web")])
    result = stack.up(files, ["db", "web"], timeout=0)
    assert result.timed_out and result.failed == [starting] and not result.ready


def test_up_recreates_services_cut_off_from_their_sandbox_once(files: ProjectFiles, fake_calls: FakeCalls,
                                                               changes: list[FakeChanges],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    cut = [state(service="web-pod", id="new"), state(service="web", joins="old")]
    repaired = [state(service="web-pod", id="new"), state(service="web", joins="new")]
    monkeypatch.setattr(stack, "container_ids", lambda project: ["some-id"])
    monkeypatch.setattr(stack, "states_of", lambda ids: repaired if len(fake_calls.calls) > 1 else cut)
    result = stack.up(files, ["web", "web-pod"], timeout=5)
    assert result.ready
    assert fake_calls.calls[1] == compose_argv(files, "up", "--detach", "--force-recreate", "--no-deps", "web")


# (id, states, remaining, pause)
PAUSES = [
    ("nothing-yet", [], 100.0, QUIET_LOOK),
    ("healthy-and-done", [state(health="healthy"), state("exited", one_shot=True, uptime=0)], 100.0, QUIET_LOOK),
    ("health-check-pending", [state(health="starting", uptime=0.2)], 100.0, QUIET_LOOK),
    ("no-check-just-started", [state(uptime=MIN_UPTIME - 0.3)], 100.0, 0.3),
    ("no-check-earliest-wins", [state(uptime=MIN_UPTIME - 0.6), state(uptime=MIN_UPTIME - 0.2)], 100.0, 0.2),
    ("no-check-but-vouched", [state(uptime=0.2, vouched=True)], 100.0, QUIET_LOOK),
    ("not-running", [state("created", uptime=0.0)], 100.0, QUIET_LOOK),
    ("timeout-first", [state(health="starting")], 0.25, 0.25 + MIN_GAP),
    ("past-the-timeout", [state(health="starting")], -5.0, 0.0),
]


@pytest.mark.parametrize("states, remaining, pause", [c[1:] for c in PAUSES], ids=[c[0] for c in PAUSES])
def test_next_look(states: list[ServiceState], remaining: float, pause: float) -> None:
    assert next_look(states, remaining) == pytest.approx(pause)
