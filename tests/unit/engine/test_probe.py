"""Whether an engine shares this machine's files and loopback: the two probes against a scripted docker CLI,
the answer remembered per engine (and the list of engines a checkout used, for gc), a guess only when the
probe cannot run."""

from __future__ import annotations

import json
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devenv.engine import probe
from devenv.errors import RuntimeFailure
from devenv.model.engine import EngineTarget, Location

TOKEN = "f" * 32
#: a docker CLI for the probes: ENGINE_SEES=files|nothing|down, ENGINE_PORT=the port `docker port` answers
FAKE_DOCKER = r"""#!/bin/sh
echo "$*" >> "$FAKE_DOCKER_LOG"
case "$ENGINE_SEES" in down) echo "Cannot connect to the Docker daemon at unix:///x.sock" >&2; exit 1 ;; esac
if [ "$1" = run ] && [ "$2" = --rm ]; then
  if [ "$ENGINE_SEES" = files ]; then
    source=$(printf '%s\n' "$@" | sed -n 's/^type=bind,source=\([^,]*\),.*/\1/p')
    cat "$source/token"; exit 0
  fi
  echo "docker: Error response from daemon: invalid mount config for type \"bind\": bind source path does not exist: /x" >&2
  exit 125
fi
[ "$1" = run ] && { echo c0ffee; exit 0; }
[ "$1" = port ] && { echo "127.0.0.1:$ENGINE_PORT"; exit 0; }
[ "$1" = rm ] && exit 0
exit 0
"""


@pytest.fixture
def engine_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    program = bin_dir / "docker"
    program.write_text(FAKE_DOCKER)
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")  # the fake docker first; sed and cat after it
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(tmp_path / "docker.log"))
    monkeypatch.setattr(probe.secrets, "token_hex", lambda _: TOKEN)
    monkeypatch.setattr(probe, "LOOPBACK_WAIT", 0.6)
    return tmp_path / "docker.log"


@pytest.fixture
def token_server() -> Iterator[int]:
    """A port on this machine's loopback that serves the probe's token, as the probe container would."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.sendall(f"{TOKEN}\n".encode())

    threading.Thread(target=serve, daemon=True).start()
    yield int(server.getsockname()[1])
    server.close()


def closed_port() -> int:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        return int(unused.getsockname()[1])


def test_an_engine_that_sees_the_token_and_serves_it_here_is_local(engine_cli: Path, tmp_path: Path,
                                                                   token_server: int,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_SEES", "files")
    monkeypatch.setenv("ENGINE_PORT", str(token_server))
    assert probe.probe(tmp_path / "state", "busybox:1.36.1") is True
    calls = engine_cli.read_text().splitlines()
    assert calls[0].startswith("run --rm --network none --mount type=bind,source=")
    assert calls[0].endswith("readonly busybox:1.36.1 cat /probe/token")
    assert calls[1].startswith("run -d --rm -p 127.0.0.1::7 busybox:1.36.1 sh -c")
    assert calls[-1] == "rm -f c0ffee"  # the loopback probe's container is always removed


def test_an_engine_that_sees_the_files_but_not_this_loopback_is_remote(engine_cli: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_SEES", "files")
    monkeypatch.setenv("ENGINE_PORT", str(closed_port()))
    assert probe.probe(tmp_path / "state", "busybox:1.36.1") is False
    assert engine_cli.read_text().splitlines()[-1] == "rm -f c0ffee"


def test_an_engine_without_this_machines_files_is_remote_without_a_second_probe(engine_cli: Path, tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_SEES", "nothing")
    assert probe.probe(tmp_path / "state", "busybox:1.36.1") is False
    assert len(engine_cli.read_text().splitlines()) == 1


def test_an_unreachable_engine_is_one_clear_runtime_failure(engine_cli: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_SEES", "down")
    monkeypatch.setenv("DOCKER_HOST", "unix:///x.sock")
    with pytest.raises(RuntimeFailure) as caught:
        probe.probe(tmp_path / "state", "busybox:1.36.1")
    assert caught.value.what == "the Docker engine is not reachable"


REMOTE = EngineTarget("build-box", "ssh://dev@box", "--context")


@pytest.mark.parametrize("answer, target, expected", [
    (True, REMOTE, Location(True, "probe")),
    (False, REMOTE, Location(False, "probe")),
    (None, REMOTE, Location(False, "guess from the ssh:// endpoint (the probe container could not run)")),
    (None, EngineTarget("default", "unix:///run/other.sock", "DOCKER_HOST"),
     Location(True, "guess from the unix:// endpoint (the probe container could not run)")),
], ids=["local", "remote", "ssh-guess", "socket-guess"])
def test_locate_probes_once_and_remembers_only_real_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            answer: bool | None, target: EngineTarget,
                                                            expected: Location) -> None:
    calls: list[str] = []
    monkeypatch.setattr(probe, "probe", lambda state_dir, image: calls.append(image) or answer)
    assert probe.locate(tmp_path, "helper:1", target) == expected
    again = probe.locate(tmp_path, "helper:1", target)
    if answer is None:
        assert again == expected and len(calls) == 2  # a guess is never remembered
    else:
        assert again == Location(answer, "cache") and len(calls) == 1
        assert probe.locate(tmp_path, "helper:1", target, refresh=True) == expected and len(calls) == 2


def test_the_plain_default_socket_is_local_without_a_probe_unless_doctor_asks(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(probe, "probe", lambda state_dir, image: calls.append(image) or False)
    assert probe.locate(tmp_path, "helper:1", EngineTarget()) == Location(True, "the default local socket")
    assert calls == []
    assert probe.locate(tmp_path, "helper:1", EngineTarget(), refresh=True) == Location(False, "probe")
    assert probe.locate(tmp_path, "helper:1", EngineTarget()) == Location(False, "cache")  # what doctor found


def test_engines_used_by_a_checkout_are_listed_for_gc(tmp_path: Path) -> None:
    probe.remember(tmp_path, EngineTarget("default", "tcp://10.0.0.3:2375", "DOCKER_HOST"))
    probe.remember(tmp_path, REMOTE, local=False)
    probe.remember(tmp_path, REMOTE)  # used again: what was learnt stays
    data = json.loads((tmp_path / probe.ENGINES_FILE).read_text())
    assert data[REMOTE.key]["local"] is False and data[REMOTE.key]["host"] == "ssh://dev@box"
    assert probe.used_engines(tmp_path) == [EngineTarget("build-box", "ssh://dev@box", "engines.json"),
                                            EngineTarget("default", "tcp://10.0.0.3:2375", "DOCKER_HOST")]
    assert [t.cli_args for t in probe.used_engines(tmp_path)] == [["--context", "build-box"],
                                                                  ["--host", "tcp://10.0.0.3:2375"]]


def test_a_damaged_engines_file_is_an_empty_list(tmp_path: Path) -> None:
    (tmp_path / probe.ENGINES_FILE).write_text("[1, 2")
    assert probe.used_engines(tmp_path) == [] and probe.load(tmp_path) == {}
