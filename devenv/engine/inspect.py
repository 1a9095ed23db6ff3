"""What the engine says about a running project, for `devenv verify`: containers, images, mounted files.

Plain data out (no python-on-whales types), so the comparison in devenv.parity.verify stays pure.
File contents and environment values are returned to the caller, never printed.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_on_whales import Container, DockerClient
from python_on_whales.exceptions import DockerException

from devenv.engine.client import docker, engine_errors, require_engine
from devenv.engine.stack import PROJECT_LABEL, ROLE_LABEL, SERVICE_LABEL
from devenv.model import labels as names

OBJECT_LABEL = names.OBJECT

__all__ = ["ImageFacts", "Observed", "Observation", "observe", "require_engine"]


@dataclass(frozen=True)
class ImageFacts:
    """An image as the engine knows it: its ID, its registry digests, the names of its own ENV."""

    id: str
    repo_digests: tuple[str, ...] = ()
    env_names: frozenset[str] = frozenset()


@dataclass
class Observed:
    """One container of the project as it is now."""

    id: str
    name: str
    service: str
    role: str
    object: str
    status: str
    health: str
    exit_code: int
    image_ref: str  # the reference the container was created from
    image: ImageFacts  # the image it runs
    env: dict[str, str]
    binds: dict[str, str]  # container path -> host source of bind mounts
    files: dict[str, bytes | None] = field(default_factory=dict)  # container path -> content (None: unreadable)


@dataclass
class Observation:
    project: str
    containers: list[Observed]
    resolved: dict[str, ImageFacts | None]  # image reference -> what it resolves to now (None: not present)


def _image(client: DockerClient, reference: str) -> ImageFacts | None:
    try:
        image = client.image.inspect(reference)
    except DockerException:
        return None
    env = (image.config.env if image.config else None) or []
    return ImageFacts(str(image.id), tuple(image.repo_digests or ()),
                      frozenset(item.split("=", 1)[0] for item in env))


def _read(client: DockerClient, container: Container, path: str) -> bytes | None:
    """The file as the container sees it: `cat` inside it (decoded, one final newline dropped by the
    client), else `docker cp` (exact bytes; for images without `cat`)."""
    try:
        text = client.container.execute(container, ["cat", path])
        return text.encode() if isinstance(text, str) else None
    except DockerException:
        pass
    with tempfile.TemporaryDirectory(prefix="devenv-verify-") as folder:
        target = Path(folder) / "file"
        try:
            client.container.copy((container, path), target)
        except DockerException:
            return None
        return target.read_bytes() if target.is_file() else None


def _env_pair(item: str) -> tuple[str, str]:
    name, _, value = item.partition("=")
    return name, value


def _observed(client: DockerClient, container: Container, images: dict[str, ImageFacts | None],
              files: dict[str, list[str]]) -> Observed:
    labels: dict[str, Any] = container.config.labels or {}
    service = str(labels.get(SERVICE_LABEL, container.name))
    state = container.state
    image_id = str(container.image)
    if image_id not in images:
        images[image_id] = _image(client, image_id)
    env = dict(_env_pair(item) for item in container.config.env or [])
    binds = {str(m.destination): str(m.source) for m in container.mounts or [] if m.type == "bind" and m.destination}
    observed = Observed(
        id=str(container.id),
        name=str(container.name),
        service=service,
        role=str(labels.get(ROLE_LABEL, "")),
        object=str(labels.get(OBJECT_LABEL, "")),
        status=str(state.status),
        health=str(state.health.status) if state.health and state.health.status else "",
        exit_code=int(state.exit_code or 0),
        image_ref=str(container.config.image or ""),
        image=images[image_id] or ImageFacts(image_id),
        env=env,
        binds=binds,
    )
    if state.status == "running":
        for path in files.get(service, []):
            observed.files[path] = _read(client, container, path)
    return observed


def observe(project: str, references: set[str], files: dict[str, list[str]]) -> Observation:
    """Every container of the project (running or not), what `references` resolve to now, and the
    content of `files` (service -> container paths) in the running containers."""
    client = docker()
    with engine_errors("inspecting the project's containers"):
        found = client.container.list(all=True, filters=[("label", f"{PROJECT_LABEL}={project}")])
        inspected = client.container.inspect([c.id for c in found]) if found else []
        image_cache: dict[str, ImageFacts | None] = {}
        containers = [_observed(client, c, image_cache, files) for c in inspected]
        resolved = {reference: _image(client, reference) for reference in sorted(references)}
    containers.sort(key=lambda c: (c.service, c.name))
    return Observation(project, containers, resolved)
