"""Which stack a command means: the project name (given, remembered, or derived from the CI job) and the
labels every stack carries (environment, creation time, time-to-live, owner) so `devenv gc` can judge it.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from devenv import statedir
from devenv.errors import InputError
from devenv.model import labels as names

PROJECT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
PROJECT_FILE = "project"
DEFAULT_CI_TTL = 2 * 3600

#: CI systems and the variables that identify one job (in order of preference)
CI_JOB_VARIABLES = (
    ("GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_JOB"),
    ("CI_JOB_ID",),  # GitLab
    ("BUILDKITE_JOB_ID",),
    ("CIRCLE_WORKFLOW_JOB_ID",),
    ("CIRCLE_BUILD_NUM",),
    ("BUILD_TAG",),  # Jenkins: jenkins-job-name-number
    ("TRAVIS_JOB_ID",),
    ("SYSTEM_JOBID",),  # Azure Pipelines
    ("BITBUCKET_BUILD_NUMBER", "BITBUCKET_STEP_UUID"),
    ("DRONE_BUILD_NUMBER", "DRONE_STAGE_NUMBER"),
)


def validate(name: str, where: str = "--project") -> str:
    if not PROJECT_RE.match(name) or len(name) > 63:
        raise InputError(
            f"'{name}' is not a valid project name",
            where=where,
            hint="use at most 63 lower-case letters, digits, '-' and '_', starting with a letter or digit",
        )
    return name


def compose_project_name(folder: str) -> str:
    """A directory name as Compose normalises it into a project name: lower case, only [a-z0-9_-] kept,
    leading '_' and '-' dropped (`My.App` -> `myapp`); "" when nothing is left."""
    return re.sub(r"[^a-z0-9_-]", "", folder.lower()).lstrip("_-")


def sanitize(text: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")


def ci_job_id(environ: dict[str, str]) -> str:
    """An identifier of the running CI job, or "" when none of the known systems' variables is set."""
    for variables in CI_JOB_VARIABLES:
        values = [environ.get(name, "") for name in variables]
        if values[0]:
            return sanitize("-".join(v for v in values if v))
    return ""


def in_ci(environ: dict[str, str]) -> bool:
    return environ.get("CI", "").lower() not in ("", "0", "false", "no")


def project_name(base: str, given: str | None, state_dir: Path, environ: dict[str, str] | None = None) -> str:
    """Given > DEVENV_PROJECT > (in CI) remembered or derived from the job > devenv.toml's name."""
    environ = dict(os.environ) if environ is None else environ
    if given:
        return validate(given)
    if environ.get("DEVENV_PROJECT"):
        return validate(environ["DEVENV_PROJECT"], "DEVENV_PROJECT")
    if not in_ci(environ):
        return validate(base, "devenv.toml project.name")
    remembered = state_dir / PROJECT_FILE
    if remembered.is_file():
        return validate(remembered.read_text().strip(), str(remembered))
    suffix = ci_job_id(environ) or secrets.token_hex(4)
    name = validate(sanitize(f"{base}-{suffix}")[:63].rstrip("-_"))
    statedir.ensure(state_dir)
    statedir.write_private(remembered, (name + "\n").encode())
    return name


@dataclass(frozen=True)
class StackLabels:
    """Labels a stack carries from creation to removal (stable across repeated `up`)."""

    env: str
    created: int
    ttl: int  # seconds; 0 means no expiry
    owner: str  # host:pid of what created it (the CI job's process in CI)
    ci_job: str

    def as_environ(self) -> dict[str, str]:
        """Compose interpolation variables the rendered file uses for these labels."""
        return {"DEVENV_ENV": self.env, "DEVENV_CREATED": str(self.created), "DEVENV_TTL": str(self.ttl),
                "DEVENV_OWNER": self.owner, "DEVENV_CI_JOB": self.ci_job}

    def as_labels(self) -> dict[str, str]:
        return {names.ENV: self.env, names.CREATED: str(self.created), names.TTL: str(self.ttl),
                names.OWNER: self.owner, names.CI_JOB: self.ci_job}

    @classmethod
    def from_labels(cls, labels: dict[str, str]) -> "StackLabels":
        def number(key: str) -> int:
            try:
                return int(labels.get(key, "0") or 0)
            except ValueError:
                return 0
        return cls(labels.get(names.ENV, ""), number(names.CREATED), number(names.TTL),
                   labels.get(names.OWNER, ""), labels.get(names.CI_JOB, ""))


def new_labels(env: str, ttl: int | None, environ: dict[str, str] | None = None) -> StackLabels:
    environ = dict(os.environ) if environ is None else environ
    ci = in_ci(environ)
    owner_pid = os.getppid() if ci else os.getpid()
    return StackLabels(env, int(time.time()), ttl if ttl is not None else (DEFAULT_CI_TTL if ci else 0),
                       f"{socket.gethostname()}:{owner_pid}", ci_job_id(environ) if ci else "")


def parse_duration(text: str) -> int:
    """`90`, `90s`, `15m`, `2h`, `1d` as seconds."""
    match = re.fullmatch(r"(\d+)([smhd]?)", text.strip())
    if not match:
        raise InputError(f"'{text}' is not a duration", where="--ttl", hint="use forms like 900, 15m, 2h or 1d")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
