"""`devenv verify`: runtime drift of the running containers against the rendered project.

`expectations` reads the render (what each service should run, see, and mount); the engine's
`devenv.engine.inspect.observe` says what runs; `compare` turns the two into deltas. `prod` is the
rendered side, `local` the running side. Secret values (interpolated from the state directory's
compose.env, or secret files) are compared but never shown: both sides read "redacted".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from devenv.k8s.manifest import ObjectRef
from devenv.model import labels as names
from devenv.model.catalogue import delta
from devenv.model.delta import REDACTED, Delta
from devenv.model.interpolation import Interpolated
from devenv.parity.display import shown_pair

RUNTIME_ENV = frozenset({"PATH", "HOSTNAME", "HOME", "TERM"})
ONE_SHOT_ROLES = names.ONE_SHOT_ROLES
SECRET_REF = names.SECRET_REF_RE
KEEP_FILE = ".devenv-keep"


@dataclass(frozen=True)
class ExpectedVar:
    value: str
    secret: bool = False


@dataclass(frozen=True)
class ExpectedFile:
    host: Path  # the bind source on this machine
    content: bytes
    secret: bool = False


@dataclass
class ExpectedService:
    """What one rendered service should be running: image, environment, mounted files."""

    name: str
    obj: ObjectRef
    role: str
    image: str
    manual: bool
    env: dict[str, ExpectedVar] = field(default_factory=dict)
    files: dict[str, ExpectedFile] = field(default_factory=dict)  # container path -> file

    @property
    def pinned_digest(self) -> str:
        return self.image.partition("@")[2]


class ImageLike(Protocol):
    id: str
    repo_digests: tuple[str, ...]
    env_names: frozenset[str]


class ContainerLike(Protocol):
    name: str
    service: str
    role: str
    object: str
    status: str
    health: str
    exit_code: int
    image_ref: str
    image: ImageLike
    env: dict[str, str]
    files: dict[str, bytes | None]


class ObservationLike(Protocol):
    project: str
    containers: list[Any]
    resolved: dict[str, Any]


def parse_ref(text: str) -> ObjectRef:
    parts = text.split("/")
    if len(parts) == 3:
        return ObjectRef(*parts)
    if len(parts) == 2:
        return ObjectRef(parts[0], "", parts[1])
    return ObjectRef("Container", "", text)


def read_env_file(path: Path) -> dict[str, str]:
    """The interpolation variables of compose.env, as devenv's writer quotes them."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, raw = line.partition("=")
        if not sep or not name.strip():
            continue
        if len(raw) >= 2 and raw[0] == raw[-1] == "'":
            values[name] = raw[1:-1]
        elif len(raw) >= 2 and raw[0] == raw[-1] == '"':
            values[name] = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), raw[1:-1])
        else:
            values[name] = raw
    return values


def expectations(rendered: Any) -> dict[str, ExpectedService]:
    """Every rendered service: its image, its environment as the container sees it, its mounted files."""
    output = rendered.output
    secrets = {**output.secret_env, **read_env_file(rendered.config.state_dir / names.SECRET_ENV_FILE)}
    expected: dict[str, ExpectedService] = {}
    for name, service in output.services.items():
        labels = service.get("labels") or {}
        item = ExpectedService(name, parse_ref(str(labels.get(names.OBJECT, name))),
                               str(labels.get(names.ROLE, "")), str(service.get("image", "")),
                               bool(service.get("profiles")))
        for var, raw in (service.get("environment") or {}).items():
            match = SECRET_REF.match(raw) if isinstance(raw, Interpolated) else None
            if match:
                item.env[str(var)] = ExpectedVar(secrets.get(match.group(1), ""), True)
            else:
                item.env[str(var)] = ExpectedVar(str(raw))  # rendered values are literal: the writer escapes `$`
        for mount in service.get("volumes") or []:
            if not isinstance(mount, dict) or mount.get("type") != "bind":
                continue
            source, target = str(mount.get("source", "")), str(mount.get("target", "")).rstrip("/")
            for key, file in output.files.items():
                if key == source:
                    relative = ""
                elif key.startswith(source + "/"):
                    relative = key[len(source) + 1:]
                else:
                    continue
                if relative.rsplit("/", 1)[-1] == KEEP_FILE:
                    continue
                path = f"{target}/{relative}" if relative else target
                item.files[path] = ExpectedFile((rendered.out_dir / key).resolve(), file.content, file.secret)
        expected[name] = item
    return expected


def wanted(expected: dict[str, ExpectedService]) -> tuple[set[str], dict[str, list[str]]]:
    """What the engine must be asked: the image references, and the files to read per service."""
    return ({s.image for s in expected.values() if s.image},
            {s.name: sorted(s.files) for s in expected.values() if s.files})


def _same(expected: bytes, seen: bytes) -> bool:
    """Equal content; one final newline is not significant (`cat` through the client drops it)."""
    def norm(data: bytes) -> str:
        text = data.decode(errors="replace")
        return text[:-1] if text.endswith("\n") else text
    return norm(expected) == norm(seen)


def _digest(content: bytes) -> str:
    import hashlib

    return "sha256 " + hashlib.sha256(content).hexdigest()[:12]


