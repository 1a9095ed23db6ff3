"""`devenv gc` across engines: which engines to sweep, and one engine's sweep.

Without `--context`, gc sweeps the engine in use and every engine this checkout has run stacks on
(the state directory's engines.json), so a stack left on a build box is found from the laptop; with
`--context A --context B ...` it sweeps exactly those, which is how a CI job cleans a pool of hosts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from devenv.cli import common
from devenv.errors import DevenvError, InputError

if TYPE_CHECKING:
    from devenv.model.engine import EngineTarget


@dataclass
class Sweep:
    """What gc did (or would do) on one engine."""

    target: EngineTarget
    doomed: list[tuple[str, str]] = field(default_factory=list)  # (project, why)
    kept: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (project, the engine's refusal)
    error: str = ""
    hint: str = ""
    several: bool = False


def engines_to_sweep(contexts: list[str]) -> tuple[list[EngineTarget], Path | None]:
    """The engines to sweep, and the state directory of the checkout (None outside one)."""
    from devenv.engine.probe import used_engines
    from devenv.engine.target import resolve

    state_dir = _state_dir()
    if contexts:
        chosen = [resolve(name) for name in contexts]
    else:
        chosen = [resolve(None), *(used_engines(state_dir) if state_dir else [])]
    unique: dict[str, EngineTarget] = {}
    for target in chosen:
        unique.setdefault(target.host if target.context == "default" else target.key, target)
    return list(unique.values()), state_dir


def _state_dir() -> Path | None:
    try:
        return common.STATE.config().state_dir
    except InputError:
        if common.STATE.config_path:  # a config named on purpose must load
            raise
        return None


def sweep(target: EngineTarget, state_dir: Path | None, all_stacks: bool, dry_run: bool, several: bool) -> Sweep:
    """Remove (or list) the stacks gc judges dead on `target`, and this checkout's tunnels to them.

    With several engines, one that cannot be reached is reported and skipped; alone, its error stands. A
    stack the engine refuses to remove (a network another container still uses) is reported, and the
    sweep goes on with the next one."""
    from devenv.engine import lifecycle, tunnel
    from devenv.engine.client import require_engine, use

    report = Sweep(target, several=several)
    use(target)
    try:
        require_engine()
        stacks = lifecycle.list_stacks()
    except DevenvError as exc:
        if not several:
            raise
        report.error, report.hint = exc.what, exc.hint
        return report
    for stack in stacks:
        why = "--all" if all_stacks else stack.verdict()
        if not why:
            report.kept.append(stack.project)
            continue
        if not dry_run:
            try:
                lifecycle.remove_stack(stack.project)
            except DevenvError as exc:
                report.failed.append((stack.project, "\n".join(part for part in (exc.what, exc.details) if part)))
                continue
            if state_dir:
                tunnel.stop(state_dir, target, stack.project)
        report.doomed.append((stack.project, why))
    return report
