"""Tunnels to a remote engine's published ports: the relay process for real (its `docker exec ... nc` and
`ssh -L` replaced by small stand-ins that reach a local server), its life cycle (started, reused, restarted
with the same local ports, stopped, gone by itself when the relay container is), and the choices around it."""

from __future__ import annotations

import json
import socket
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devenv.engine import tunnel
from devenv.errors import RuntimeFailure
from devenv.model.engine import TUNNEL_EXEC, TUNNEL_SSH, EngineTarget

#: `nc 127.0.0.1 PORT` as the relay container runs it: standard streams <-> a TCP connection
NC = textwrap.dedent("""
    import socket, sys, threading
    connection = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    def up():
        while data := sys.stdin.buffer.read1(65536):
            connection.sendall(data)
        connection.shutdown(socket.SHUT_WR)
    threading.Thread(target=up, daemon=True).start()
    while data := connection.recv(65536):
        sys.stdout.buffer.write(data); sys.stdout.buffer.flush()
""")
#: `ssh -N -L 127.0.0.1:LOCAL:127.0.0.1:REMOTE ... -- HOST`: local listeners forwarding to the "remote" ports
SSH = textwrap.dedent("""
    import socket, sys, threading
    def pump(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass
    def serve(listener, remote):
        while True:
            client, _ = listener.accept()
            upstream = socket.create_connection(("127.0.0.1", remote))
            threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=pump, args=(upstream, client), daemon=True).start()
    args = sys.argv[1:]
    assert args[-2] == "--" and "-N" in args, args
    for index, arg in enumerate(args):
        if arg == "-L":
            _, local, _, remote = args[index + 1].split(":")
            listener = socket.socket(); listener.bind(("127.0.0.1", int(local))); listener.listen(8)
            threading.Thread(target=serve, args=(listener, int(remote)), daemon=True).start()
    threading.Event().wait()
""")
TARGET = EngineTarget("build-box", "unix:///run/remote.sock", "--context")
SSH_TARGET = EngineTarget("box", "ssh://dev@box.internal:2222", "--context")


