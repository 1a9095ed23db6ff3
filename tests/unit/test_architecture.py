"""The package's shape, as docs/architecture.md states it: every import points down a layer, no import
circles between modules, no module over 400 lines, nothing heavy loaded by the light commands."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "devenv"
MAX_LINES = 400

#: bottom to top; a module may import its own group and any group of a lower layer
LAYERS: list[tuple[str, ...]] = [
    ("devenv", "devenv.errors"),
    ("devenv.model",),
    ("devenv.statedir",),
    ("devenv.process", "devenv.stackid", "devenv.ports", "devenv.builds"),
    ("devenv.k8s", "devenv.config", "devenv.engine"),
    ("devenv.sources",),
    ("devenv.translate",),
    ("devenv.compose",),
    ("devenv.parity", "devenv.seed"),
    ("devenv.pipeline",),
    ("devenv.launch",),
    ("devenv.cli", "devenv.testing"),
    ("devenv.__main__",),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every devenv module a file imports, at module level or inside functions."""
    tree = ast.parse(path.read_text())
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.startswith("devenv"):
                found.add(target)
                found.update(f"{target}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("devenv"))
    return found


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _group(module: str) -> tuple[int, str]:
    best = (-1, "")
    for level, groups in enumerate(LAYERS):
        for group in groups:
            inside = module == group or (group != "devenv" and module.startswith(group + "."))
            if inside and len(group) > len(best[1]):
                best = (level, group)
    return best


def _edges() -> dict[str, set[str]]:
    return {name: {m for m in _imports(path) if m in MODULES and m != name} for name, path in MODULES.items()}


def test_every_module_belongs_to_a_layer() -> None:
    assert [m for m in MODULES if _group(m)[0] < 0] == []


def test_every_import_points_down() -> None:
    upward = []
    for module, targets in _edges().items():
        level, group = _group(module)
        for target in targets:
            target_level, target_group = _group(target)
            if target_group != group and target_level >= level:
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_circles() -> None:
    edges = _edges()
    # a package's __init__ importing its own modules is not a circle
    edges = {m: {t for t in ts if not m.startswith(t + ".") and not t.startswith(m + ".")} for m, ts in edges.items()}
    state: dict[str, int] = {}
    circles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                circles.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert circles == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_small(module: str) -> None:
    lines = MODULES[module].read_text().count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by responsibility"


def test_package_is_typed() -> None:
    assert (PACKAGE / "py.typed").is_file()


@pytest.mark.parametrize("module, heavy", [
    ("devenv.cli.app", ("sqlalchemy", "faker", "python_on_whales", "psycopg")),
    ("devenv.pipeline", ("sqlalchemy", "faker", "python_on_whales", "psycopg")),
    ("devenv.seed", ("sqlalchemy", "faker", "psycopg")),
    # what `up`, `down`, `status` and `passthrough` run: python-on-whales costs a quarter second to import
    ("devenv.launch", ("sqlalchemy", "faker", "python_on_whales", "psycopg")),
    ("devenv.engine.passthrough", ("python_on_whales",)),
])
def test_light_modules_do_not_load_heavy_ones(module: str, heavy: tuple[str, ...]) -> None:
    code = f"import sys, {module}; print(' '.join(sorted(m for m in {heavy!r} if m in sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []
