"""Interactive Compose commands (run, exec, logs --follow) with the terminal passed straight through.

python-on-whales captures output; these commands must stream it and return the container's exit code,
so they call the same docker CLI python-on-whales uses, with inherited standard streams.
"""

from __future__ import annotations

import shutil

from devenv import process
from devenv.engine.calls import ENGINE_HINT, compose_args
from devenv.engine.selection import cli_args
from devenv.errors import RuntimeFailure
from devenv.model.project import ProjectFiles


def compose(files: ProjectFiles, *args: str, profiles: tuple[str, ...] = ()) -> int:
    docker = shutil.which("docker")
    if docker is None:
        raise RuntimeFailure("the docker command is not installed", hint=ENGINE_HINT)
    return process.interactive([docker, *cli_args(), *compose_args(files, profiles), *args], failure=RuntimeFailure,
                               hint=ENGINE_HINT)
