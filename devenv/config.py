"""devenv.toml: the model, where it is found, and validation that names the offending key.

Every section is validated strictly: an unknown key is an error with a "did you mean" hint, so a typo
never silently changes what runs.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devenv.errors import InputError, did_you_mean, read_input
from devenv.model.privileges import Grant, parse_grants, refuse_security_acceptance
from devenv.stackid import compose_project_name

CONFIG_NAME = "devenv.toml"
DEFAULT_HELPER_IMAGE = "busybox:1.36.1"
PROJECT_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class HelmSource:
    """A chart rendered by Helm's own engine, as `helm template` would for a real install."""

    chart: Path
    values: tuple[Path, ...] = ()
    set: tuple[tuple[str, str], ...] = ()
    release: str = "release"
    namespace: str = "default"
    kube_version: str = ""


@dataclass(frozen=True)
class Environment:
    """One named environment: exactly one of plain manifests, a Kustomize root or a Helm chart."""

    name: str
    manifests: tuple[Path, ...] = ()
    kustomize: Path | None = None
    helm: HelmSource | None = None
    namespace: str = "default"

    @property
    def kind(self) -> str:
        return "helm" if self.helm else "kustomize" if self.kustomize else "plain"


@dataclass(frozen=True)
class Acceptance:
    """A delta accepted on purpose: by code and object selector, with a reason and optional expiry."""

    code: str
    reason: str
    kind: str = "*"
    namespace: str = "*"
    name: str = "*"
    field: str = "*"
    expires: dt.date | None = None
    index: int = 0


@dataclass(frozen=True)
class Build:
    """A production image reference replaced by a build of the working tree."""

    image: str
    context: Path
    dockerfile: str = ""
    target: str = ""
    args: tuple[tuple[str, str], ...] = ()
    watch: tuple[tuple[str, str, str], ...] = ()  # (action, path, target)


@dataclass(frozen=True)
class External:
    """A production endpoint outside the cluster, replaced locally by a value (and maybe a container)."""

    name: str
    match: str
    replace: str
    image: str = ""
    command: tuple[str, ...] = ()


@dataclass(frozen=True)
class LocalOptions:
    helper_image: str = DEFAULT_HELPER_IMAGE
    timeout: int = 300
    seed_on_up: bool = True
    gateway_image: str = ""  # when set, Ingress hosts answer as NAME.localhost through this nginx image
    service_links: bool = False  # inject the kubelet's service-link variables (SVC_SERVICE_HOST...)
    allow: tuple[Grant, ...] = ()  # host privileges granted by name (model/privileges.py)
    remote_bind: str = "127.0.0.1"  # the address a remote engine's host publishes ports on (its loopback)


@dataclass(frozen=True)
class Config:
    """The whole devenv.toml, with paths resolved against its directory."""

    path: Path
    root: Path
    project: str
    mirror: str
    envs: dict[str, Environment]
    out: Path
    state_dir: Path
    local: LocalOptions = LocalOptions()
    publish: dict[str, tuple[int, ...]] = field(default_factory=dict)
    secrets: dict[str, dict[str, str]] = field(default_factory=dict)
    accept: tuple[Acceptance, ...] = ()
    builds: tuple[Build, ...] = ()
    mirrors: tuple[tuple[str, str], ...] = ()
    externals: tuple[External, ...] = ()
    seeds: tuple[Path, ...] = ()

    def env(self, name: str | None) -> Environment:
        """The environment `name`, or the mirrored one when None."""
        chosen = name or self.mirror
        if not chosen:
            raise InputError("key 'project.mirror' is required: several environments are declared and --env names none",
                             where=str(self.path), hint=f"set [project] mirror or pass --env, one of: {', '.join(self.envs)}")
        if chosen not in self.envs:
            known = ", ".join(sorted(self.envs)) or "none"
            raise InputError(f"no environment named '{chosen}' (declared: {known})", where=str(self.path),
                             hint=did_you_mean(chosen, self.envs) or f"add [envs.{chosen}] to {CONFIG_NAME}")
        return self.envs[chosen]