@pytest.fixture
def upper_server() -> Iterator[int]:
    """The "remote" published port: answers each connection with what it received, upper-cased."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)

    def handle(connection: socket.socket) -> None:
        with connection:
            received = b""
            while data := connection.recv(65536):
                received += data
            connection.sendall(received.upper())

    def serve() -> None:
        while True:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(connection,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield int(server.getsockname()[1])
    server.close()


def ask(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(payload)
        connection.shutdown(socket.SHUT_WR)
        received = b""
        while data := connection.recv(65536):
            received += data
    return received


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """tunnel._spec with the docker CLI and ssh replaced by the stand-ins above."""
    (tmp_path / "nc.py").write_text(NC)
    (tmp_path / "ssh.py").write_text(SSH)
    settings: dict[str, Any] = {"alive": "true", "watch_every": 10}
    real = tunnel._spec

    def spec(target: EngineTarget, forwards: dict[str, tuple[int, int]], docker_args: list[str], relay: str,
             state: Path) -> dict[str, object]:
        made = real(target, forwards, docker_args, relay, state)
        made["watch_every"] = settings["watch_every"]
        if target.tunnel == TUNNEL_SSH:
            made["ssh"] = [sys.executable, str(tmp_path / "ssh.py"), *list(made["ssh"])[1:]]  # type: ignore[call-overload]
        else:
            made["connect"] = [sys.executable, str(tmp_path / "nc.py")]
            made["alive"] = [sys.executable, "-c", f"print({settings['alive']!r})"]
        return made

    monkeypatch.setattr(tunnel, "_spec", spec)
    return settings


@pytest.mark.parametrize("target", [TARGET, SSH_TARGET], ids=["api-relay", "ssh"])
def test_a_tunnel_carries_connections_and_lives_until_stopped(tmp_path: Path, upper_server: int,
                                                              stand_ins: dict[str, Any], target: EngineTarget) -> None:
    published = {"web-pod:80": upper_server}  # port 80: a random local port, not a shared 8080
    try:
        carried = tunnel.ensure(tmp_path, target, "shop", published, ["--context", "build-box"], "relay-id")
        remote, local = carried.forwards["web-pod:80"]
        assert remote == upper_server and carried.local(upper_server) == local and carried.kind == target.tunnel
        assert ask(local, b"hello") == b"HELLO"
        assert [ask(local, f"n{i}".encode()) for i in range(5)] == [f"N{i}".encode() for i in range(5)]
        big = bytes(range(256)) * 4096  # 1 MiB, binary
        assert ask(local, big) == big.upper()
        # asked again with the same ports: the same process
        assert tunnel.ensure(tmp_path, target, "shop", published, [], "relay-id").pid == carried.pid
        assert tunnel.current(tmp_path, target, "shop") == carried and carried.relay == "relay-id"
    finally:
        assert tunnel.stop(tmp_path, target, "shop")
    assert tunnel.current(tmp_path, target, "shop") is None
    assert not tunnel.stop(tmp_path, target, "shop")
    with pytest.raises(OSError):
        ask(local, b"gone")


def test_new_published_ports_restart_the_tunnel_keeping_the_local_ports(tmp_path: Path, upper_server: int,
                                                                         stand_ins: dict[str, Any]) -> None:
    first = tunnel.ensure(tmp_path, TARGET, "shop", {"web-pod:80": upper_server}, [], "relay-id")
    try:
        second = tunnel.ensure(tmp_path, TARGET, "shop", {"web-pod:80": upper_server, "db-pod:5432": upper_server},
                               [], "relay-id")
        assert second.pid != first.pid and tunnel.current(tmp_path, TARGET, "shop") == second
        assert second.forwards["web-pod:80"][1] == first.forwards["web-pod:80"][1]
        assert ask(second.forwards["db-pod:5432"][1], b"sql") == b"SQL"
    finally:
        tunnel.stop(tmp_path, TARGET, "shop")


def test_a_recreated_relay_container_restarts_the_tunnel_on_the_same_ports(tmp_path: Path, upper_server: int,
                                                                            stand_ins: dict[str, Any]) -> None:
    published = {"web-pod:80": upper_server}  # port 80: a random local port, not a shared 8080
    first = tunnel.ensure(tmp_path, TARGET, "shop", published, [], "relay-1")
    try:
        second = tunnel.ensure(tmp_path, TARGET, "shop", published, [], "relay-2")
        assert second.pid != first.pid and second.relay == "relay-2" and second.forwards == first.forwards
    finally:
        tunnel.stop(tmp_path, TARGET, "shop")


def test_the_tunnel_stops_by_itself_when_the_relay_container_is_gone(tmp_path: Path, upper_server: int,
                                                                     stand_ins: dict[str, Any]) -> None:
    stand_ins.update(alive="false", watch_every=0.1)
    tunnel.ensure(tmp_path, TARGET, "shop", {"web-pod:80": upper_server}, [], "relay-id")
    deadline = time.monotonic() + 10
    while tunnel.current(tmp_path, TARGET, "shop") is not None:
        assert time.monotonic() < deadline, "the tunnel outlived its relay container"
        time.sleep(0.1)


def test_a_tunnel_that_cannot_start_is_a_runtime_failure_with_its_log(tmp_path: Path, upper_server: int,
                                                                      stand_ins: dict[str, Any],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tunnel, "START_TIMEOUT", 3.0)
    (tmp_path / "ssh.py").write_text("import sys\nprint('Permission denied (publickey).', file=sys.stderr)\nsys.exit(255)\n")
    with pytest.raises(RuntimeFailure) as caught:
        tunnel.ensure(tmp_path, SSH_TARGET, "shop", {"web-pod:80": upper_server}, [], "")
    assert caught.value.what == "the tunnel to box did not start"
    assert "Permission denied (publickey)." in caught.value.details
    assert "ssh -p 2222 -- dev@box.internal" not in caught.value.hint and "dev@box.internal" in caught.value.hint


def test_state_of_a_foreign_process_is_not_a_tunnel(tmp_path: Path) -> None:
    _, state, _ = tunnel.paths(tmp_path, TARGET, "shop")
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"pid": 1, "kind": "exec", "forwards": {"web-pod:8080": [1, 2]}}))
    assert tunnel.current(tmp_path, TARGET, "shop") is None  # pid 1 is not a relay for this spec
    assert not tunnel.stop(tmp_path, TARGET, "shop")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_local_ports_are_last_times_then_the_containers_own_then_any() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    busy = int(taken.getsockname()[1])
    remembered = free_port()
    with taken:
        chosen = tunnel._choose({"a-pod:80": 41001, "b-pod:5432": 41002, "c-pod:8080": 41003,
                                 f"d-pod:{busy}": 41004},
                                {"c-pod:8080": remembered})
    assert chosen["c-pod:8080"] == (41003, remembered)
    assert chosen["b-pod:5432"][1] in (5432, *range(1025, 65536))
    assert chosen[f"d-pod:{busy}"][1] != busy  # taken here: another one
    assert chosen["a-pod:80"][1] > 1024  # never a privileged port
    assert len({local for _, local in chosen.values()}) == 4


@pytest.mark.parametrize("host, destination", [
    ("ssh://box", ["--", "box"]),
    ("ssh://dev@box", ["--", "dev@box"]),
    ("ssh://dev@box:2222", ["-p", "2222", "--", "dev@box"]),
])
def test_ssh_destinations_follow_the_docker_endpoint(host: str, destination: list[str]) -> None:
    assert tunnel._destination(EngineTarget("x", host, "--context")) == destination


def test_the_api_relay_spec_reaches_the_relay_container_through_the_engine(tmp_path: Path) -> None:
    spec = tunnel._spec(TARGET, {"web-pod:8080": (41003, 18080)}, ["--context", "build-box"], "relay-id",
                        tmp_path / "state.json")
    assert spec["kind"] == TUNNEL_EXEC and spec["forwards"] == {"web-pod:8080": [41003, 18080]}
    assert list(spec["connect"])[1:] == ["--context", "build-box", "exec", "-i", "relay-id", "nc", "127.0.0.1"]  # type: ignore[call-overload]
    ssh = tunnel._spec(SSH_TARGET, {}, [], "", tmp_path / "state.json")
    assert list(ssh["ssh"])[1:] == ["-N", "-o", "ExitOnForwardFailure=yes", "-o", "BatchMode=yes",  # type: ignore[call-overload]
                                    "-o", "ServerAliveInterval=15", "-p", "2222", "--", "dev@box.internal"]
