"""One entry point from an environment to manifests, with a content-keyed render cache.

Kustomize and Helm renders are cached under the state directory, keyed on the content of every input
file, every option and the renderer's identity: `devenv up` on an unchanged tree does not pay for the
renderer again. Secret values never enter devenv: a render is redacted before the cache keeps it (and
before it is used, so a cached and a fresh render are the same), plain manifests as they are read. The
key is a digest: the `set` values and values files it covers are never stored in clear.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from devenv import statedir
from devenv.config import Config, Environment
from devenv.k8s.manifest import Manifest
from devenv.k8s.redact import redact_stream
from devenv.sources.plain import load_plain
from devenv.sources.validated import Validated

#: cache entries are named KEY + this suffix; any other entry (an older format, kept before Secret values
#: were redacted) is deleted on sight
ENTRY_SUFFIX = ".redacted-1.yaml"
KEEP_ENTRIES = 32  # keep the cache small: the newest renders only


@dataclass(frozen=True)
class Loaded:
    """The manifests of one environment and whether the render cache answered."""

    manifests: list[Manifest]
    cached: bool = False


def load_environment(config: Config, env: Environment, use_cache: bool = True) -> Loaded:
    """The environment's objects, each checked against the Kubernetes API's schema and rules (once per content)."""
    validated = Validated(config.state_dir / "cache" / "validated", use_cache)
    loaded = _load(config, env, use_cache, validated)
    validated.save()
    return loaded


def _load(config: Config, env: Environment, use_cache: bool, validated: Validated) -> Loaded:
    where = f"{config.path.name} [envs.{env.name}]"
    if env.kind == "plain":
        return Loaded(load_plain(env.manifests, where, env.namespace, config.root, validated.parse))
    if env.kind == "kustomize":
        from devenv.sources.kustomize import kustomize_inputs, render_kustomize
        from devenv.sources.tools import require_kustomize

        assert env.kustomize is not None
        overlay = env.kustomize
        shown = _relative(overlay, config.root)
        tool = require_kustomize() if overlay.is_dir() else None
        render: Callable[[], str] = lambda: render_kustomize(overlay, shown)  # noqa: E731
        key_parts = ["kustomize", str(overlay.resolve()), tool.identity if tool else ""]
        inputs = kustomize_inputs(overlay) if overlay.is_dir() else []
    else:
        from devenv.sources.helm import helm_identity, helm_inputs, render_helm

        assert env.helm is not None
        shown = _relative(env.helm.chart, config.root)
        helm = env.helm
        render = lambda: render_helm(helm, shown)  # noqa: E731
        key_parts = ["helm", repr(helm), helm_identity()]
        inputs = helm_inputs(helm)
    text, cached = _cached_render(config.state_dir, key_parts, inputs, render, use_cache)
    return Loaded(validated.parse(text, f"{env.kind} render of {shown}", env.namespace), cached)


def cache_key(parts: list[str], inputs: list[Path]) -> str:
    digest = hashlib.sha256(json.dumps(parts).encode())
    for path in inputs:
        digest.update(str(path).encode() + b"\0")
        try:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.hexdigest()


def _cached_render(state_dir: Path, parts: list[str], inputs: list[Path], render: Callable[[], str],
                   use_cache: bool) -> tuple[str, bool]:
    """The redacted render: from the cache when its inputs are unchanged, else rendered (and cached)."""
    folder = state_dir / "cache" / "render"
    entry = folder / f"{cache_key(parts, inputs)}{ENTRY_SUFFIX}"
    if use_cache:
        statedir.ensure(state_dir)
        statedir.private_dir(folder.parent)
        statedir.private_dir(folder)
        for old in folder.iterdir():
            if old.is_file() and not old.name.endswith(ENTRY_SUFFIX) and not old.name.startswith("."):
                old.unlink(missing_ok=True)
        if entry.is_file():
            return entry.read_text(encoding="utf-8"), True
    raw = render()
    text = redact_stream(raw)
    if text is None:  # not valid YAML: parse_manifests reports where; nothing is cached
        return raw, False
    if use_cache:
        entries = sorted(folder.glob(f"*{ENTRY_SUFFIX}"), key=lambda p: p.stat().st_mtime)
        for stale in entries[:-(KEEP_ENTRIES - 1)]:
            stale.unlink(missing_ok=True)
        statedir.write_private(entry, text.encode("utf-8"))
    return text, False


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