def find_config(start: Path, explicit: Path | None = None) -> Path:
    """devenv.toml named explicitly, or found in `start` or one of its parents."""
    if explicit is not None:
        if not explicit.is_file():
            raise InputError(f"config file {explicit} does not exist", hint="check the --config path")
        return explicit.resolve()
    for folder in [start.resolve(), *start.resolve().parents]:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    raise InputError(
        f"no {CONFIG_NAME} in {start.resolve()} or any parent directory",
        hint=f"run devenv from a project that has a {CONFIG_NAME}, or pass --config PATH",
    )


def load_config(path: Path) -> Config:
    """Parse and validate devenv.toml; every error names the file and the key."""
    try:
        raw = tomllib.loads(read_input(path, str(path)))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"is not valid TOML: {exc}", where=str(path), hint="fix the syntax at the line shown") from None
    return _parse(raw, path)


def _parse(raw: dict[str, Any], path: Path) -> Config:
    root = path.parent
    reader = _Reader(path)
    reader.keys(raw, "", {"project", "envs", "local", "publish", "secrets", "accept", "build", "mirrors",
                          "external", "seed"})
    project = raw.get("project", {})
    reader.keys(project, "project", {"name", "mirror", "out", "state_dir"})
    name = reader.string(project, "project", "name", default=compose_project_name(root.name))
    if not PROJECT_NAME_RE.match(name):
        derived = "" if "name" in project else " (from the directory name)"
        reader.fail("project.name", f"'{name}'{derived} is not a valid Compose project name",
                    "use lower-case letters, digits, '-' and '_', starting with a letter or digit")
    envs_raw = reader.table(raw, "", "envs")
    if not envs_raw:
        reader.fail("envs", "declares no environment", 'add e.g. [envs.prod] kustomize = "deploy/overlays/prod"')
    envs = {env_name: _environment(reader, root, env_name, body) for env_name, body in envs_raw.items()}
    default_mirror = next(iter(envs)) if len(envs) == 1 else ""
    mirror = reader.string(project, "project", "mirror", default=default_mirror)  # "": --env must name one
    if mirror and mirror not in envs:
        reader.fail("project.mirror", f"names '{mirror}', which is not declared under [envs]",
                    did_you_mean(mirror, envs) or f"declared: {', '.join(envs)}")
    return Config(
        path=path,
        root=root,
        project=name,
        mirror=mirror,
        envs=envs,
        out=root / reader.string(project, "project", "out", default="compose"),
        state_dir=root / reader.string(project, "project", "state_dir", default=".devenv"),
        local=_local(reader, reader.table(raw, "", "local")),
        publish=_publish(reader, reader.table(raw, "", "publish")),
        secrets=_secrets(reader, reader.table(raw, "", "secrets")),
        accept=_accept(reader, raw.get("accept", [])),
        builds=_builds(reader, root, reader.table(raw, "", "build")),
        mirrors=tuple((str(k), reader.string({k: v}, "mirrors", k)) for k, v in reader.table(raw, "", "mirrors").items()),
        externals=_externals(reader, reader.table(raw, "", "external")),
        seeds=_seed_specs(reader, root, reader.table(raw, "", "seed")),
    )


def _environment(reader: _Reader, root: Path, name: str, body: Any) -> Environment:
    where = f"envs.{name}"
    if not isinstance(body, dict):
        reader.fail(where, "must be a table", f'write [envs.{name}] with kustomize = "...", manifests = [...] or helm = "..."')
    reader.keys(body, where, {"manifests", "kustomize", "helm", "values", "set", "release", "namespace", "kube_version"})
    given = [k for k in ("manifests", "kustomize", "helm") if k in body]
    if len(given) != 1:
        reader.fail(where, f"must have exactly one of manifests, kustomize, helm (found {', '.join(given) or 'none'})",
                    'e.g. kustomize = "deploy/overlays/prod"')
    namespace = reader.string(body, where, "namespace", default="default")
    if "manifests" in body:
        paths = tuple(root / p for p in reader.strings(body, where, "manifests"))
        return Environment(name, manifests=paths, namespace=namespace)
    if "kustomize" in body:
        return Environment(name, kustomize=root / reader.string(body, where, "kustomize"), namespace=namespace)
    overrides = reader.table(body, where, "set")
    helm = HelmSource(
        chart=root / reader.string(body, where, "helm"),
        values=tuple(root / p for p in reader.strings(body, where, "values", default=())),
        set=tuple((k, reader.scalar(overrides, f"{where}.set", k)) for k in overrides),
        release=reader.string(body, where, "release", default=name),
        namespace=namespace,
        kube_version=reader.string(body, where, "kube_version", default=""),
    )
    return Environment(name, helm=helm, namespace=namespace)


