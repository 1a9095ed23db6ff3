"""Running a rendered project: up with readiness, down, status, logs, all keyed on the project label.

Every engine call here goes through devenv.engine.calls (one docker process per question, its JSON read
here), never python-on-whales: these commands run on every start and stop of a stack.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable

from devenv.engine import calls, events
from devenv.engine.calls import compose_args, failures
from devenv.model import labels as names
from devenv.model.project import ProjectFiles

PROJECT_LABEL = names.COMPOSE_PROJECT
SERVICE_LABEL = names.COMPOSE_SERVICE
ROLE_LABEL = names.ROLE
ONE_SHOT_ROLES = names.ONE_SHOT_ROLES
CRASH_LOOP_RESTARTS = 3
#: a container without a health check counts as ready once it has stayed up this long (catches instant crashes),
#: or sooner when its pod's sandbox passed its readiness check while it ran (see `vouch`)
MIN_UPTIME = 1.5
#: the longest pause between two looks at a starting stack while the engine reports no change
QUIET_LOOK = 1.0
#: the shortest pause between two looks: a burst of engine events costs one `ps` and one `inspect`
MIN_GAP = 0.1
#: the same while Compose still creates and starts containers: the stack cannot be ready before it is done,
#: so looking calmly leaves the two cores to the engine (a failure is still seen within half a second)
STARTING_GAP = 0.5


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
    started_at: float = 0.0  # when it last started, in seconds since the epoch (0: never)
    checked_at: float = 0.0  # when its last passing health check ended, in seconds since the epoch (0: none)
    created_at: float = 0.0  # when the container was created, in seconds since the epoch
    vouched: bool = False  # its pod's sandbox passed its health check while this container ran (see `vouch`)

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
        return self.health == "healthy" or (self.health == "" and (self.uptime >= MIN_UPTIME or self.vouched))

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


def _state(document: dict[str, Any], now: float) -> ServiceState:
    """One container's state from its `docker inspect` document."""
    labels = (document.get("Config") or {}).get("Labels") or {}
    state = document.get("State") or {}
    health = state.get("Health") or {}
    log = health.get("Log") or []
    output = str(log[-1].get("Output") or "").strip()[-300:] if log else ""
    passed = [entry for entry in log if entry.get("ExitCode") == 0]
    role = str(labels.get(ROLE_LABEL, ""))
    ports = []
    for container_port, bindings in ((document.get("NetworkSettings") or {}).get("Ports") or {}).items():
        for binding in bindings or []:
            ports.append(f"{binding.get('HostIp')}:{binding.get('HostPort')}->{container_port}")
    status = str(state.get("Status") or "")
    started = epoch(state.get("StartedAt"))
    return ServiceState(
        service=str(labels.get(SERVICE_LABEL) or str(document.get("Name") or "").lstrip("/")),
        role=role,
        status=status,
        health=str(health.get("Status") or ""),
        exit_code=int(state.get("ExitCode") or 0),
        restarts=int(document.get("RestartCount") or 0),
        one_shot=role in ONE_SHOT_ROLES,
        ports=tuple(sorted(ports)),
        health_output=output,
        uptime=max(0.0, now - started) if status == "running" and started else 0.0,
        id=str(document.get("Id") or ""),
        joins=_joined(str((document.get("HostConfig") or {}).get("NetworkMode") or "")),
        started_at=started,
        checked_at=epoch(passed[-1].get("End")) if passed else 0.0,
        created_at=epoch(document.get("Created")),
    )


def epoch(stamp: Any) -> float:
    """An engine timestamp (RFC 3339, nanoseconds) in seconds since the epoch; 0.0 for none or Go's zero time."""
    if not isinstance(stamp, str) or not stamp or stamp.startswith("0001-"):
        return 0.0
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return 0.0
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()


def _joined(network_mode: str) -> str:
    return network_mode.split(":", 1)[1] if network_mode.startswith("container:") else ""


def vouch(states: list[ServiceState]) -> list[ServiceState]:
    """Mark the running containers without a health check whose pod sandbox passed its check after they
    started (and that never restarted): the pod's network probes run in its sandbox, so the pod answered
    its readiness probe with this container in it, which says more than MIN_UPTIME of uptime does."""
    sandboxes = {s.id: s for s in states if s.status == "running" and s.health == "healthy" and s.checked_at}
    vouched = []
    for state in states:
        sandbox = sandboxes.get(state.joins) if state.joins else None
        if (sandbox is not None and state.status == "running" and not state.health and not state.one_shot
                and state.restarts == 0 and 0 < state.started_at < sandbox.checked_at):
            state = replace(state, vouched=True)
        vouched.append(state)
    return vouched


def current(states: list[ServiceState]) -> list[ServiceState]:
    """Each service's newest container, sorted by service: Compose creates a replacement before it stops the
    container it replaces, so an older one that has just exited is on its way out, not a failure."""
    newest: dict[str, ServiceState] = {}
    for state in states:
        if state.service not in newest or state.created_at > newest[state.service].created_at:
            newest[state.service] = state
    return [newest[service] for service in sorted(newest)]


def cut_off(states: list[ServiceState]) -> list[str]:
    """Services whose container joins a network namespace that no longer exists: its pod sandbox was
    recreated under it (Compose does not recreate such dependants), so it has no network."""
    alive = {s.id for s in states if s.status == "running"}
    return sorted({s.service for s in states if s.joins and s.joins not in alive and not s.one_shot})


def container_ids(project: str) -> list[str]:
    """The IDs of the project's containers, running or not: one `docker ps`."""
    with failures("listing the project's containers"):
        return calls.listed("container", f"{PROJECT_LABEL}={project}")


