"""Wake-ups from the engine's event stream: what `docker events` is asked for, and what a waiter sees (with a
fake `docker` that prints events)."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from devenv.engine import events
from devenv.engine.events import Changes, events_args
from devenv.model import labels as names


def test_events_args_follow_the_project_containers_changes_only() -> None:
    args = events_args("tiny")
    assert args[:5] == ["events", "--filter", "type=container", "--filter", f"label={names.COMPOSE_PROJECT}=tiny"]
    assert [args[i + 1] for i, a in enumerate(args[:-2]) if a == "--filter"][2:] == [
        "event=create", "event=start", "event=restart", "event=die", "event=destroy", "event=health_status"]
    assert args[-2:] == ["--format", "{{.Action}}"]


@pytest.fixture
def printing_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `docker` that records its arguments, prints the lines of $FAKE_EVENTS one every 50 ms, then waits."""
    program = tmp_path / "docker"
    program.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$FAKE_ARGV"\n'
                       'for e in $FAKE_EVENTS; do sleep 0.05; echo "$e"; done\nexec sleep 30\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(events.calls, "program", lambda: str(program))
    monkeypatch.setenv("FAKE_ARGV", str(tmp_path / "argv.txt"))
    return program


def test_a_change_wakes_the_waiter_and_a_created_container_is_news(printing_docker: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_EVENTS", "start health_status:")
    with Changes("tiny") as changes:
        assert changes.membership_changed()  # before the first look, the caller knows no container
        assert not changes.membership_changed()
        assert changes.wait(10)
        time.sleep(0.3)
        assert changes.wait(0)  # the second event came meanwhile
        assert not changes.wait(0.05)  # consumed; nothing new
        assert not changes.membership_changed()  # neither event adds or removes a container
    assert (printing_docker.parent / "argv.txt").read_text().splitlines() == events_args("tiny")


@pytest.mark.parametrize("event", ["create", "destroy"])
def test_a_container_created_or_removed_changes_the_membership(printing_docker: Path,
                                                               monkeypatch: pytest.MonkeyPatch, event: str) -> None:
    monkeypatch.setenv("FAKE_EVENTS", event)
    with Changes("tiny") as changes:
        changes.membership_changed()
        assert changes.wait(10)
        assert changes.membership_changed()


def test_notify_wakes_the_waiter_without_the_engine(printing_docker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_EVENTS", "")
    with Changes("tiny") as changes:
        started = time.monotonic()
        assert not changes.wait(0.1)
        changes.notify()
        assert changes.wait(10) and time.monotonic() - started < 5


def test_close_ends_the_event_stream(printing_docker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_EVENTS", "")
    changes = Changes("tiny")
    process = changes._process
    assert process is not None and process.poll() is None
    started = time.monotonic()
    changes.close()
    assert process.poll() is not None and time.monotonic() - started < 5
    changes.close()  # twice is harmless


def test_without_an_event_stream_waits_simply_time_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    not_a_program = tmp_path / "docker"
    not_a_program.write_text("not executable")
    monkeypatch.setattr(events.calls, "program", lambda: str(not_a_program))
    with Changes("tiny") as changes:
        assert changes._process is None
        assert not changes.wait(0.05)
        changes.notify()
        assert changes.wait(0)