def _local(reader: _Reader, body: dict[str, Any]) -> LocalOptions:
    reader.keys(body, "local", {"helper_image", "timeout", "seed_on_up", "gateway", "service_links", "allow",
                                "remote_bind"})
    if not isinstance(body.get("service_links", False), bool):
        reader.fail("local.service_links", "must be true or false", "e.g. service_links = true")
    timeout = body.get("timeout", 300)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        reader.fail("local.timeout", f"must be a positive number of seconds, not {timeout!r}", "e.g. timeout = 300")
    seed_on_up = body.get("seed_on_up", True)
    if not isinstance(seed_on_up, bool):
        reader.fail("local.seed_on_up", "must be true or false", "e.g. seed_on_up = false")
    return LocalOptions(
        helper_image=reader.string(body, "local", "helper_image", default=DEFAULT_HELPER_IMAGE),
        timeout=timeout,
        seed_on_up=seed_on_up,
        gateway_image=reader.string(body, "local", "gateway", default=""),
        service_links=bool(body.get("service_links", False)),
        allow=parse_grants(body.get("allow", []), str(reader.path)),
        remote_bind=reader.string(body, "local", "remote_bind", default="127.0.0.1"),  # checked where used
    )


def _publish(reader: _Reader, body: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    published: dict[str, tuple[int, ...]] = {}
    for service, ports in body.items():
        values = ports if isinstance(ports, list) else [ports]
        if not values or not all(isinstance(p, int) and not isinstance(p, bool) and 0 < p < 65536 for p in values):
            reader.fail(f"publish.{service}", f"must be a port or a list of ports, not {ports!r}",
                        f"e.g. {service} = [80]")
        published[service] = tuple(values)
    return published


def _secrets(reader: _Reader, body: dict[str, Any]) -> dict[str, dict[str, str]]:
    secrets: dict[str, dict[str, str]] = {}
    for ref, keys in body.items():
        where = f'secrets."{ref}"'
        if "/" not in ref:
            reader.fail(where, "must be named NAMESPACE/SECRET", f'e.g. [secrets."default/{ref}"]')
        if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
            reader.fail(where, "must map secret keys to local string values", 'e.g. password = "local-only"')
        secrets[ref] = dict(keys)
    return secrets


def _accept(reader: _Reader, body: Any) -> tuple[Acceptance, ...]:
    if not isinstance(body, list):
        reader.fail("accept", "must be an array of tables", "write [[accept]] blocks")
    rules = []
    for index, item in enumerate(body):
        where = f"accept[{index}]"
        if not isinstance(item, dict):
            reader.fail(where, "must be a table", "write [[accept]] blocks")
        reader.keys(item, where, {"code", "reason", "kind", "namespace", "name", "field", "expires"})
        expires = item.get("expires")
        if expires is not None and not isinstance(expires, dt.date):
            reader.fail(f"{where}.expires", f"must be a TOML date, not {expires!r}", "e.g. expires = 2027-03-31")
        rules.append(Acceptance(
            code=refuse_security_acceptance(reader.string(item, where, "code"), f"{where}.code", str(reader.path)),
            reason=reader.string(item, where, "reason"),
            kind=reader.string(item, where, "kind", default="*"),
            namespace=reader.string(item, where, "namespace", default="*"),
            name=reader.string(item, where, "name", default="*"),
            field=reader.string(item, where, "field", default="*"),
            expires=expires,
            index=index,
        ))
    return tuple(rules)


def _builds(reader: _Reader, root: Path, body: dict[str, Any]) -> tuple[Build, ...]:
    builds = []
    for image, spec in body.items():
        where = f'build."{image}"'
        if not isinstance(spec, dict):
            reader.fail(where, "must be a table", 'e.g. context = "services/api"')
        reader.keys(spec, where, {"context", "dockerfile", "target", "args", "watch"})
        watch, rules, args = [], spec.get("watch", []), reader.table(spec, where, "args")
        if not isinstance(rules, list):
            reader.fail(f"{where}.watch", f"must be an array of tables, not {rules!r}", 'e.g. watch = [{ action = "sync" }]')
        for index, rule in enumerate(rules):
            rule_where = f"{where}.watch[{index}]"
            reader.keys(rule, rule_where, {"action", "path", "target"})
            action = reader.string(rule, rule_where, "action")
            if action not in {"sync", "rebuild", "sync+restart", "restart"}:
                reader.fail(f"{rule_where}.action", f"'{action}' is not a Compose watch action",
                            "use sync, rebuild, sync+restart or restart")
            watch.append((action, reader.string(rule, rule_where, "path"), reader.string(rule, rule_where, "target", default="")))
        builds.append(Build(
            image=image,
            context=root / reader.string(spec, where, "context"),
            dockerfile=reader.string(spec, where, "dockerfile", default=""),
            target=reader.string(spec, where, "target", default=""),
            args=tuple((k, reader.scalar(args, f"{where}.args", k)) for k in args),
            watch=tuple(watch),
        ))
    return tuple(builds)


def _externals(reader: _Reader, body: dict[str, Any]) -> tuple[External, ...]:
    externals = []
    for name, spec in body.items():
        where = f"external.{name}"
        reader.keys(spec, where, {"match", "replace", "image", "command"})
        if not PROJECT_NAME_RE.match(name):
            reader.fail(where, "must be named with lower-case letters, digits and '-'", "e.g. [external.payments-mock]")
        externals.append(External(name, reader.string(spec, where, "match"), reader.string(spec, where, "replace"),
                                  reader.string(spec, where, "image", default=""),
                                  reader.strings(spec, where, "command", default=())))
    return tuple(externals)


def _seed_specs(reader: _Reader, root: Path, body: dict[str, Any]) -> tuple[Path, ...]:
    """Seed specs named under [seed], else every seeds/*.toml of the project."""
    reader.keys(body, "seed", {"specs"})
    if "specs" in body:
        paths = tuple(root / p for p in reader.strings(body, "seed", "specs"))
        for path in paths:
            if not path.is_file():
                reader.fail("seed.specs", f"names {path}, which does not exist", "fix the path (relative to devenv.toml)")
        return paths
    return tuple(sorted((root / "seeds").glob("*.toml")))


class _Reader:
    """Typed access to raw TOML tables; every failure names the file and the dotted key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str, hint: str = "") -> None:
        raise InputError(f"key '{key}' {problem}", where=str(self.path), hint=hint)

    def keys(self, table: Any, where: str, allowed: set[str]) -> None:
        if not isinstance(table, dict):
            self.fail(where, "must be a table", "")
        for key in table:
            if key not in allowed:
                dotted = f"{where}.{key}" if where else key
                self.fail(dotted, "is not a devenv.toml key",
                          did_you_mean(key, allowed) or f"allowed here: {', '.join(sorted(allowed))}")

    def table(self, table: dict[str, Any], where: str, key: str) -> dict[str, Any]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            self.fail(f"{where}.{key}" if where else key, "must be a table", "")
        return dict(value)

    def string(self, table: dict[str, Any], where: str, key: str, default: str | None = None) -> str:
        if key not in table:
            if default is None:
                self.fail(f"{where}.{key}", "is required", "")
            return default  # type: ignore[return-value]
        value = table[key]
        if not isinstance(value, str):
            self.fail(f"{where}.{key}", f"must be a string, not {value!r}", f'e.g. {key} = "..."')
        return str(value)

    def scalar(self, table: dict[str, Any], where: str, key: str) -> str:
        """A string, number or boolean, as the text a command line receives."""
        if not isinstance(value := table[key], (str, int, float, bool)):
            self.fail(f"{where}.{key}", f"must be a string, a number or true/false, not {value!r}", f'e.g. {key} = "1"')
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    def strings(self, table: dict[str, Any], where: str, key: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
        if key not in table:
            if default is None:
                self.fail(f"{where}.{key}", "is required", "")
            return default  # type: ignore[return-value]
        value = table[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(f"{where}.{key}", f"must be a list of strings, not {value!r}", f'e.g. {key} = ["k8s/"]')
        return tuple(value)
