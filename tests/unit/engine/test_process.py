"""devenv.process: the one way devenv runs docker, kubectl, kustomize and helm, with real tiny programs."""

from __future__ import annotations

import os
import subprocess
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

    def fake_run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen.update(kwargs)
        return subprocess.CompletedProcess(argv, 0)

    monkeypatch.setattr(process.subprocess, "run", fake_run)
    process.interactive(["docker", "compose", "exec", "web", "sh"])
    assert "capture_output" not in seen and "stdout" not in seen and seen["env"] is None
