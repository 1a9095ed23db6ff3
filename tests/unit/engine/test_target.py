"""Which engine a command talks to: the docker CLI's own order (--context, DOCKER_HOST, DOCKER_CONTEXT, the
config's current context, the default socket), and how the choice reaches python-on-whales and the CLI."""

from __future__ import annotations

import json
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from devenv.engine import calls
from devenv.engine import client as engine_client
from devenv.engine import passthrough
from devenv.engine.target import resolve
from devenv.errors import EXIT_INPUT, InputError
from devenv.model.engine import DEFAULT_HOST, TUNNEL_EXEC, TUNNEL_SSH, EngineTarget
from devenv.model.project import ProjectFiles
from tests.unit.engine.conftest import FakeDocker

CONTEXTS = {"build-box": "ssh://dev@build-box.internal:2222", "ci-3": "tcp://10.0.0.3:2376"}
FAKE_DOCKER = """#!/bin/sh
# docker context inspect NAME --format ...: the context's endpoint as JSON, or the CLI's error
[ "$1" = context ] && [ "$2" = inspect ] || exit 64
case "$3" in
{cases}
  *) echo "context \\"$3\\": not found" >&2; exit 1 ;;
esac
"""


@pytest.fixture
def docker_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `docker` on PATH that knows the CONTEXTS, and an empty docker config directory."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cases = "\n".join(f"  {name}) echo '{json.dumps(host)}' ;;" for name, host in CONTEXTS.items())
    program = bin_dir / "docker"
    program.write_text(FAKE_DOCKER.format(cases=cases))
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(bin_dir))
    config = tmp_path / "docker-config"
    config.mkdir()
    return config


def environ(config: Path, current: str | None = None, **variables: str) -> dict[str, str]:
    if current:
        (config / "config.json").write_text(json.dumps({"auths": {}, "currentContext": current}))
    return {"DOCKER_CONFIG": str(config), **variables}


@pytest.mark.parametrize("context, variables, current, expected", [
    (None, {}, None, ("default", DEFAULT_HOST, "default")),
    (None, {}, "build-box", ("build-box", CONTEXTS["build-box"], "docker config")),
    (None, {"DOCKER_CONTEXT": "ci-3"}, "build-box", ("ci-3", CONTEXTS["ci-3"], "DOCKER_CONTEXT")),
    (None, {"DOCKER_HOST": "tcp://10.9.9.9:2375", "DOCKER_CONTEXT": "ci-3"}, "build-box",
     ("default", "tcp://10.9.9.9:2375", "DOCKER_HOST")),
    ("ci-3", {"DOCKER_HOST": "tcp://10.9.9.9:2375", "DOCKER_CONTEXT": "build-box"}, None,
     ("ci-3", CONTEXTS["ci-3"], "--context")),
    ("default", {}, "build-box", ("default", DEFAULT_HOST, "--context")),
    (None, {"DOCKER_CONTEXT": "default", "DOCKER_HOST": ""}, "build-box", ("default", DEFAULT_HOST, "DOCKER_CONTEXT")),
], ids=["nothing-set", "docker-context-use", "DOCKER_CONTEXT-over-config", "DOCKER_HOST-over-DOCKER_CONTEXT",
        "flag-over-everything", "flag-default", "DOCKER_CONTEXT-default"])
def test_the_engine_is_chosen_in_the_docker_clis_order(docker_cli: Path, context: str | None,
                                                       variables: dict[str, str], current: str | None,
                                                       expected: tuple[str, str, str]) -> None:
    target = resolve(context, environ(docker_cli, current, **variables))
    assert (target.context, target.host, target.chosen_by) == expected


def test_an_unknown_context_is_bad_input_naming_it(docker_cli: Path) -> None:
    with pytest.raises(InputError) as caught:
        resolve("nope", environ(docker_cli))
    assert caught.value.exit_code == EXIT_INPUT
    assert caught.value.what == "no Docker context named 'nope'" and caught.value.where == "--context"
    assert caught.value.details == 'context "nope": not found'
    assert "docker context ls" in caught.value.hint


