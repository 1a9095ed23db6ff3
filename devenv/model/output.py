"""The Compose project under construction: services, volumes, networks, files, and the deltas found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devenv.model.delta import Delta


@dataclass
class FileOut:
    """A file the Compose project mounts: config under the output dir, secret material under state."""

    content: bytes
    mode: int = 0o644
    secret: bool = False


@dataclass
class Output:
    """The Compose project under construction, plus every delta found on the way."""

    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    networks: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, FileOut] = field(default_factory=dict)
    secret_env: dict[str, str] = field(default_factory=dict)  # interpolation variables holding local secrets
    external_aliases: dict[str, dict[str, set[str]]] = field(default_factory=dict)  # mock -> network -> names
    endpoints: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # "ns/svc:port" -> (pod, container port)
    deltas: list[Delta] = field(default_factory=list)
