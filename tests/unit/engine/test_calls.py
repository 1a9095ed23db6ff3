"""The engine's fast path: `docker` run directly (here a fake program on PATH), one inspect for many objects,
failures turned into one RuntimeFailure, and the Compose arguments of a project."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from devenv.engine import calls
from devenv.engine.calls import COMPOSE_HINT, ENGINE_HINT, CallFailed, compose_args, failure, failures
from devenv.errors import EXIT_RUNTIME, RuntimeFailure
from devenv.model.project import ProjectFiles


@pytest.fixture
def fake_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH holding only a `docker` that records its arguments, prints $FAKE_OUT, $FAKE_ERR to standard
    error, and exits with $FAKE_EXIT."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "docker"
    program.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$FAKE_ARGV"\nprintf "%s" "$FAKE_OUT"\n'
                       'printf "%s" "$FAKE_ERR" >&2\nexit "${FAKE_EXIT:-0}"\n')
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("FAKE_ARGV", str(tmp_path / "argv.txt"))
    return program


def argv(fake_docker: Path) -> list[str]:
    return (fake_docker.parent.parent / "argv.txt").read_text().splitlines()


def test_run_returns_standard_output(fake_docker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_OUT", "abc\ndef\n")
    monkeypatch.setenv("FAKE_ERR", "noise")
    assert calls.run(["ps", "-aq", "--filter", "label=x=y"]) == "abc\ndef\n"
    assert argv(fake_docker) == ["ps", "-aq", "--filter", "label=x=y"]


def test_run_merges_standard_error_when_asked(fake_docker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_OUT", "out ")
    monkeypatch.setenv("FAKE_ERR", "err")
    assert calls.run(["logs", "c1"], merge=True) == "out err"


def test_run_failure_carries_the_exit_code_and_both_streams(fake_docker: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_OUT", "partial")
    monkeypatch.setenv("FAKE_ERR", "Error: boom\n")
    monkeypatch.setenv("FAKE_EXIT", "3")
    with pytest.raises(CallFailed) as caught:
        calls.run(["volume", "rm", "x"])
    assert (caught.value.code, caught.value.stdout, caught.value.stderr) == (3, "partial", "Error: boom\n")
    assert caught.value.argv == [str(fake_docker), "volume", "rm", "x"]
    assert caught.value.output == "Error: boom\npartial"


def test_an_empty_json_list_beside_an_error_is_left_out() -> None:
    failed = CallFailed(["docker", "inspect"], 1, "[]\n", "Cannot connect to the Docker daemon at unix:///x.sock\n")
    assert failed.output == "Cannot connect to the Docker daemon at unix:///x.sock"


def test_run_without_the_docker_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RuntimeFailure) as caught:
        calls.run(["ps"])
    assert caught.value.what == "the docker command is not installed" and caught.value.exit_code == EXIT_RUNTIME


def test_inspect_asks_once_for_every_object(fake_docker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_OUT", '[{"Id": "a"}, {"Id": "b"}]')
    assert calls.inspect("container", ["a", "b"]) == [{"Id": "a"}, {"Id": "b"}]
    assert argv(fake_docker) == ["inspect", "--type", "container", "a", "b"]


def test_inspect_of_nothing_asks_nothing(fake_docker: Path) -> None:
    assert calls.inspect("volume", []) == []
    assert not (fake_docker.parent.parent / "argv.txt").exists()


@pytest.mark.parametrize("stderr", ["Error: No such container: gone", "Error response from daemon: get x: no such volume"])
def test_inspect_leaves_out_what_vanished(fake_docker: Path, monkeypatch: pytest.MonkeyPatch, stderr: str) -> None:
    monkeypatch.setenv("FAKE_OUT", '[{"Id": "a"}]')
    monkeypatch.setenv("FAKE_ERR", stderr)
    monkeypatch.setenv("FAKE_EXIT", "1")
    assert calls.inspect("container", ["a", "gone"]) == [{"Id": "a"}]


@pytest.mark.parametrize("out", ["[]", "", "not json", '{"Id": "a"}', '[1, {"Id": "b"}]'])
def test_inspect_tolerates_odd_output(fake_docker: Path, monkeypatch: pytest.MonkeyPatch, out: str) -> None:
    monkeypatch.setenv("FAKE_OUT", out)
    assert calls.inspect("container", ["a"]) == ([{"Id": "b"}] if "b" in out else [])


def test_inspect_passes_other_failures_on(fake_docker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_ERR", "permission denied while trying to connect to the Docker daemon socket")
    monkeypatch.setenv("FAKE_EXIT", "1")
    with pytest.raises(CallFailed):
        calls.inspect("container", ["a"])


# (id, output, what, hint)
FAILURES = [
    ("engine-down", "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?",
     "the Docker engine is not reachable", ENGINE_HINT),
    ("engine-down-windows", "error during connect: Is the docker daemon running?", "the Docker engine is not reachable",
     ENGINE_HINT),
    ("no-compose", "docker: 'compose' is not a docker command.", "Docker Compose v2 is not installed", COMPOSE_HINT),
    ("anything-else", "Error: port is already allocated", "docker compose down failed", "free the port"),
]


@pytest.mark.parametrize("output, what, hint", [c[1:] for c in FAILURES], ids=[c[0] for c in FAILURES])
def test_failure_says_what_failed_and_what_to_do(output: str, what: str, hint: str) -> None:
    made = failure(output, "docker compose down", "free the port")
    assert (made.what, made.hint, made.details, made.exit_code) == (what, hint, output, EXIT_RUNTIME)


def test_failure_without_a_hint_points_at_the_engine_message() -> None:
    assert failure("Error: boom", "docker compose down").hint == "see the engine's message above"


def test_failures_turn_a_failed_call_into_a_runtime_failure_and_let_the_rest_through() -> None:
    with pytest.raises(RuntimeFailure) as caught, failures("listing the project's containers"):
        raise CallFailed(["docker", "ps"], 1, "", "Error: boom")
    assert caught.value.what == "listing the project's containers failed" and caught.value.__suppress_context__
    with pytest.raises(KeyError), failures("anything"):
        raise KeyError("not the engine's")


def test_compose_args_name_project_file_directory_env_files_and_profiles(tmp_path: Path) -> None:
    files = ProjectFiles(tmp_path / "compose" / "compose.yaml", tmp_path / ".devenv" / "compose.env", "tiny")
    files.env_file.parent.mkdir(parents=True)
    files.env_file.write_text("DEVENV_SECRET_X=1\n")
    stacked = files.with_environment({"DEVENV_ENV": "prod"})
    assert compose_args(stacked, ("*",)) == [
        "compose", "-p", "tiny", "-f", str(files.compose_file), "--project-directory", str(tmp_path / "compose"),
        "--env-file", str(files.env_file), "--env-file", str(stacked.stack_env_file), "--profile", "*"]
    assert compose_args(ProjectFiles(files.compose_file, tmp_path / "none.env", "bare")) == [
        "compose", "-p", "bare", "-f", str(files.compose_file), "--project-directory", str(tmp_path / "compose")]
