"""Every path devenv writes or removes: built from checked segments and proven to stay inside its root.

Names from manifests become folders (namespace/pod/volume/item path). Translation already refuses the
names Kubernetes refuses; this is the structural guarantee at the point of writing, whatever the caller:
no empty, `.` or `..` segment, no NUL, and the resolved path (symbolic links followed) is inside the
resolved root.
"""

from __future__ import annotations

from pathlib import Path

from devenv.errors import InputError


def segments(relative: str, where: str = "") -> list[str]:
    """The segments of a relative `a/b/c` path, each a plain name; anything else is bad input."""
    parts = relative.split("/")
    for part in parts:
        if part in ("", ".", "..") or "\0" in part:
            raise InputError(f"refusing to write {relative!r}: {part!r} is not a plain file or folder name",
                             where=where, hint="file and folder names come from object, volume and item names: "
                                               "use names Kubernetes accepts")
    return parts


def inside(root: Path, relative: str, where: str = "") -> Path:
    """`root/relative` with its folders resolved (symbolic links followed), refusing anything outside `root`.

    The last segment is not followed: writers replace it (never write through a link) and removal unlinks
    the entry itself.
    """
    real_root = root.resolve()
    parts = segments(relative, where)
    parent = real_root.joinpath(*parts[:-1]).resolve()
    if parent != real_root and not parent.is_relative_to(real_root):
        raise InputError(f"refusing to write {relative!r}: its folder resolves to {parent}, outside {real_root}",
                         where=where, hint="remove the symbolic link that leads out of the folder")
    return parent / parts[-1]
