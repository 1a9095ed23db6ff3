"""`devenv diff ENV_A ENV_B` and `devenv verify`: the parity report across environments and at run time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from devenv.cli import common
from devenv.cli.report import FailOnOption, Format, FormatOption, Severity, emit
from devenv.errors import RuntimeFailure

if TYPE_CHECKING:
    from devenv.config import Config
    from devenv.k8s.manifest import Manifest
    from devenv.model.delta import Delta



def register(app: typer.Typer) -> None:
    app.command("diff")(diff)
    app.command("verify")(verify)


def _accepted(deltas: list[Delta], config: Config, command: str, manifests: list[Manifest]) -> list[Delta]:
    """Acceptance for this command's codes only (diff-*, runtime-*): rules of other commands are not 'unused'."""
    from devenv.parity.accept import apply_acceptance, rules_for_command

    result = apply_acceptance(deltas, rules_for_command(config.accept, command), manifests, config.path.name)
    result.sort(key=lambda d: d.sort_key())
    return result


def diff(
    env_a: str = typer.Argument(..., metavar="ENV_A", help="The environment shown as 'local' (e.g. staging)."),
    env_b: str = typer.Argument(..., metavar="ENV_B", help="The environment shown as 'prod' (e.g. prod)."),
    fmt: Format = FormatOption,
    fail_on: Severity = FailOnOption,
) -> None:
    """Compare two environments' manifests: config keys, images, replicas, resources, probes, policies."""
    from devenv.parity.diff import diff_environments
    from devenv.parity.locations import with_sources
    from devenv.sources.load import load_environment

    config = common.STATE.config()
    left = load_environment(config, config.env(env_a)).manifests
    right = load_environment(config, config.env(env_b)).manifests
    deltas = _accepted(diff_environments(left, right, config.root), config, "diff", right + left)
    deltas = with_sources(deltas, [], config.root, config.path)
    meta = {"command": "diff", "environment_a": env_a, "environment_b": env_b, "project": config.project,
            "labels": {"prod": env_b, "local": env_a}}
    emit(deltas, meta, fmt, fail_on)


def verify(
    env: str = common.EnvOption,
    project: str = common.ProjectOption,
    fmt: Format = FormatOption,
    fail_on: Severity = FailOnOption,
    context: str = common.ContextOption,
) -> None:
    """After `devenv up`: report runtime drift of the running containers against the rendered project."""
    from devenv import pipeline
    from devenv.parity import verify as checks
    from devenv.parity.locations import with_sources

    common.use_engine(context)
    config = common.STATE.config()
    name = common.project_name(config, project)
    rendered = pipeline.render(config, env)
    expected = checks.expectations(rendered)
    from devenv.engine import inspect
    inspect.require_engine()
    images, files = checks.wanted(expected)
    observation = inspect.observe(name, images, files)
    if not observation.containers:
        raise RuntimeFailure(f"project '{name}' has no containers", where="devenv verify",
                             hint="start the stack with `devenv up` first (or name it with --project)")
    deltas = checks.compare(expected, observation)
    deltas = with_sources(_accepted(deltas, config, "verify", rendered.manifests), rendered.manifests, config.root,
                          config.path)
    meta = {"command": "verify", "environment": rendered.env.name, "project": name,
            "labels": {"prod": "rendered", "local": "running"}}
    emit(deltas, meta, fmt, fail_on)
