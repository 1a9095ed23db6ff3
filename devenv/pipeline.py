"""The pipeline from devenv.toml to a written Compose project: load, translate, accept, write.

Every stage returns data; nothing here prints.
"""

from __future__ import annotations

import fcntl
import gc
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from devenv import statedir
from devenv.compose.writer import Written, stale_files, write_project
from devenv.config import Config, Environment
from devenv.errors import InputError
from devenv.k8s.manifest import Manifest
from devenv.model.delta import Delta
from devenv.model.labels import SECRET_ENV_FILE
from devenv.model.output import Output
from devenv.model.privileges import refusal
from devenv.model.project import ProjectFiles
from devenv.parity.accept import apply_acceptance, unused_grants
from devenv.sources.load import load_environment
from devenv.translate.config_refs import check_config_refs
from devenv.translate.context import Options
from devenv.translate.images import mirrored
from devenv.translate.secrets_store import LocalSecrets
from devenv.translate.translate import translate

SECRETS_FILE = "secrets.json"


@dataclass
class Rendered:
    """One environment translated: the project, its deltas (acceptance applied), and how long it took."""

    config: Config
    env: Environment
    manifests: list[Manifest]
    output: Output
    deltas: list[Delta]
    out_dir: Path
    header: str
    cached: bool
    seconds: float
    secrets: LocalSecrets

    def files(self, project: str | None = None) -> ProjectFiles:
        return ProjectFiles(self.out_dir / "compose.yaml", self.config.state_dir / SECRET_ENV_FILE,
                            project or self.config.project)

    @property
    def startable_services(self) -> list[str]:
        """Services `up` starts: all but the on-demand ones (CronJobs)."""
        return sorted(name for name, service in self.output.services.items() if not service.get("profiles"))


def helper_image(config: Config) -> str:
    """devenv's helper image (sandboxes, probes, the remote files volume, the relay) after devenv.toml's
    [mirrors]: the one name the rendered stack and the engine commands both use."""
    return mirrored(config.local.helper_image, config.mirrors)


def options_for(config: Config, out_dir: Path) -> Options:
    """The translation's options; [mirrors] also rewrite devenv's own images (sandbox, gateway, mocks)."""
    return Options(
        helper_image=helper_image(config),
        publish=config.publish,
        builds=config.builds,
        mirrors=config.mirrors,
        externals=tuple(replace(e, image=mirrored(e.image, config.mirrors)) for e in config.externals),
        state_rel=os.path.relpath(config.state_dir, out_dir),
        out_dir=str(out_dir),
        gateway_image=mirrored(config.local.gateway_image, config.mirrors),
        service_links=config.local.service_links,
        allow=config.local.allow,
    )


@contextmanager
def batch() -> Iterator[None]:
    """No cyclic garbage collection while a render builds its objects: they hold no cycles worth finding,
    and the collector walking tens of thousands of live dicts made a 5,000-workload render twice as slow
    (superlinear). Reference counting still frees everything; collection resumes afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def render(config: Config, env_name: str | None = None, out_dir: Path | None = None,
           use_cache: bool = True) -> Rendered:
    with batch():
        return _render(config, env_name, out_dir, use_cache)


def _render(config: Config, env_name: str | None, out_dir: Path | None, use_cache: bool) -> Rendered:
    started = time.perf_counter()
    env = config.env(env_name)
    out = (out_dir or config.out).resolve()
    loaded = load_environment(config, env, use_cache)
    secrets = LocalSecrets(config.state_dir / SECRETS_FILE, config.secrets)
    output = translate(loaded.manifests, options_for(config, out), secrets)
    check_config_refs(loaded.manifests, config.publish, config.secrets, secrets.asked, env.name, str(config.path))
    if config.seeds:
        from devenv.seed.stack import publish_databases

        publish_databases(output, config.seeds)
    deltas = apply_acceptance(output.deltas, config.accept, loaded.manifests, config.path.name)
    deltas += unused_grants(deltas, config.local.allow, config.path.name)
    deltas.sort(key=lambda d: d.sort_key())
    source = env.kustomize or env.manifests or (env.helm.chart if env.helm else "")
    header = (f"# Rendered by devenv from environment '{env.name}' ({env.kind}: {_shown(source, config.root)}).\n"
              "# Do not edit: change the manifests or devenv.toml, then run `devenv render`.\n")
    return Rendered(config, env, loaded.manifests, output, deltas, out, header, loaded.cached,
                    time.perf_counter() - started, secrets)


def write(rendered: Rendered) -> Written:
    with batch():
        return _write(rendered)


def _write(rendered: Rendered) -> Written:
    try:
        statedir.ensure(rendered.config.state_dir)
        rendered.secrets.save()
        return write_project(rendered.output, rendered.header, rendered.out_dir, rendered.config.state_dir)
    except OSError as exc:
        raise _unwritable(exc, rendered.out_dir, "choose a writable output directory (--out, or [project] out "
                          "in devenv.toml)") from None


def _unwritable(exc: OSError, path: Path, hint: str) -> InputError:
    return InputError(f"cannot write {exc.filename or path}: {exc.strerror or exc}", hint=hint)


@contextmanager
def state_lock(config: Config) -> Iterator[None]:
    """One render-and-write at a time per state directory: parallel `up`s of one checkout (CI) must agree
    on the local secret values generated on first use."""
    try:
        statedir.ensure(config.state_dir)
        fd = statedir.open_private(config.state_dir / "lock")
    except OSError as exc:
        raise _unwritable(exc, config.state_dir, "make the state directory writable, or choose another "
                          "([project] state_dir in devenv.toml)") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def prepare(config: Config, env_name: str | None = None, out_dir: Path | None = None) -> Rendered:
    """Render and write under the state lock: what every command that runs the stack does first.

    Refuses (exit 2) when the manifests ask for host privileges devenv.toml does not grant."""
    with state_lock(config):
        rendered = render(config, env_name, out_dir)
        refused = refusal(rendered.deltas, config.local.allow, config.path.name)
        if refused is not None:  # before anything is written or any engine is called
            raise refused
        write(rendered)
    return rendered


def check(rendered: Rendered) -> list[str]:
    return stale_files(rendered.output, rendered.header, rendered.out_dir)


def _shown(source: object, root: Path) -> str:
    items = source if isinstance(source, tuple) else (source,)
    shown = []
    for item in items:
        try:
            shown.append(str(Path(item).resolve().relative_to(root.resolve())))
        except ValueError:
            shown.append(str(item))
    return ", ".join(shown)
