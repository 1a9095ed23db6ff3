"""Stack bookkeeping: when `devenv gc` removes a stack, and what the meta volumes hold."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time

import pytest

from devenv.engine import calls, lifecycle
from devenv.engine.lifecycle import StackInfo
from devenv.errors import RuntimeFailure
from devenv.model import labels as names
from devenv.stackid import StackLabels
from tests.unit.engine.conftest import FakeCalls, call_failed, container

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


def meta_volume(project: str, kind: str, **labels: str) -> dict[str, object]:
    return {"Name": f"{project}_devenv-{'meta' if kind == 'stack' else kind}",
            "Labels": {names.COMPOSE_PROJECT: project, names.META: kind, **labels}}


def test_ensure_meta_keeps_the_labels_recorded_at_creation(fake_calls: FakeCalls) -> None:
    recorded = StackLabels("prod", 1_700_000_000, 7200, "ci:1", "job-1")
    fake_calls.answers[("inspect",)] = json.dumps([meta_volume("tiny", "stack", **recorded.as_labels())])
    assert lifecycle.ensure_meta("tiny", StackLabels("staging", 1, 0, "me:2", "")) == recorded
    assert fake_calls.calls == [["inspect", "--type", "volume", "tiny_devenv-meta"]]


def test_ensure_meta_records_fresh_labels_on_first_up(fake_calls: FakeCalls) -> None:
    fresh = StackLabels("prod", 1_700_000_000, 0, "me:2", "")
    fake_calls.answers[("inspect",)] = call_failed("Error response from daemon: get tiny_devenv-meta: no such volume",
                                                   stdout="[]")
    assert lifecycle.ensure_meta("tiny", fresh) == fresh
    [created] = fake_calls.called("volume", "create")
    expected = {names.COMPOSE_PROJECT: "tiny", names.META: "stack", **fresh.as_labels()}
    assert created == ["volume", "create", *[a for k, v in sorted(expected.items()) for a in ("--label", f"{k}={v}")],
                       "tiny_devenv-meta"]


def test_ensure_meta_with_the_engine_down(fake_calls: FakeCalls) -> None:
    fake_calls.answers[("inspect",)] = call_failed("Cannot connect to the Docker daemon at unix:///x.sock")
    with pytest.raises(RuntimeFailure, match="not reachable"):
        lifecycle.ensure_meta("tiny", StackLabels("prod", 1, 0, "me:2", ""))


def test_mark_ready_creates_the_ready_volume_in_one_call(fake_calls: FakeCalls) -> None:
    lifecycle.mark_ready("tiny")
    assert fake_calls.calls == [["volume", "create", "--label", f"{names.COMPOSE_PROJECT}=tiny",
                                 "--label", f"{names.META}=ready", "tiny_devenv-ready"]]


def test_remove_markers_removes_its_volumes_in_one_call_whether_or_not_they_exist(fake_calls: FakeCalls) -> None:
    lifecycle.remove_markers("tiny", also=["tiny_web-scratch"])
    assert fake_calls.calls == [["volume", "rm", "--force", "tiny_devenv-meta", "tiny_devenv-ready",
                                 "tiny_devenv-files", "tiny_web-scratch"]]


@pytest.mark.parametrize("stderr, fails", [
    ("Error response from daemon: remove tiny_web-scratch: volume is in use - [4f2a]", False),
    ("Error response from daemon: remove tiny_web-scratch: volume is in use - [4f2a]\n"
     "Error response from daemon: get tiny_devenv-meta: permission denied", True),
    ("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?", True),
])
def test_remove_markers_leaves_a_volume_in_use_but_reports_other_refusals(fake_calls: FakeCalls, stderr: str,
                                                                          fails: bool) -> None:
    fake_calls.answers[("volume", "rm")] = calls.CallFailed(["docker"], 1, "", stderr)
    if fails:
        with pytest.raises(RuntimeFailure):
            lifecycle.remove_markers("tiny", also=["tiny_web-scratch"])
    else:
        lifecycle.remove_markers("tiny", also=["tiny_web-scratch"])


def test_list_stacks_joins_meta_volumes_and_containers(fake_calls: FakeCalls) -> None:
    stack_labels = StackLabels("prod", 1_700_000_000, 3600, "ci:1", "job-1")
    volumes = [meta_volume("tiny", "stack", **stack_labels.as_labels()), meta_volume("tiny", "ready")]
    orphan = container("web", project="leftover")
    orphan["Config"]["Labels"].update(StackLabels("staging", 5, 0, "x:1", "").as_labels())
    containers = [container("web"), container("web-pod"), orphan]
    fake_calls.answers[("volume", "ls")] = "tiny_devenv-meta\ntiny_devenv-ready\n"
    fake_calls.answers[("ps",)] = "".join(f"{c['Id']}\n" for c in containers)
    fake_calls.answers[("inspect", "--type", "volume")] = json.dumps(volumes)
    fake_calls.answers[("inspect", "--type", "container")] = json.dumps(containers)
    stacks = lifecycle.list_stacks()
    assert [(s.project, s.ready, s.containers, s.labels.env) for s in stacks] == [
        ("leftover", False, 1, "staging"), ("tiny", True, 2, "prod")]
    assert stacks[1].labels == stack_labels
    assert fake_calls.called("volume", "ls") == [["volume", "ls", "-q", "--filter", f"label={names.META}"]]
    assert fake_calls.called("ps") == [["ps", "-aq", "--no-trunc", "--filter", f"label={names.CREATED}"]]


def test_list_stacks_of_an_empty_engine(fake_calls: FakeCalls) -> None:
    assert lifecycle.list_stacks() == []
    assert fake_calls.called("inspect") == []


def test_remove_stack_removes_containers_networks_and_volumes_by_label(fake_calls: FakeCalls) -> None:
    fake_calls.answers.update({("ps",): "c1\n", ("network", "ls"): "n1\n", ("volume", "ls"): ""})
    lifecycle.remove_stack("tiny")
    label = f"label={names.COMPOSE_PROJECT}=tiny"
    assert fake_calls.calls == [
        ["ps", "-aq", "--no-trunc", "--filter", label], ["rm", "--force", "--volumes", "c1"],
        ["network", "ls", "-q", "--filter", label], ["network", "rm", "n1"],
        ["volume", "ls", "-q", "--filter", label],
    ]
