"""Interactive Compose commands (run, exec, logs --follow) with the terminal passed straight through.

python-on-whales captures output; these commands must stream it and return the container's exit code,
so they call the same docker CLI python-on-whales uses, with inherited standard streams.
"""

from __future__ import annotations

import shutil

from devenv import process
from devenv.engine.client import ENGINE_HINT, cli_args, env_files
from devenv.errors import RuntimeFailure
from devenv.model.project import ProjectFiles


def compose(files: ProjectFiles, *args: str, profiles: tuple[str, ...] = ()) -> int:
    docker = shutil.which("docker")
    if docker is None:
        raise RuntimeFailure("the docker command is not installed", hint=ENGINE_HINT)
    argv = [docker, *cli_args(), "compose", "-p", files.project, "-f", str(files.compose_file),
            "--project-directory", str(files.directory)]
    for env_file in env_files(files):
        argv += ["--env-file", str(env_file)]
    for profile in profiles:
        argv += ["--profile", profile]
    return process.interactive([*argv, *args], failure=RuntimeFailure, hint=ENGINE_HINT)
