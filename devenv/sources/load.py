"""One entry point from an environment to manifests, with a content-keyed render cache.

Kustomize and Helm renders are cached under the state directory, keyed on the content of every input
file, every option and the renderer's identity: `devenv up` on an unchanged tree does not pay for the
renderer again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from devenv.config import Config, Environment
from devenv.k8s.manifest import Manifest
from devenv.sources.plain import load_plain
from devenv.sources.validated import Validated


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
    text, cached = _cached_render(config.state_dir / "cache" / "render", key_parts, inputs, render, use_cache)
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


def _cached_render(folder: Path, parts: list[str], inputs: list[Path], render: Callable[[], str],
                   use_cache: bool) -> tuple[str, bool]:
    entry = folder / f"{cache_key(parts, inputs)}.yaml"
    if use_cache and entry.is_file():
        return entry.read_text(encoding="utf-8"), True
    text = render()
    if use_cache:
        folder.mkdir(parents=True, exist_ok=True)
        entries = sorted(folder.glob("*.yaml"), key=lambda p: p.stat().st_mtime)
        for stale in entries[:-31]:  # keep the cache small: the newest renders only
            stale.unlink(missing_ok=True)
        tmp = entry.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(entry)
    return text, False


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