def test_a_broken_docker_config_means_the_default_context(docker_cli: Path) -> None:
    (docker_cli / "config.json").write_text("{not json")
    assert resolve(None, environ(docker_cli)).context == "default"


@pytest.mark.parametrize("target, cli_args, options, scheme, address, tunnel", [
    (EngineTarget(), [], {}, "unix", "", TUNNEL_EXEC),
    (EngineTarget("default", "tcp://10.0.0.3:2376", "DOCKER_HOST"), ["--host", "tcp://10.0.0.3:2376"],
     {"host": "tcp://10.0.0.3:2376"}, "tcp", "10.0.0.3", TUNNEL_EXEC),
    (EngineTarget("build-box", "ssh://dev@box:2222", "--context"), ["--context", "build-box"],
     {"context": "build-box"}, "ssh", "box", TUNNEL_SSH),
    (EngineTarget("sock", "unix:///run/remote.sock", "DOCKER_CONTEXT"), ["--context", "sock"], {"context": "sock"},
     "unix", "", TUNNEL_EXEC),
], ids=["default", "docker-host-tcp", "ssh-context", "socket-context"])
def test_a_target_selects_itself_explicitly(target: EngineTarget, cli_args: list[str], options: dict[str, str],
                                            scheme: str, address: str, tunnel: str) -> None:
    assert target.cli_args == cli_args and target.client_options == options
    assert (target.scheme, target.address, target.tunnel) == (scheme, address, tunnel)


def test_a_targets_key_is_stable_and_tells_engines_apart() -> None:
    one = EngineTarget("a", "ssh://x")
    assert one.key == EngineTarget("a", "ssh://x", "elsewhere").key
    assert len({one.key, EngineTarget("b", "ssh://x").key, EngineTarget("a", "ssh://y").key}) == 3


def test_python_on_whales_clients_are_made_for_the_engine_in_use(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    made: list[dict[str, Any]] = []
    monkeypatch.setattr(engine_client, "DockerClient", lambda **kwargs: made.append(kwargs) or FakeDocker())
    engine_client.use(EngineTarget("build-box", "ssh://dev@box", "--context"))
    engine_client.docker()
    assert made[0] == {"context": "build-box"}
    engine_client.use(EngineTarget("default", "tcp://10.0.0.3:2376", "DOCKER_HOST"))
    engine_client.docker()
    assert made[1] == {"host": "tcp://10.0.0.3:2376"}


def test_docker_cli_calls_go_to_the_engine_in_use(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    seen: list[list[str]] = []

    def completed(argv: list[str], *args: Any, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        seen.append(list(argv))
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr("devenv.process.completed", completed)
    monkeypatch.setattr("devenv.engine.calls.program", lambda: "docker")
    engine_client.use(EngineTarget("build-box", "ssh://dev@box", "--context"))
    files = ProjectFiles(tmp_path / "compose.yaml", tmp_path / "compose.env", "tiny")
    calls.run([*calls.compose_args(files), "ps"])
    assert seen[0][:6] == ["docker", "--context", "build-box", "compose", "-p", "tiny"]


def test_without_a_selection_the_environment_is_resolved_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "tcp://10.1.1.1:2375")
    assert engine_client.current_target() == EngineTarget("default", "tcp://10.1.1.1:2375", "DOCKER_HOST")
    assert engine_client.cli_args() == ["--host", "tcp://10.1.1.1:2375"]


def test_interactive_compose_commands_name_the_engine_first(docker_on_path: Path, tmp_path: Path) -> None:
    engine_client.use(EngineTarget("build-box", "ssh://dev@box", "--context"))
    files = ProjectFiles(tmp_path / "compose" / "compose.yaml", tmp_path / ".devenv" / "compose.env", "tiny",
                         project_dir=tmp_path / "compose")
    assert passthrough.compose(files, "logs") == 0
    argv = (tmp_path / "argv.txt").read_text().splitlines()
    assert argv[:3] == ["--context", "build-box", "compose"]
    assert argv[argv.index("--project-directory") + 1] == str(tmp_path / "compose")
