"""Which engine this process talks to: one per command, like the docker CLI's own --context.

Both ways devenv reaches the engine (the docker CLI through devenv.engine.calls, python-on-whales through
devenv.engine.client) read the selection here, so a command never talks to two engines by accident.
"""

from __future__ import annotations

from devenv.model.engine import EngineTarget

#: the engine selected for this process (None: the environment's, resolved on first use)
_selected: EngineTarget | None = None


def use(target: EngineTarget | None) -> None:
    """Talk to `target` from now on (None: whatever DOCKER_HOST, DOCKER_CONTEXT or the docker config say)."""
    global _selected
    _selected = target


def selected() -> EngineTarget | None:
    return _selected


def current_target() -> EngineTarget:
    """The engine in use: the one selected, else the one the environment selects (DOCKER_HOST, DOCKER_CONTEXT,
    the docker config), resolved once per process."""
    global _selected
    if _selected is None:
        from devenv.engine.target import resolve

        _selected = resolve(None)
    return _selected


def target_options() -> dict[str, str]:
    """DockerClient keyword arguments selecting the engine in use."""
    return dict(_selected.client_options) if _selected else {}


def cli_args() -> list[str]:
    """docker CLI global options selecting the engine in use (for commands run without python-on-whales)."""
    return list(_selected.cli_args) if _selected else []
