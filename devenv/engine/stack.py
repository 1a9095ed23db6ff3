"""Running a rendered project: up with readiness, down, status, logs, all keyed on the project label."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from python_on_whales import Container
from python_on_whales.exceptions import DockerException

from devenv.engine.client import compose_client, docker, engine_errors
from devenv.model import labels as names
from devenv.model.project import ProjectFiles

PROJECT_LABEL = names.COMPOSE_PROJECT
SERVICE_LABEL = names.COMPOSE_SERVICE
ROLE_LABEL = names.ROLE
ONE_SHOT_ROLES = names.ONE_SHOT_ROLES
CRASH_LOOP_RESTARTS = 3
#: a container without a health check counts as ready once it has stayed up this long (catches instant crashes)
MIN_UPTIME = 1.5


@dataclass(frozen=True)
class ServiceState:
    """What one container of the stack is doing now, and whether that counts as ready or failed."""

    service: str
    role: str
    status: str  # created | running | exited | restarting ...
    health: str  # "" when the container has no health check
    exit_code: int
    restarts: int
    one_shot: bool
    ports: tuple[str, ...] = ()
    health_output: str = ""
    uptime: float = 0.0
    id: str = ""
    joins: str = ""  # id of the container whose network namespace this one joins (a pod sandbox)

    def published(self) -> list[tuple[int, str]]:
        """(container port, "127.0.0.1:HOSTPORT") for each port the container publishes."""
        found = []
        for mapping in self.ports:
            host, _, container = mapping.partition("->")
            found.append((int(container.split("/")[0]), host))
        return found

    @property
    def ready(self) -> bool:
        if self.one_shot:
            return self.status == "exited" and self.exit_code == 0
        if self.status != "running":
            return False
        return self.health == "healthy" or (self.health == "" and self.uptime >= MIN_UPTIME)

    @property
    def failure(self) -> str:
        """Why this container failed, or "" while it is fine or still starting."""
        if self.one_shot and self.status == "exited" and self.exit_code != 0:
            return f"exited with code {self.exit_code}"
        if not self.one_shot and self.status in ("exited", "dead"):
            return f"exited with code {self.exit_code}"
        if self.restarts >= CRASH_LOOP_RESTARTS:
            return f"crash loop: restarted {self.restarts} times (last exit code {self.exit_code})"
        if self.health == "unhealthy":
            return "unhealthy" + (f": {self.health_output}" if self.health_output else "")
        return ""

    @property
    def summary(self) -> str:
        if self.ready:
            return "completed" if self.one_shot else "healthy" if self.health else "running"
        return self.failure or (self.health if self.status == "running" and self.health else self.status)


@dataclass
class UpResult:
    ready: bool
    states: list[ServiceState]
    failed: list[ServiceState] = field(default_factory=list)
    compose_error: str = ""
    seconds: float = 0.0
    timed_out: bool = False


def _state(container: Container) -> ServiceState:
    labels = container.config.labels or {}
    state = container.state
    health = state.health.status if state.health else ""
    output = ""
    if state.health and state.health.log:
        output = (state.health.log[-1].output or "").strip()[-300:]
    role = labels.get(ROLE_LABEL, "")
    one_shot = role in ONE_SHOT_ROLES
    ports = []
    for container_port, bindings in (container.network_settings.ports or {}).items():
        for binding in bindings or []:
            ports.append(f"{binding.get('HostIp')}:{binding.get('HostPort')}->{container_port}")
    return ServiceState(
        service=labels.get(SERVICE_LABEL, container.name),
        role=role,
        status=str(state.status),
        health=str(health or ""),
        exit_code=int(state.exit_code or 0),
        restarts=int(container.restart_count or 0),
        one_shot=one_shot,
        ports=tuple(sorted(ports)),
        health_output=output,
        uptime=_uptime(state.started_at) if state.status == "running" else 0.0,
        id=container.id,
        joins=_joined(str(container.host_config.network_mode or "")),
    )


def _joined(network_mode: str) -> str:
    return network_mode.split(":", 1)[1] if network_mode.startswith("container:") else ""


def cut_off(states: list[ServiceState]) -> list[str]:
    """Services whose container joins a network namespace that no longer exists: its pod sandbox was
    recreated under it (Compose does not recreate such dependants), so it has no network."""
    alive = {s.id for s in states if s.status == "running"}
    return sorted({s.service for s in states if s.joins and s.joins not in alive and not s.one_shot})


def _uptime(started_at: Any) -> float:
    if started_at is None:
        return 0.0
    try:
        return max(0.0, float((datetime.now(timezone.utc) - started_at).total_seconds()))
    except TypeError:  # a naive timestamp: treat as UTC
        return max(0.0, float((datetime.now(timezone.utc) - started_at.replace(tzinfo=timezone.utc)).total_seconds()))


def project_states(project: str) -> list[ServiceState]:
    """Every container of the project, newest inspect data, sorted by service name."""
    client = docker()
    with engine_errors("listing the project's containers"):
        found = client.container.list(all=True, filters=[("label", f"{PROJECT_LABEL}={project}")])
        if not found:
            return []
        try:
            inspected = client.container.inspect([c.id for c in found])
        except DockerException:  # a container vanished between list and inspect (Compose recreating it)
            inspected = []
            for container in found:
                try:
                    inspected.append(client.container.inspect(container.id))
                except DockerException:
                    continue
    states = []
    for container in inspected:
        try:  # reading a field may re-inspect: the container can be gone by then
            states.append(_state(container))
        except DockerException:
            continue
    return sorted(states, key=lambda s: s.service)


def up(files: ProjectFiles, expected: list[str], timeout: float,
       on_progress: Callable[[list[ServiceState]], None] | None = None,
       services: list[str] | None = None) -> UpResult:
    """Start the project and wait until every expected service is ready, one fails, or time runs out."""
    client = compose_client(files)
    errors: list[str] = []

    def start() -> None:
        try:
            client.compose.up(services=services, detach=True, quiet=True, wait=False, remove_orphans=True)
        except DockerException as exc:
            errors.append("\n".join(p for p in (exc.stderr or "", exc.stdout or "") if p).strip() or str(exc))

    started = time.monotonic()
    repaired = False
    runner = threading.Thread(target=start, daemon=True)
    runner.start()
    states: list[ServiceState] = []
    while True:
        time.sleep(0.4)
        states = [s for s in project_states(files.project) if not expected or s.service in expected]
        if on_progress:
            on_progress(states)
        failed = [s for s in states if s.failure]
        elapsed = time.monotonic() - started
        if failed:
            return UpResult(False, states, failed, seconds=elapsed)
        present = {s.service for s in states}
        if not runner.is_alive() and errors:
            return UpResult(False, states, compose_error=errors[0], seconds=elapsed)
        stale = cut_off(states) if not runner.is_alive() else []
        if stale and not repaired:
            repaired = True
            runner = threading.Thread(target=lambda: _recreate(client, stale, errors), daemon=True)
            runner.start()
            continue
        if not runner.is_alive() and all(s.ready for s in states) and present >= set(expected):
            return UpResult(True, states, seconds=elapsed)
        if elapsed > timeout:
            pending = [s for s in states if not s.ready]
            return UpResult(False, states, pending, seconds=elapsed, timed_out=True)


#: seconds a container gets to stop when its data is being discarded anyway (`down --volumes`)
DISCARD_TIMEOUT = 2


def _recreate(client: Any, services: list[str], errors: list[str]) -> None:
    try:
        client.compose.up(services=services, detach=True, quiet=True, force_recreate=True, dependencies=False)
    except DockerException as exc:
        errors.append("\n".join(p for p in (exc.stderr or "", exc.stdout or "") if p).strip() or str(exc))


def down(files: ProjectFiles, volumes: bool = False) -> None:
    """Stop and remove the stack. Keeping data, each container gets its grace period (a database shuts
    down cleanly); dropping data, a short one, as nothing kept can be hurt."""
    client = compose_client(files, all_profiles=True)
    with engine_errors("docker compose down"):
        client.compose.down(volumes=volumes, remove_orphans=True, timeout=DISCARD_TIMEOUT if volumes else None,
                            quiet=True)


def logs(project: str, service: str, tail: int | None = 30) -> str:
    client = docker()
    with engine_errors(f"reading the logs of {service}"):
        found = client.container.list(all=True, filters=[("label", f"{PROJECT_LABEL}={project}"),
                                                           ("label", f"{SERVICE_LABEL}={service}")])
        chunks = [str(client.container.logs(c, tail=tail)) for c in found]
    return "\n".join(chunks)


def describe(states: list[ServiceState]) -> list[dict[str, Any]]:
    return [{"service": s.service, "role": s.role, "status": s.status, "health": s.health, "ready": s.ready,
             "exit_code": s.exit_code, "restarts": s.restarts, "ports": list(s.ports)} for s in states]
