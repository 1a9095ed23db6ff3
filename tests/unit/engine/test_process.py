"""devenv.process: the one way devenv runs docker, kubectl, kustomize and helm, with real tiny programs."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devenv import process
from devenv.errors import EXIT_INPUT, EXIT_RUNTIME, InputError, RuntimeFailure


def test_run_returns_standard_output() -> None:
    assert process.run(["sh", "-c", "echo out; echo noise >&2"], "echoing") == "out\n"


def test_run_feeds_standard_input_and_runs_in_cwd(tmp_path: Path) -> None:
    assert process.run(["sh", "-c", "cat; pwd"], "cat", stdin="in\n", cwd=tmp_path) == f"in\n{tmp_path}\n"


def test_run_adds_variables_without_touching_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEPT", "from-parent")
    before = dict(os.environ)
    output = process.run(["sh", "-c", 'echo "$KEPT $ADDED"'], "env", env={"ADDED": "extra"})
    assert output == "from-parent extra\n"
    assert dict(os.environ) == before


@pytest.mark.parametrize("failure, code", [(InputError, EXIT_INPUT), (RuntimeFailure, EXIT_RUNTIME)])
def test_run_of_a_missing_program_cannot_run_it(failure: type, code: int) -> None:
    with pytest.raises(failure) as caught:
        process.run(["devenv-no-such-program-x"], "the renderer", failure=failure)
    assert caught.value.what == "cannot run devenv-no-such-program-x"
    assert caught.value.exit_code == code and "devenv doctor" in caught.value.hint


@pytest.mark.parametrize("script, message", [
    ("echo 'the real reason' >&2; exit 3", "the real reason"),
    ("echo 'only on stdout'; exit 1", "only on stdout"),
])
def test_run_failing_names_what_and_carries_its_message(script: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        process.run(["sh", "-c", script], "kustomize build overlays/prod")
    assert caught.value.what == f"kustomize build overlays/prod failed:\n{message}"
    assert caught.value.hint == "fix the error reported above"


def test_run_failing_with_a_hint_of_the_caller() -> None:
    with pytest.raises(RuntimeFailure) as caught:
        process.run(["false"], "docker pull", failure=RuntimeFailure, hint="is the registry reachable?")
    assert caught.value.hint == "is the registry reachable?"


def test_run_that_hangs_did_not_finish() -> None:
    with pytest.raises(InputError) as caught:
        process.run(["sleep", "5"], "helm template", timeout=0.2)
    assert caught.value.what == "helm template did not finish within 0.2 s"
    assert caught.value.hint == "is something unreachable?"


@pytest.mark.parametrize("argv, expected", [
    (["sh", "-c", "echo v1.2.3"], "v1.2.3\n"),
    (["false"], None),
    (["devenv-no-such-program-x", "--version"], None),
    (["sleep", "5"], None),
], ids=["ok", "fails", "missing", "hangs"])
def test_probe_is_output_or_none(argv: list[str], expected: str | None) -> None:
    assert process.probe(argv, timeout=0.2) == expected


@pytest.mark.parametrize("argv, code", [(["true"], 0), (["false"], 1), (["sh", "-c", "exit 42"], 42)])
def test_interactive_returns_the_exit_code(argv: list[str], code: int) -> None:
    assert process.interactive(argv) == code


def test_interactive_passes_variables_to_the_program_only(tmp_path: Path) -> None:
    before = dict(os.environ)
    out = tmp_path / "seen"
    assert process.interactive(["sh", "-c", f'echo "$DEVENV_ENV" > {out}'], env={"DEVENV_ENV": "prod"}) == 0
    assert out.read_text() == "prod\n"
    assert dict(os.environ) == before


def test_interactive_of_a_missing_program() -> None:
    with pytest.raises(RuntimeFailure) as caught:
        process.interactive(["devenv-no-such-program-x"], failure=RuntimeFailure, hint="install Docker")
    assert caught.value.what == "cannot run devenv-no-such-program-x" and caught.value.hint == "install Docker"


def test_interactive_inherits_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}
    real = subprocess.Popen

    def fake_popen(argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        seen.update(kwargs)
        return real(["true"])

    monkeypatch.setattr(process.subprocess, "Popen", fake_popen)
    process.interactive(["docker", "compose", "exec", "web", "sh"])
    assert set(seen) == {"env"} and seen["env"] is None  # no stream is captured or redirected


def interactive_devenv(program: str, started: Path) -> subprocess.Popen[bytes]:
    """A devenv process running the shell `program` through process.interactive, once `started` exists."""
    runner = subprocess.Popen([sys.executable, "-c", "import sys; from devenv import process; "
                               f"sys.exit(process.interactive(['sh', '-c', {program!r}]))"])
    deadline = time.monotonic() + 20
    while not started.exists():
        assert time.monotonic() < deadline, "the program never started"
        time.sleep(0.05)
    return runner


def test_a_terminated_devenv_stops_the_program_it_runs(tmp_path: Path) -> None:
    """`devenv watch` stopped by SIGTERM must not leave `docker compose watch` running."""
    started = tmp_path / "started"
    program = f"trap 'exit 7' TERM; touch {started}; while :; do sleep 0.1; done"
    runner = interactive_devenv(program, started)
    below = process.descendants(runner.pid)
    try:
        runner.terminate()
        assert runner.wait(timeout=10) == 7  # the program heard the signal and its exit code came back
    finally:  # nothing of this test outlives it, whatever failed
        for leftover in (*below, runner.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(leftover, signal.SIGKILL)
        runner.wait(timeout=10)


def test_the_signal_reaches_the_processes_the_program_started(tmp_path: Path) -> None:
    """`docker compose` runs Compose as a child process: when the docker CLI dies of a SIGTERM, Compose must
    have heard it too, not be left behind."""
    started = tmp_path / "started"
    grandchild = f"trap 'exit 0' TERM; echo $$ > {started}.tmp; mv {started}.tmp {started}; " \
                 "while :; do sleep 0.1; done"
    program = f"sh -c {shlex.quote(grandchild)} & wait"
    runner = interactive_devenv(program, started)
    pid = int(started.read_text())
    try:
        assert pid in process.descendants(runner.pid)
        runner.terminate()
        runner.wait(timeout=10)
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{pid}") and not _zombie(pid):
            assert time.monotonic() < deadline, "the program's child outlived devenv's SIGTERM"
            time.sleep(0.05)
    finally:  # nothing of this test outlives it, whatever failed
        runner.kill()
        for leftover in (pid, *process.descendants(pid)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(leftover, signal.SIGKILL)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except OSError:
        return True
