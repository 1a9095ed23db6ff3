"""The one way devenv starts an external program (docker, kubectl, kustomize, helm), with one
translation of its failures into devenv's errors: a missing program, a timeout, a non-zero exit.

python-on-whales has its own choke point for the engine's captured calls; everything else goes here.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from devenv.errors import DevenvError, InputError, RuntimeFailure


def _environment(extra: Mapping[str, str] | None) -> dict[str, str] | None:
    return {**os.environ, **extra} if extra else None


def completed(argv: Sequence[str], what: str, *, cwd: Path | None = None, timeout: float | None = 300,
              stdin: str | None = None, env: Mapping[str, str] | None = None, merge: bool = False,
              failure: type[DevenvError] = InputError, hint: str = "") -> subprocess.CompletedProcess[str]:
    """Run a program to completion, its output captured (standard error interleaved into standard output
    when `merge`); a program that cannot start or does not finish becomes a `failure` naming `what` was run.
    The exit code is the caller's to judge."""
    try:
        return subprocess.run(list(argv), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT if merge else subprocess.PIPE, text=True, cwd=cwd,
                              timeout=timeout, check=False, input=stdin, env=_environment(env))
    except FileNotFoundError:
        raise failure(f"cannot run {argv[0]}", hint="install it, then run `devenv doctor`") from None
    except OSError as exc:  # found but not runnable (permissions, a broken interpreter line)
        raise failure(f"cannot run {argv[0]}: {exc.strerror}", hint="install it, then run `devenv doctor`") from None
    except subprocess.TimeoutExpired:
        raise failure(f"{what} did not finish within {timeout:g} s", hint=hint or "is something unreachable?") from None


def run(argv: Sequence[str], what: str, *, cwd: Path | None = None, timeout: float | None = 300,
        stdin: str | None = None, env: Mapping[str, str] | None = None,
        failure: type[DevenvError] = InputError, hint: str = "") -> str:
    """Run a program to completion and return its standard output.

    Its own error message (standard error, else output) becomes a `failure` naming `what` was run.
    """
    done = completed(argv, what, cwd=cwd, timeout=timeout, stdin=stdin, env=env, failure=failure, hint=hint)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip()
        raise failure(f"{what} failed:\n{message}", hint=hint or "fix the error reported above")
    return done.stdout


def probe(argv: Sequence[str], timeout: float = 30) -> str | None:
    """A program's output, or None when it is missing, fails or hangs (for version checks)."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def interactive(argv: Sequence[str], env: Mapping[str, str] | None = None,
                failure: type[DevenvError] = InputError, hint: str = "") -> int:
    """Run a program with the terminal passed straight through; its exit code.

    A SIGTERM to devenv (a supervisor, a test, `kill`) is passed on to the program, so stopping
    `devenv watch` stops its `docker compose watch` instead of leaving it behind; Ctrl-C reaches the
    program from the terminal itself, and devenv waits for it to finish."""
    try:
        child = subprocess.Popen(list(argv), env=_environment(env))
    except FileNotFoundError:
        raise failure(f"cannot run {argv[0]}", hint=hint or "install it, then run `devenv doctor`") from None
    with child:
        previous = _on_terminate(lambda signum, frame: _signal_tree(child.pid, signum))
        try:
            return child.wait()
        except KeyboardInterrupt:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
            raise
        finally:
            _on_terminate(previous)


def _signal_tree(pid: int, signum: int) -> None:
    """Send `signum` to a program and every process below it: `docker compose` runs Compose as a plugin
    process of its own, which the docker CLI (20.10) does not pass a SIGTERM on to."""
    for target in [pid, *descendants(pid)]:
        try:
            os.kill(target, signum)
        except (ProcessLookupError, PermissionError):
            continue


def descendants(pid: int) -> list[int]:
    """The processes below `pid`, read from /proc (none where there is no /proc)."""
    parents: dict[int, list[int]] = {}
    try:
        entries = [e.name for e in os.scandir("/proc") if e.name.isdigit()]
    except OSError:
        return []
    for name in entries:
        try:
            with open(f"/proc/{name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents.setdefault(int(fields[1]), []).append(int(name))
    found: list[int] = []
    pending = [pid]
    while pending:
        below = parents.get(pending.pop(), [])
        found.extend(below)
        pending.extend(below)
    return found


def _on_terminate(handler: Any) -> Any:
    """Install `handler` for SIGTERM (only the main thread may); the handler it replaces."""
    if threading.current_thread() is not threading.main_thread() or handler is None:
        return None
    return signal.signal(signal.SIGTERM, handler)


def feed(argv: Sequence[str], data: bytes, what: str, *, timeout: float | None = 300,
         failure: type[DevenvError] = InputError, hint: str = "") -> str:
    """Run a program with `data` on its standard input (a tar stream for the engine); its output."""
    try:
        done = subprocess.run(list(argv), input=data, capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError:
        raise failure(f"cannot run {argv[0]}", hint="install it, then run `devenv doctor`") from None
    except subprocess.TimeoutExpired:
        raise failure(f"{what} did not finish within {timeout:g} s", hint=hint or "is something unreachable?") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).decode(errors="replace").strip()
        raise failure(f"{what} failed:\n{message}", hint=hint or "fix the error reported above")
    return done.stdout.decode(errors="replace")


def start(argv: Sequence[str], **options: Any) -> subprocess.Popen[Any]:
    """Start a long-running program (a tunnel, a relay) with `subprocess.Popen`'s `options`."""
    try:
        return subprocess.Popen(list(argv), **options)
    except OSError as exc:
        raise RuntimeFailure(f"cannot run {argv[0]}: {exc.strerror}", hint="install it, then run `devenv doctor`") \
            from None
