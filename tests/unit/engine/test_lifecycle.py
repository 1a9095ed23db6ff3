"""Stack bookkeeping: when `devenv gc` removes a stack, and what the meta volumes hold."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from types import SimpleNamespace

import pytest

from devenv.engine import lifecycle
from devenv.engine.lifecycle import StackInfo
from devenv.model import labels as names
from devenv.stackid import StackLabels
from tests.unit.engine.conftest import FakeDocker, container

NOW = 1_800_000_000.0
HOST = socket.gethostname()


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def info(ttl: int = 0, age: float = 60, owner: str = "elsewhere:1", ready: bool = True, ci_job: str = "") -> StackInfo:
    return StackInfo("tiny", StackLabels("prod", int(NOW - age), ttl, owner, ci_job), ready, 2)


@pytest.mark.parametrize("stack, verdict", [
    (info(), ""),
    (info(ttl=3600, age=1800), ""),
    (info(ttl=3600, age=3 * 3600 + 5 * 60), "expired (3h05m old, time-to-live 1h00m)"),
    (info(ttl=600, age=900), "expired (15m old, time-to-live 10m)"),
    (info(owner="elsewhere:1", ready=False), ""),  # another host: cannot tell whether its owner lives
    (info(owner=f"{HOST}:not-a-pid", ready=False), ""),
], ids=["no-ttl", "ttl-not-reached", "expired-hours", "expired-minutes", "other-host", "unparsable-owner"])
def test_verdict(stack: StackInfo, verdict: str) -> None:
    assert stack.verdict(NOW) == verdict


def test_a_stack_whose_up_died_before_ready_is_removed() -> None:
    stack = info(owner=f"{HOST}:{dead_pid()}", ready=False)
    assert stack.verdict(NOW) == "its `devenv up` died before the stack was ready"


def test_a_ready_stack_whose_owner_is_gone_is_kept_unless_a_ci_job_owned_it() -> None:
    owner = f"{HOST}:{dead_pid()}"
    assert info(owner=owner, ready=True).verdict(NOW) == ""
    assert info(owner=owner, ci_job="run-7").verdict(NOW) == "its CI job (run-7) is gone"


def test_a_stack_whose_owner_runs_is_kept() -> None:
    assert info(owner=f"{HOST}:{os.getpid()}", ready=False, ci_job="run-7").verdict(NOW) == ""


def test_expiry_wins_over_a_living_owner() -> None:
    assert info(ttl=60, age=120, owner=f"{HOST}:{os.getpid()}").verdict(NOW).startswith("expired")


def test_verdict_defaults_to_now() -> None:
    recent = StackInfo("tiny", StackLabels("prod", int(time.time()) - 30, 60, "elsewhere:1", ""), True, 1)
    assert recent.verdict() == ""


def test_ensure_meta_keeps_the_labels_recorded_at_creation(fake_docker: FakeDocker) -> None:
    recorded = StackLabels("prod", 1_700_000_000, 7200, "ci:1", "job-1")
    volume = type("Volume", (), {"name": "tiny_devenv-meta", "labels": {names.META: "stack", **recorded.as_labels()}})
    fake_docker.answers["volume.list"] = [volume]
    assert lifecycle.ensure_meta("tiny", StackLabels("staging", 1, 0, "me:2", "")) == recorded
    assert not fake_docker.called("volume.create")


def test_ensure_meta_records_fresh_labels_on_first_up(fake_docker: FakeDocker) -> None:
    fresh = StackLabels("prod", 1_700_000_000, 0, "me:2", "")
    fake_docker.answers["volume.list"] = []
    assert lifecycle.ensure_meta("tiny", fresh) == fresh
    [(args, kwargs)] = fake_docker.called("volume.create")
    assert args == ("tiny_devenv-meta",)
    assert kwargs["labels"] == {names.COMPOSE_PROJECT: "tiny", names.META: "stack", **fresh.as_labels()}


def test_list_stacks_joins_meta_volumes_and_containers(fake_docker: FakeDocker) -> None:
    def volume(project: str, kind: str, **labels: str) -> object:
        return type("Volume", (), {"labels": {names.COMPOSE_PROJECT: project, names.META: kind, **labels}})

    stack_labels = StackLabels("prod", 1_700_000_000, 3600, "ci:1", "job-1")
    fake_docker.answers["volume.list"] = [volume("tiny", "stack", **stack_labels.as_labels()), volume("tiny", "ready")]
    orphan = container("web", project="leftover")
    orphan.config.labels.update(StackLabels("staging", 5, 0, "x:1", "").as_labels())
    fake_docker.answers["container.list"] = [container("web"), container("web-pod"), orphan]
    fake_docker.answers["container.inspect"] = lambda ids: [container("web"), container("web-pod"), orphan]
    stacks = lifecycle.list_stacks()
    assert [(s.project, s.ready, s.containers, s.labels.env) for s in stacks] == [
        ("leftover", False, 1, "staging"), ("tiny", True, 2, "prod")]
    assert stacks[1].labels == stack_labels


def test_remove_stack_removes_containers_networks_and_volumes_by_label(fake_docker: FakeDocker) -> None:
    network = SimpleNamespace(name="n1")
    fake_docker.answers.update({"container.list": ["c1"], "network.list": [network], "volume.list": []})
    lifecycle.remove_stack("tiny")
    assert fake_docker.called("container.remove") == [((["c1"],), {"force": True, "volumes": True})]
    assert fake_docker.called("network.remove") == [((["n1"],), {})]
    assert fake_docker.called("volume.remove") == []
    assert fake_docker.called("network.list")[0][1] == {"filters": {"label": f"{names.COMPOSE_PROJECT}=tiny"}}
