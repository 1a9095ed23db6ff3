"""The tunnel process of one stack on a remote engine: `python -m devenv.engine.relay SPEC.json`.

For an ssh:// engine it keeps one `ssh -N -L 127.0.0.1:LOCAL:127.0.0.1:REMOTE ...` running (restarted
if the connection drops). Otherwise it listens on 127.0.0.1:LOCAL for each published port and carries
every connection through the engine's API: `docker exec -i devenv-relay nc 127.0.0.1 REMOTE`, the relay
container idling on the engine host's network. Either way the engine host's ports stay on its loopback.

Once listening it writes its state (pid, forwards) next to the spec; it exits on SIGTERM (`devenv down`,
`devenv gc`), or by itself when the stack's relay container is gone (the stack was removed otherwise).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from devenv import process as runner
from devenv.errors import RuntimeFailure

CHUNK = 65536
WATCH_EVERY = 10.0


def _pump_in(client: socket.socket, sink: IO[bytes]) -> None:
    try:
        while data := client.recv(CHUNK):
            sink.write(data)
            sink.flush()
    except OSError:
        pass
    finally:
        try:
            sink.close()
        except OSError:
            pass


def _pump_out(source: IO[bytes], client: socket.socket) -> None:
    try:
        while data := os.read(source.fileno(), CHUNK):
            client.sendall(data)
        client.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def _carry(client: socket.socket, connect: list[str], remote: int) -> None:
    """One connection: a `docker exec -i RELAY nc 127.0.0.1 REMOTE` carries its bytes both ways."""
    with client:
        process = runner.start([*connect, str(remote)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, bufsize=0)
        assert process.stdin is not None and process.stdout is not None
        inbound = threading.Thread(target=_pump_in, args=(client, process.stdin), daemon=True)
        inbound.start()
        _pump_out(process.stdout, client)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
        inbound.join(timeout=1)


def _serve(listener: socket.socket, connect: list[str], remote: int) -> None:
    while True:
        client, _ = listener.accept()
        threading.Thread(target=_carry, args=(client, connect, remote), daemon=True).start()


def _listen(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    return listener


def _write_state(spec: dict[str, Any]) -> None:
    state = Path(spec["state"])
    temporary = state.with_name(f".{state.name}.{os.getpid()}")
    temporary.write_text(json.dumps({"pid": os.getpid(), "kind": spec["kind"], "forwards": spec["forwards"],
                                     "relay": spec.get("relay", "")}))
    temporary.replace(state)


def _exec_tunnel(spec: dict[str, Any]) -> None:
    forwards = {label: (int(remote), int(local)) for label, (remote, local) in spec["forwards"].items()}
    for remote, local in forwards.values():
        threading.Thread(target=_serve, args=(_listen(local), spec["connect"], remote), daemon=True).start()
    _write_state(spec)
    missing = 0
    while True:
        time.sleep(float(spec.get("watch_every", WATCH_EVERY)))
        done = runner.completed(spec["alive"], "checking the relay", timeout=30, failure=RuntimeFailure)
        missing = missing + 1 if done.returncode != 0 or done.stdout.strip() != "true" else 0
        if missing >= 3:
            print("the relay container is gone: stopping", flush=True)
            return


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _ssh_tunnel(spec: dict[str, Any]) -> None:
    forwards = [(int(remote), int(local)) for remote, local in spec["forwards"].values()]
    argv = [*spec["ssh"][:-2]]
    for remote, local in forwards:
        argv += ["-L", f"127.0.0.1:{local}:127.0.0.1:{remote}"]
    argv += spec["ssh"][-2:]  # "--" and the destination stay last
    announced = False
    children: list[subprocess.Popen[bytes]] = []

    def finish(*_: Any) -> None:
        for running in children:
            running.terminate()
        sys.exit(0)

    signal.signal(signal.SIGTERM, finish)
    while True:
        child = runner.start(argv, stdin=subprocess.DEVNULL)
        children[:] = [child]
        while child.poll() is None:
            if not announced and all(_reachable(local) for _, local in forwards):
                _write_state(spec)
                announced = True
            time.sleep(0.2)
        if not announced:
            print(f"ssh exited with code {child.returncode} before forwarding", flush=True)
            return
        time.sleep(2)  # the connection dropped: reconnect


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"tunnel ({spec['kind']}) to {spec['engine']}: {spec['forwards']}", flush=True)
    if spec["kind"] == "ssh":
        _ssh_tunnel(spec)
    else:
        _exec_tunnel(spec)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
