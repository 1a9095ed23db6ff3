"""The shape of devenv.seed: stages whose imports point one way, small modules, and a package that
imports nothing heavy until a caller asks for `devenv.seed.api`."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import devenv.seed

PACKAGE = Path(devenv.seed.__file__).parent
# A stage may import only stages of a lower rank (the top-level modules rank highest).
RANK = {"spec": 0, "schema": 0, "generate": 1, "load": 1, "mask": 2, "run": 3, "api": 4, "stack": 4}


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("devenv", "seed", *path.relative_to(PACKAGE).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(path: Path, known: dict[str, Path]) -> set[str]:
    """The devenv.seed modules `path` imports, at the top or inside functions."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("devenv.seed"):
            out |= {name for name in (node.module, *(f"{node.module}.{a.name}" for a in node.names)) if name in known}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in known}
    return out


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 else None


def test_stages_import_one_way():
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        for target in _imports(path, modules):
            mine, theirs = _stage(module), _stage(target)
            if mine and theirs and mine != theirs and RANK[theirs] >= RANK[mine]:
                wrong.append(f"{module} -> {target}")
    assert not wrong
    assert {_stage(m) for m in modules} - {None} <= set(RANK)


def test_no_module_over_400_lines():
    long = {str(path.relative_to(PACKAGE)): n for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert not long


def test_importing_the_package_loads_no_database_or_faker_library():
    code = ("import sys, devenv.seed; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'psycopg', 'faker'}))")
    root = str(PACKAGE.parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]"