def states_of(ids: list[str]) -> list[ServiceState]:
    """These containers' states (those that still exist), sorted by service name: one `docker inspect`."""
    with failures("inspecting the project's containers"):
        documents = calls.inspect("container", ids)
    now = time.time()
    return vouch(sorted((_state(document, now) for document in documents), key=lambda s: s.service))


def present_images(references: list[str]) -> set[str]:
    """Those of the image `references` (name:tag) the engine holds: one `docker image inspect`."""
    with failures("looking for the images built from source"):
        found = calls.inspect("image", sorted(set(references)))
    return {tag for image in found for tag in image.get("RepoTags") or []} & set(references)


def project_states(project: str) -> list[ServiceState]:
    """Every container of the project, sorted by service name: one `docker ps` and one `docker inspect`."""
    return states_of(container_ids(project))


class _Compose:
    """One `docker compose` command running to completion in a thread; `changes` hears when it ends."""

    def __init__(self, args: list[str], changes: events.Changes) -> None:
        self.error = ""
        self._thread = threading.Thread(target=self._run, args=(args, changes), daemon=True)
        self._thread.start()

    def _run(self, args: list[str], changes: events.Changes) -> None:
        try:
            calls.run(args)
        except calls.CallFailed as exc:
            self.error = exc.output or f"exited with code {exc.code}"
        finally:
            changes.notify()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def join(self, seconds: float) -> None:
        """Wait at most `seconds` for the command to end."""
        if seconds > 0:
            self._thread.join(seconds)


def next_look(states: list[ServiceState], remaining: float) -> float:
    """How long to wait for an engine event before looking again: no event marks the moment a container
    without a health check has been up MIN_UPTIME, so wake for it; else QUIET_LOOK; never past the timeout."""
    pause = QUIET_LOOK
    for state in states:
        if state.status == "running" and not state.health and not state.one_shot and not state.ready:
            pause = min(pause, MIN_UPTIME - state.uptime)
    return max(0.0, min(pause, remaining + MIN_GAP))


def up(files: ProjectFiles, expected: list[str], timeout: float,
       on_progress: Callable[[list[ServiceState]], None] | None = None,
       services: list[str] | None = None, build: bool = False) -> UpResult:
    """Start the project and wait until every expected service is ready, one fails, or time runs out
    (building the images built from source first when `build`).

    The stack is looked at again whenever the engine reports a change to one of its containers (and at
    least every QUIET_LOOK seconds), so readiness is seen as soon as the engine knows it; the project's
    containers are listed again only when one was created or removed (or no event came)."""
    started = time.monotonic()
    with events.Changes(files.project) as changes:
        runner = _Compose([*compose_args(files), "up", "--detach", "--remove-orphans", *(["--build"] if build else []),
                           *(services or [])], changes)
        repaired = False
        looked = float("-inf")
        pause = QUIET_LOOK
        ids: list[str] = []
        while True:
            woke = changes.wait(pause)
            runner.join(STARTING_GAP - (time.monotonic() - looked))  # returns at once when Compose is done
            gap = MIN_GAP - (time.monotonic() - looked)
            if gap > 0:
                time.sleep(gap)
            looked = time.monotonic()
            if changes.membership_changed() or not woke:  # else the containers are those of the last look
                ids = container_ids(files.project)
            states = [s for s in current(states_of(ids)) if not expected or s.service in expected]
            if on_progress:
                on_progress(states)
            failed = [s for s in states if s.failure]
            elapsed = time.monotonic() - started
            if failed:
                return UpResult(False, states, failed, seconds=elapsed)
            present = {s.service for s in states}
            if not runner.running and runner.error:
                if calls.unreachable(runner.error) or calls.compose_missing(runner.error):
                    raise calls.failure(runner.error, "docker compose up")
                return UpResult(False, states, compose_error=runner.error, seconds=elapsed)
            stale = cut_off(states) if not runner.running else []
            if stale and not repaired:
                repaired = True
                runner = _Compose([*compose_args(files), "up", "--detach", "--force-recreate", "--no-deps", *stale],
                                  changes)
                continue
            if not runner.running and all(s.ready for s in states) and present >= set(expected):
                return UpResult(True, states, seconds=elapsed)
            if elapsed > timeout:
                pending = [s for s in states if not s.ready]
                return UpResult(False, states, pending, seconds=elapsed, timed_out=True)
            pause = next_look(states, timeout - elapsed)


#: seconds a container gets to stop when its data is being discarded anyway (`down --volumes`)
DISCARD_TIMEOUT = 2


def down(files: ProjectFiles, volumes: bool = False) -> None:
    """Stop and remove the stack. Keeping data, each container gets its grace period (a database shuts
    down cleanly); dropping data, a short one, as nothing kept can be hurt."""
    args = [*compose_args(files, ("*",)), "down", "--remove-orphans"]
    if volumes:
        args += ["--volumes", "--timeout", str(DISCARD_TIMEOUT)]
    with failures("docker compose down"):
        calls.run(args)


def logs(project: str, service: str, tail: int | None = 30) -> str:
    """The service's last `tail` log lines (all with None), standard output and error interleaved."""
    with failures(f"reading the logs of {service}"):
        ids = calls.run(["ps", "-aq", "--filter", f"label={PROJECT_LABEL}={project}",
                         "--filter", f"label={SERVICE_LABEL}={service}"]).split()
        chunks = [calls.run(["logs", *(["--tail", str(tail)] if tail is not None else []), container], merge=True)
                  for container in ids]
    return "\n".join(chunks)


def describe(states: list[ServiceState]) -> list[dict[str, Any]]:
    return [{"service": s.service, "role": s.role, "status": s.status, "health": s.health, "ready": s.ready,
             "exit_code": s.exit_code, "restarts": s.restarts, "ports": list(s.ports)} for s in states]