class _Checker:
    def __init__(self) -> None:
        self.deltas: list[Delta] = []

    def report(self, code: str, obj: ObjectRef, field: str, prod: str, local: str, reason: str,
               severity: str = "") -> None:
        self.deltas.append(delta(code, obj, field, prod=prod, local=local, reason=reason, severity=severity))

    def state(self, exp: ExpectedService, container: ContainerLike) -> None:
        where, why = f"services.{exp.name}.state", f"container {container.name}"
        if exp.role in ONE_SHOT_ROLES or container.role in ONE_SHOT_ROLES:
            if container.status == "exited" and container.exit_code != 0:
                self.report("runtime-state", exp.obj, where, "completed", f"exited with code {container.exit_code}",
                            why)
            return
        if container.status != "running":
            detail = (f"{container.status} (exit code {container.exit_code})" if container.status == "exited"
                      else container.status)
            self.report("runtime-state", exp.obj, where, "running", detail, why)
        elif container.health == "unhealthy":
            self.report("runtime-state", exp.obj, where, "healthy", "unhealthy", why)
        elif container.health == "starting":
            self.report("runtime-state", exp.obj, where, "healthy", "starting", why, severity="warning")

    def image(self, exp: ExpectedService, container: ContainerLike, resolved: Any) -> None:
        where, why = f"services.{exp.name}.image", f"container {container.name}"
        if container.image_ref != exp.image:
            self.report("runtime-image", exp.obj, where, exp.image, container.image_ref,
                        f"{why} was created from another reference")
        elif resolved is not None and resolved.id != container.image.id:
            self.report("runtime-image", exp.obj, where, f"{exp.image} = {resolved.id[:19]}",
                        f"{container.image.id[:19]}", f"{why} runs an image the reference no longer resolves to "
                        "(pulled or rebuilt since it was created)")
        digest = exp.pinned_digest
        if digest and not any(d.endswith("@" + digest) for d in container.image.repo_digests):
            self.report("runtime-image", exp.obj, f"{where}@digest", digest,
                        ", ".join(d.partition("@")[2] for d in container.image.repo_digests) or container.image.id[:19],
                        f"{why} runs an image whose digest is not the pinned one", severity="error")

    def env(self, exp: ExpectedService, container: ContainerLike) -> None:
        prefix, why = f"services.{exp.name}.environment", f"container {container.name}"
        ignored = RUNTIME_ENV | container.image.env_names
        for name in sorted(set(exp.env) | set(container.env)):
            want, seen = exp.env.get(name), container.env.get(name)
            if want is None:
                if name not in ignored:
                    self.report("runtime-env", exp.obj, f"{prefix}.{name}", "absent", "set (value not shown)",
                                f"{why} has a variable the rendered service does not")
            elif seen is None:
                self.report("runtime-env", exp.obj, f"{prefix}.{name}", "set", "absent",
                            f"{why} lacks a variable of the rendered service")
            elif seen != want.value:
                if want.secret:
                    self.report("runtime-env", exp.obj, f"{prefix}.{name}", REDACTED, f"{REDACTED}, differs",
                                f"{why}: the secret value differs from the state directory's compose.env")
                else:
                    self.report("runtime-env", exp.obj, f"{prefix}.{name}", *shown_pair(want.value, seen),
                                f"{why}: the value was changed outside devenv")

    def files(self, exp: ExpectedService, container: ContainerLike) -> None:
        why = f"container {container.name}"
        for path, want in sorted(exp.files.items()):
            where = f"services.{exp.name}.volumes[{path}]"
            show = (lambda content: REDACTED) if want.secret else _digest
            problems = []
            try:
                on_disk: bytes | None = want.host.read_bytes()
            except OSError:
                on_disk = None
            if on_disk is None:
                problems.append(f"{want.host} is missing")
            elif on_disk != want.content:
                problems.append(f"changed on disk ({want.host})")
            if container.status == "running":
                seen = container.files.get(path)
                if seen is None:
                    problems.append("unreadable in the container")
                elif not _same(want.content, seen):
                    problems.append("changed in the container")
            if problems:
                changed = on_disk if on_disk is not None and on_disk != want.content else None
                local = show(changed) if changed is not None else "differs"
                self.report("runtime-file", exp.obj, where, show(want.content), local, f"{why}: {', '.join(problems)}")


def compare(expected: dict[str, ExpectedService], observation: ObservationLike) -> list[Delta]:
    """Deltas between the rendered services and the project's containers."""
    checker = _Checker()
    by_service: dict[str, list[Any]] = {}
    for container in observation.containers:
        by_service.setdefault(container.service, []).append(container)
    for name, exp in sorted(expected.items()):
        containers = by_service.get(name, [])
        if not containers:
            if not exp.manual:
                checker.report("runtime-state", exp.obj, f"services.{name}.state", "running", "no container",
                               f"service {name} has no container in project {observation.project}")
            continue
        for container in containers:
            checker.state(exp, container)
            checker.image(exp, container, observation.resolved.get(exp.image))
            checker.env(exp, container)
            checker.files(exp, container)
    for service, containers in sorted(by_service.items()):
        if service in expected or all(c.role == names.ROLE_RELAY for c in containers):  # devenv's own, remote engines
            continue
        for container in containers:
            checker.report("runtime-state", parse_ref(container.object or container.name), f"services.{service}",
                           "absent", container.status,
                           f"container {container.name} belongs to the project but not to the rendered project",
                           severity="warning")
    checker.deltas.sort(key=lambda d: d.sort_key())
    return checker.deltas
