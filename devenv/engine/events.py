"""Wake-ups when a project's containers change: the engine's event stream instead of a tight polling loop.

`devenv up` looks at the stack again as soon as the engine reports one of its containers created,
started, stopped, removed or changing health, so readiness is seen within milliseconds of the engine
knowing it, and a stack that is busy starting costs no docker process per tick. One `docker events`
process streams for the whole `up`; when it cannot run, the caller's own interval still applies.
"""

from __future__ import annotations

import subprocess
import threading
from types import TracebackType

from devenv import process
from devenv.engine import calls
from devenv.engine.selection import cli_args
from devenv.errors import RuntimeFailure
from devenv.model import labels as names

#: the container events after which the stack may have changed its readiness
WATCHED = ("create", "start", "restart", "die", "destroy", "health_status")


def events_args(project: str) -> list[str]:
    """`docker events` arguments (after `docker`) for the project's containers' changes, one line each."""
    args = ["events", "--filter", "type=container", "--filter", f"label={names.COMPOSE_PROJECT}={project}"]
    for event in WATCHED:
        args += ["--filter", f"event={event}"]
    return [*args, "--format", "{{.Action}}"]


class Changes:
    """Set whenever the engine reports a change to one of the project's containers (or `notify` is called)."""

    def __init__(self, project: str) -> None:
        self._changed = threading.Event()
        self._lock = threading.Lock()
        self._joined_or_left = True  # until the first look: the caller does not know the containers yet
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        try:
            self._process = process.start([calls.program(), *cli_args(), *events_args(project)],
                                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        except RuntimeFailure:
            return
        self._reader = threading.Thread(target=self._read, args=(self._process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith((b"create", b"destroy")):
                with self._lock:
                    self._joined_or_left = True
            self._changed.set()

    def notify(self) -> None:
        self._changed.set()

    def membership_changed(self) -> bool:
        """Whether a container was created or removed since the last call (True before the first one)."""
        with self._lock:
            changed, self._joined_or_left = self._joined_or_left, False
        return changed

    def wait(self, seconds: float) -> bool:
        """Block until a change or `seconds` pass; whether a change came (it is then consumed)."""
        changed = self._changed.wait(max(0.0, seconds))
        self._changed.clear()
        return changed

    def close(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._reader is not None:
            self._reader.join(timeout=1)
        if process.stdout is not None and (self._reader is None or not self._reader.is_alive()):
            process.stdout.close()

    def __enter__(self) -> Changes:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
