"""The devenv.toml `devenv init` proposes from what `discover` found: one environment per Kustomize overlay,
Helm values file and set of plain manifests, named after their paths, the mirror set to the one that looks
like production, and comments saying where each came from and why the mirror was chosen.

Paths are written relative to the directory devenv.toml goes to, as devenv.toml's paths are read.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from devenv.sources.discover import Discovery, Found
from devenv.stackid import compose_project_name

#: name tokens by how much an environment looks like production: the lowest rank is the mirror
PRODUCTION = ("production", "prod", "prd", "live")
STAGING = ("staging", "stage", "stg", "preprod", "pre-prod", "uat", "qa")
DEVELOPMENT = ("dev", "develop", "development", "local", "test", "tests", "testing", "ci", "e2e", "example",
               "examples", "demo", "sandbox")
_TOKEN = re.compile(r"[a-z0-9]+")
#: what TOML forbids in a comment, line breaks included: names from the repository (folders, Chart.yaml's name)
#: are untrusted and must not end a comment early; strings already escape them
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
MAX_RELEASE = 53  # Helm's limit on release names


@dataclass(frozen=True)
class Proposal:
    """The environments by name, the mirrored one and why it was chosen."""

    envs: tuple[tuple[str, Found], ...]
    mirror: str
    why: str


def propose(discovery: Discovery) -> Proposal:
    envs = tuple(zip(_names([f.tokens for f in discovery.found]), discovery.found))
    if not envs:
        return Proposal((), "", "")
    if len(envs) == 1:
        return Proposal(envs, envs[0][0], f"'{envs[0][0]}' is the only environment found.")
    ranked = sorted(enumerate(envs), key=lambda item: (_rank(item[1][1]), len(item[1][1].tokens), item[0]))
    name, found = ranked[0][1]
    rank = _rank(found)
    if rank == 0:
        word = next(t for t in _words(found) if t in PRODUCTION)
        why = f"'{name}' looks like production: its path says '{word}'."
    else:
        chosen = {1: f"'{name}' comes first of those not named like staging, development or tests",
                  2: f"'{name}' is named like staging, the closest to production found",
                  3: f"all are named like development or tests; '{name}' comes first"}[rank]
        why = (f"No environment is named like production ({', '.join(PRODUCTION)}): {chosen}. Set mirror to the "
               "environment production deploys.")
    return Proposal(envs, name, why)


def _words(found: Found) -> list[str]:
    return [word for token in found.tokens for word in _TOKEN.findall(token.lower())]


def _rank(found: Found) -> int:
    """0 named like production, 1 neutral, 2 named like staging, 3 named like development or tests."""
    words = _words(found)
    for rank, names in ((0, PRODUCTION), (2, STAGING), (3, DEVELOPMENT)):
        if any(w in names for w in words):
            return rank
    return 1


def _names(paths: list[tuple[str, ...]]) -> list[str]:
    """Short, unique environment names: the last path part, with more parts where two would collide."""
    depth = [1] * len(paths)
    while True:
        names = [_slug("-".join(tokens[-d:])) or "env" for tokens, d in zip(paths, depth)]
        clashing = {n for n in names if names.count(n) > 1}
        grow = [i for i, n in enumerate(names) if n in clashing and depth[i] < len(paths[i])]
        if not grow:
            break
        for i in grow:
            depth[i] += 1
    used = {n for n in names if names.count(n) == 1}
    unique = []
    for name in names:
        if names.count(name) > 1:  # the same path twice: number them
            number = 1
            while f"{name}-{number}" in used:
                number += 1
            name = f"{name}-{number}"
            used.add(name)
        unique.append(name)
    return unique


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def devenv_toml(discovery: Discovery, out_dir: Path) -> str:
    """The commented devenv.toml text, with paths relative to `out_dir` (where it is written)."""
    proposal = propose(discovery)
    out_dir = out_dir.resolve()
    project = compose_project_name(discovery.root.name) or "app"
    counts = _counts(discovery.found)
    lines = [
        *(f"# {line}" for line in _wrap(
            f"devenv.toml proposed by `devenv init` for {_where(discovery.root, out_dir)}: {counts}. One environment "
            "per Kustomize overlay, Helm values file and folder of plain manifests; paths are relative to this file. "
            "`devenv render --env NAME` renders one; `devenv report` lists what differs from production. Delete "
            "the environments you do not deploy.")),
        "",
        "[project]",
        f"name = {_string(project)}",
        *(f"# {line}" for line in _wrap(f"mirror: the environment commands use without --env. {proposal.why}")),
        f"mirror = {_string(proposal.mirror)}",
    ]
    for name, found in proposal.envs:
        lines += ["", *_environment(name, found, discovery.root, out_dir)]
    if discovery.skipped:
        lines += ["", "# Found, but not environments of their own:"]
        lines += [f"#   {line}" for line in _skipped_lines(discovery)]
    lines += [
        "",
        "# [publish]",
        "# web = [80]        # Service ports to reach from the host (on 127.0.0.1): SERVICE = [PORT, ...]",
        "",
        '# [secrets."default/db"]',
        '# password = "local-only"   # a local value for a Secret key (otherwise generated once, kept in .devenv/)',
    ]
    return "\n".join(_CONTROL.sub("?", line) for line in lines) + "\n"


def _skipped_lines(discovery: Discovery) -> list[str]:
    """One line per skipped path; siblings skipped for the same reason share one line when there are many."""
    groups: dict[tuple[Path, str], list[Path]] = {}
    for skipped in discovery.skipped:
        groups.setdefault((skipped.path.parent, skipped.why), []).append(skipped.path)
    entries = []
    for (parent, why), paths in groups.items():
        if len(paths) > 3:
            entries.append(f"{_rel(parent, discovery.root)}/{{{', '.join(p.name for p in paths)}}}: {why}")
        else:
            entries += [f"{_rel(p, discovery.root)}: {why}" for p in paths]
    lines = []
    for entry in entries:
        wrapped = _wrap(entry, 100)
        lines += [wrapped[0], *(f"  {line}" for line in wrapped[1:])]
    return lines


def _where(path: Path, root: Path) -> str:
    """A path as the comments show it: relative to the scanned root, the root by its name."""
    return root.name if path == root else _rel(path, root)


def _environment(name: str, found: Found, root: Path, out_dir: Path) -> list[str]:
    where = _where(found.path, root)
    if found.kind == "kustomize":
        return [f"# Kustomize overlay {where}", f"[envs.{name}]", f"kustomize = {_string(_rel(found.path, out_dir))}"]
    if found.kind == "helm":
        values = f"with {found.values.name}" if found.values else "with its default values"
        release = _slug(found.chart_name)[:MAX_RELEASE].strip("-") or name
        lines = [f"# Helm chart {where} ({found.chart_name}) {values}", f"[envs.{name}]",
                 f"helm = {_string(_rel(found.path, out_dir))}"]
        if found.values:
            lines.append(f"values = [{_string(_rel(found.values, out_dir))}]")
        return lines + [f"release = {_string(release)}  # the release name production installs: objects are named after it",
                        '# namespace = "default"  # the namespace production installs into']
    paths = found.files or (found.path,)
    listed = ", ".join(_string(_rel(p, out_dir)) for p in paths)
    what = f"{len(found.files)} file(s) in {where}" if found.files else f"the folder {where}"
    return [f"# Plain manifests: {found.objects} object(s) in {what}", f"[envs.{name}]", f"manifests = [{listed}]",
            '# namespace = "default"  # the namespace of objects that name none']


def _counts(found: tuple[Found, ...]) -> str:
    labels = {"kustomize": ("Kustomize overlay", "Kustomize overlays"),
              "helm": ("Helm chart environment", "Helm chart environments"),
              "plain": ("set of plain manifests", "sets of plain manifests")}
    parts = []
    for kind, (one, many) in labels.items():
        n = sum(1 for f in found if f.kind == kind)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return ", ".join(parts) or "nothing deployable"


def _rel(path: Path, start: Path) -> str:
    """`path` relative to `start`, with '/' separators ('.' for the same folder)."""
    return Path(os.path.relpath(path, start)).as_posix()


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, and TOML also wants DEL escaped."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _wrap(text: str, width: int = 110) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])
