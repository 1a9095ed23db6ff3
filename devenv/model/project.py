"""Where a rendered project lives on disk: what Compose needs to run it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True)
class ProjectFiles:
    """Where a rendered project lives and what Compose needs to run it."""

    compose_file: Path
    env_file: Path  # local secret values for Compose's interpolation (0600)
    project: str
    #: the stack's interpolation variables (labels, host ports): passed to Compose explicitly, never via os.environ
    environment: Mapping[str, str] = field(default_factory=dict)
    #: where relative paths (build contexts, watch paths) resolve from, when not the compose file's folder
    project_dir: Path | None = None

    def with_environment(self, environment: Mapping[str, str]) -> "ProjectFiles":
        return replace(self, environment=dict(environment))

    @property
    def stack_env_file(self) -> Path:
        """Where the engine adapter writes `environment` for Compose (beside the secret env file)."""
        return self.env_file.with_name(f"stack-{self.project}.env")

    @property
    def directory(self) -> Path:
        return self.project_dir or self.compose_file.parent
