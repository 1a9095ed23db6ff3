"""Type-mutation fuzzing of the corpus manifests: every field of every object, replaced by a value of each
other JSON type, through the render pipeline in-process (parse, validate, translate, accept, the Compose
document). Run as a script to print the figures: `python -m tests.unit.k8s.fuzz [--no-validation]`.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from devenv.compose.writer import planned_files
from devenv.errors import InputError
from devenv.k8s.validate import validate_manifests
from devenv.k8s.yamlio import parse_manifests
from devenv.parity.accept import apply_acceptance
from devenv.translate.context import Options
from devenv.translate.secrets_store import LocalSecrets
from devenv.translate.translate import translate

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
SOURCES = ("microservices-demo/kubernetes-manifests", "opentelemetry-demo/opentelemetry-demo.yaml",
           "sock-shop/complete-demo.yaml")
#: one value of each JSON type; a field is replaced by each value whose type differs from its own
REPLACEMENTS: dict[str, Any] = {"str": "fuzz", "int": 7, "list": ["fuzz"], "dict": {"fuzz": "fuzz"}, "null": None,
                                "bool": True}
OPTIONS = Options(out_dir="/nonexistent/fuzz-out", publish={"frontend": (8080,)})


@dataclass(frozen=True)
class Case:
    """One mutation: in `source`, object `index` of `group`, the field at `path` becomes `value`."""

    source: str
    group: tuple[dict[str, Any], ...]
    index: int
    path: tuple[str | int, ...]
    value: Any

    def __str__(self) -> str:
        body = self.group[self.index]
        where = ".".join(str(p) for p in self.path)
        return f"{self.source}: {body.get('kind')}/{(body.get('metadata') or {}).get('name')}: {where} = {self.value!r}"


def corpus_objects() -> list[tuple[str, list[dict[str, Any]]]]:
    """(file, objects) of every corpus manifest file (kustomization files are not manifests)."""
    files: list[Path] = []
    for source in SOURCES:
        path = CORPUS / source
        files.extend(sorted(p for p in path.glob("*.yaml") if p.name != "kustomization.yaml") if path.is_dir()
                     else [path])
    return [(str(f.relative_to(CORPUS)), [d for d in yaml.safe_load_all(f.read_text()) if d]) for f in files]


def type_of(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "int", str: "str", list: "list", dict: "dict"}[type(value)]


def field_paths(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        yield (*prefix, key), value
        yield from field_paths(value, (*prefix, key))


def cases() -> Iterator[Case]:
    """Every type mutation of every field; each object is rendered with the objects of its file that share
    its name (a Deployment with its Service), so cross-object steps (ports, selectors) run too."""
    for source, objects in corpus_objects():
        for obj in objects:
            name = (obj.get("metadata") or {}).get("name")
            group = tuple(o for o in objects if (o.get("metadata") or {}).get("name") == name)
            index = group.index(obj)
            for path, value in field_paths(obj):
                for kind, replacement in REPLACEMENTS.items():
                    if kind != type_of(value):
                        yield Case(source, group, index, path, replacement)


def mutated_text(case: Case) -> str:
    """The group as a YAML stream (JSON documents: YAML's fastest writer here), with the mutation."""
    node: Any = case.group[case.index]
    for part in case.path[:-1]:
        node = node[part]
    original = node[case.path[-1]]
    node[case.path[-1]] = case.value
    try:
        return "\n---\n".join(json.dumps(o) for o in case.group)
    finally:
        node[case.path[-1]] = original


def render(text: str, validate: bool = True) -> str:
    """What `devenv render` does with a manifest file, minus the disk: parse, validate, translate, accept,
    lay out the Compose document and its files."""
    manifests = parse_manifests(text, "fuzz.yaml")
    if validate:
        validate_manifests(manifests)
    output = translate(manifests, OPTIONS, LocalSecrets(None))
    deltas = apply_acceptance(output.deltas, (), manifests, "devenv.toml")
    deltas.sort(key=lambda d: d.sort_key())
    files = planned_files(output, "# fuzz\n", Path(OPTIONS.out_dir))
    return b"\n".join(content for content, _ in files.values()).decode(errors="replace")


#: what a value of the wrong type looks like once str() has turned it into text
REPRS = ("['fuzz']", "{'fuzz': 'fuzz'}", "None")


def run_case(case: Case, validate: bool = True) -> str:
    """`rendered`, `refused` (an InputError: exit 2), `repr` (rendered with a Python repr of the mutated value
    in the output), or raises what would have been a traceback."""
    text = mutated_text(case)
    try:
        rendered = render(text, validate)
    except InputError:
        return "refused"
    reprs = [r for r in REPRS if r not in json.dumps(case.group)]  # the corpus itself may say "None"
    return "repr" if any(r in rendered for r in reprs) else "rendered"


def main() -> None:
    validate = "--no-validation" not in sys.argv
    started = time.perf_counter()
    outcomes: Counter[str] = Counter()
    crashes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for case in cases():
        try:
            outcomes[run_case(case, validate)] += 1
        except Exception as exc:  # noqa: BLE001 - counting what would be a traceback
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            key = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            crashes[key] += 1
            examples.setdefault(key, str(case))
    total = sum(outcomes.values()) + sum(crashes.values())
    print(f"{total} cases in {time.perf_counter() - started:.1f}s: {dict(outcomes)}, "
          f"{sum(crashes.values())} tracebacks ({len(crashes)} distinct places)")
    for key, count in crashes.most_common():
        print(f"  {count:5} {key}  e.g. {examples[key]}")


if __name__ == "__main__":
    main()
