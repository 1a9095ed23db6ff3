"""Where a rendered project lives on disk: what Compose needs to run it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProjectFiles:
    """Where a rendered project lives and what Compose needs to run it."""

    compose_file: Path
    env_file: Path
    project: str

    @property
    def directory(self) -> Path:
        return self.compose_file.parent
