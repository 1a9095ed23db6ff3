"""The only strings of a Compose project that Compose may interpolate: devenv's own `${DEVENV_...}`.

Every other string devenv writes (an image, a path, an argument, a label...) is literal: the Compose
writer escapes each `$` in it as `$$`. A string built here carries devenv's own variable references
and is written as is; its variable names are checked, so no manifest text can become one.
"""

from __future__ import annotations

import re

VARIABLE_RE = re.compile(r"DEVENV_[A-Z0-9_]+")


class Interpolated(str):
    """A string holding devenv's own `${VARIABLE}` references, for Compose to interpolate."""

    __slots__ = ()


def reference(variable: str, default: str | None = None) -> Interpolated:
    """`${VARIABLE}` or `${VARIABLE:-default}`: a reference to one of devenv's interpolation variables."""
    if not VARIABLE_RE.fullmatch(variable):
        raise ValueError(f"not a devenv interpolation variable: {variable!r}")
    if default is not None and not re.fullmatch(r"[A-Za-z0-9._-]*", default):
        raise ValueError(f"not a literal default for {variable}: {default!r}")
    return Interpolated("${" + variable + ("" if default is None else ":-" + default) + "}")


def published_port(variable: str, container_port: int) -> Interpolated:
    """A port mapping on 127.0.0.1 whose host port comes from `variable` (0, the engine's choice, when unset)."""
    return Interpolated(f"127.0.0.1:{reference(variable, '0')}:{int(container_port)}")


SAFE_PATH_RE = re.compile(r"[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*")


def engine_volume_path(volume: str, inner: str, variable: str, default_dir: str) -> Interpolated:
    """Where a project volume's file lives on the engine host:
    `${VARIABLE:-DEFAULT_DIR}/${COMPOSE_PROJECT_NAME}_VOLUME/_data/INNER` (`devenv up` sets VARIABLE to the
    engine's own volumes folder). The parts are checked: no manifest text can add a reference."""
    if not VARIABLE_RE.fullmatch(variable) or not re.fullmatch(r"(/[A-Za-z0-9._-]+)+", default_dir):
        raise ValueError(f"not a volumes folder reference: {variable!r}, {default_dir!r}")
    if not SAFE_PATH_RE.fullmatch(volume) or not SAFE_PATH_RE.fullmatch(inner) or ".." in f"{volume}/{inner}".split("/"):
        raise ValueError(f"not a safe volume path: {volume!r}, {inner!r}")
    return Interpolated(f"${{{variable}:-{default_dir}}}/${{COMPOSE_PROJECT_NAME}}_{volume}/_data/{inner}")
