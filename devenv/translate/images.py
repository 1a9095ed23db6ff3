"""Image references: production's string unchanged, unless devenv.toml builds it or mirrors it.

A build matches by image name whatever tag or digest the manifest names (as Tilt does); each local
substitution is a delta. A mirror key is a plain prefix of the reference as written (`postgres:`,
`postgres:16.4`, `registry.example.com/team/`): the first key that matches is replaced.
"""

from __future__ import annotations

import os
from typing import Any

from devenv.k8s.manifest import ObjectRef
from devenv.translate.context import Context


def image_name(reference: str) -> str:
    """The repository part of an image reference: no tag, no digest."""
    name = reference.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    return name[:colon] if colon > slash else name


def image_fields(ctx: Context, obj: ObjectRef, reference: str, field: str) -> dict[str, Any]:
    name = image_name(reference)
    for build in ctx.options.builds:
        if image_name(build.image) == name:
            ctx.report("image-built-from-source", obj, field, prod=reference, local=f"build of {build.context.name}/")
            fields: dict[str, Any] = {"image": f"devenv.local/{name}:dev", "build": _build(ctx, build)}
            if build.watch:
                fields["develop"] = {"watch": [_watch_rule(ctx, build, rule) for rule in build.watch]}
            return fields
    if "@sha256:" not in reference:
        ctx.report("image-not-pinned", obj, field, prod=reference, local=reference)
    local = mirrored(reference, ctx.options.mirrors)
    if local != reference:
        same_version = _version(local) == _version(reference)
        ctx.report("image-mirrored" if same_version else "image-substituted", obj, field, prod=reference, local=local)
    return {"image": local}


def _version(reference: str) -> str:
    """The tag and digest of a reference (`:1.2`, `@sha256:...`, `:latest` when none is written)."""
    name, at, digest = reference.partition("@")
    tag = name[len(image_name(name)):] or ":latest"
    return tag + at + digest


def mirrored(reference: str, mirrors: tuple[tuple[str, str], ...]) -> str:
    """The reference with the first matching mirror prefix replaced, or unchanged."""
    for prefix, replacement in mirrors:
        if reference.startswith(prefix):
            return replacement + reference[len(prefix):]
    return reference


def _watch_rule(ctx: Context, build: Any, rule: tuple[str, str, str]) -> dict[str, str]:
    """A Compose `develop.watch` rule; its path is relative to the build context in devenv.toml."""
    action, path, target = rule
    entry = {"action": action, "path": os.path.relpath(build.context / path, ctx.options.out_dir)}
    if target:
        entry["target"] = target
    return entry


def _build(ctx: Context, build: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"context": os.path.relpath(build.context, ctx.options.out_dir)}
    if build.dockerfile:
        spec["dockerfile"] = build.dockerfile
    if build.target:
        spec["target"] = build.target
    if build.args:
        spec["args"] = dict(build.args)
    return spec
