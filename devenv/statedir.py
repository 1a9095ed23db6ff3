"""The state directory (`.devenv/` by default): what devenv keeps per checkout, private by construction.

It holds the render cache, the local secret values (secrets.json, compose.env), the stack env files,
ports.json, the remembered project name, the seed key and the lock. Whatever the umask, devenv makes its
directories 0700 and its files 0600, tightens looser modes an older version left, and writes a
`.gitignore` of `*` in it, so `git add -A` never stages any of it.

One subtree keeps other modes: `files/`, the Secret volumes bind-mounted into containers, whose files
have the modes a pod sees (a non-root container user must read them, as in Kubernetes). `files/` itself
is 0700 like the state directory, so no other user of the host can reach them.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from devenv.errors import RuntimeFailure

DIR_MODE = 0o700
FILE_MODE = 0o600
GITIGNORE = ".gitignore"
#: the Secret volumes mounted into containers (see translate/volumes.py): modes of their own
MOUNTED = "files"

_tightened: set[Path] = set()


def ensure(state_dir: Path) -> Path:
    """The state directory, created 0700 with its `.gitignore`; the first call in a process also tightens
    the modes of everything already in it."""
    private_dir(state_dir)
    try:
        if not (state_dir / GITIGNORE).is_file():
            write_private(state_dir / GITIGNORE, b"*\n")
    except OSError as exc:
        raise _failure(state_dir, exc) from None
    key = state_dir.resolve()
    if key not in _tightened:
        _tighten(state_dir)
        _tightened.add(key)
    return state_dir


def private_dir(path: Path) -> Path:
    """`path` as a directory of mode 0700 (created or tightened); missing ancestors get the default mode."""
    try:
        if not path.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                path.mkdir(mode=DIR_MODE)
            except FileExistsError:  # a parallel run made it, or a file is in the way
                if not path.is_dir():
                    raise RuntimeFailure(f"{path.name} is in the way of devenv's state: it is not a directory",
                                         where=str(path), hint="remove it, or set project.state_dir in "
                                                               "devenv.toml") from None
        if stat.S_IMODE(path.stat().st_mode) != DIR_MODE:
            os.chmod(path, DIR_MODE)
    except OSError as exc:
        raise _failure(path, exc) from None
    return path


def _failure(path: Path, exc: OSError) -> RuntimeFailure:
    return RuntimeFailure(f"cannot prepare devenv's state directory: {exc.strerror}", where=str(path),
                          hint="check the owner and permissions of the folder (devenv keeps it private: 0700)")


def write_private(path: Path, content: bytes) -> None:
    """Write `path` atomically with mode 0600: the content is never readable by others, not even briefly."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # the umask may have taken bits away: 0600 exactly
        with os.fdopen(fd, "wb") as handle:
            fd = -1
            handle.write(content)
    finally:
        if fd >= 0:
            os.close(fd)
    os.replace(tmp, path)


def open_private(path: Path) -> int:
    """A descriptor on `path` (created if missing, never truncated) of mode 0600, for a lock file."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.fchmod(fd, FILE_MODE)
    return fd


def _tighten(state_dir: Path) -> None:
    """Directories 0700 and files 0600 throughout, without following symbolic links; `files/` keeps its
    content's modes (its own is 0700)."""
    for current, folders, names in os.walk(state_dir):
        here = Path(current)
        if here == state_dir:
            folders[:] = [f for f in folders if f != MOUNTED]
            if (here / MOUNTED).is_dir() and not (here / MOUNTED).is_symlink():
                _chmod(here / MOUNTED, DIR_MODE)
        for name in folders:
            _chmod(here / name, DIR_MODE)
        for name in names:
            _chmod(here / name, FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    try:
        info = path.lstat()
        if not stat.S_ISLNK(info.st_mode) and stat.S_IMODE(info.st_mode) != mode:
            os.chmod(path, mode)
    except OSError:  # removed meanwhile (a parallel run's temporary file), or not ours: leave it
        pass
