"""Interactive Compose commands (run, exec, logs --follow) with the terminal passed straight through.

python-on-whales captures output; these commands must stream it and return the container's exit code,
so they call the same docker CLI python-on-whales uses, with inherited standard streams.
"""

from __future__ import annotations

import shutil
import subprocess

from devenv.engine.client import ENGINE_HINT
from devenv.errors import RuntimeFailure
from devenv.model.project import ProjectFiles


def compose(files: ProjectFiles, *args: str, profiles: tuple[str, ...] = ()) -> int:
    docker = shutil.which("docker")
    if docker is None:
        raise RuntimeFailure("the docker command is not installed", hint=ENGINE_HINT)
    argv = [docker, "compose", "-p", files.project, "-f", str(files.compose_file),
            "--project-directory", str(files.directory)]
    if files.env_file.is_file():
        argv += ["--env-file", str(files.env_file)]
    for profile in profiles:
        argv += ["--profile", profile]
    return subprocess.run([*argv, *args], check=False).returncode
