"""Renderers of the delta list: they format, they never decide. Secret values are never in a delta.

Every renderer takes the same two things: the deltas (acceptance already applied) and `meta`, a dict
with the command (`report`, `diff`, `verify`), the environment or environments, the project, the
gate (`fail_on`, or None) and `labels`, the names of the two sides (`prod` and `local` by default;
for `devenv diff` the two environments).
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

from devenv import __version__
from devenv.k8s.manifest import Manifest, ObjectRef, Origin
from devenv.model.catalogue import CATALOGUE
from devenv.model.delta import SEVERITIES, Delta, at_or_above

SCHEMA_VERSION = 1
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}
MARKDOWN_ROWS = 50  # warnings and errors listed in a Markdown report before "... and N more"
MARKDOWN_OBJECTS = 8  # objects named per info code before "+N more"
CELL_WIDTH = 80


# -- helpers shared by the renderers -----------------------------------------------------------------

def labels(meta: dict[str, Any]) -> tuple[str, str]:
    """How the two sides are called: ("prod", "local") for a report, the environment names for a diff."""
    given = meta.get("labels") or {}
    return str(given.get("prod", "prod")), str(given.get("local", "local"))


def counts(deltas: list[Delta]) -> dict[str, Any]:
    """Totals per severity, open and accepted apart (what every format summarises)."""
    open_by = Counter(d.severity for d in deltas if not d.accepted)
    accepted_by = Counter(d.severity for d in deltas if d.accepted)
    return {
        "total": len(deltas),
        "open": sum(open_by.values()),
        "accepted": sum(accepted_by.values()),
        "open_by_severity": {s: open_by.get(s, 0) for s in SEVERITIES},
        "accepted_by_severity": {s: accepted_by.get(s, 0) for s in SEVERITIES},
    }


def gate(deltas: list[Delta], fail_on: str | None) -> dict[str, Any]:
    failing = at_or_above(deltas, fail_on) if fail_on else []
    return {"fail_on": fail_on, "failed": bool(failing), "failing": len(failing)}


def failing_testcase(item: Delta, fail_on: str | None) -> bool:
    """For CI formats: an open delta fails at or above the gate, or (without a gate) when warning or error."""
    if item.accepted:
        return False
    threshold = SEVERITIES.index(fail_on) if fail_on else SEVERITIES.index("warning")
    return item.rank >= threshold


def _title(meta: dict[str, Any]) -> str:
    command = meta.get("command", "report")
    if command == "diff":
        return f"devenv diff {meta.get('environment_a')} {meta.get('environment_b')}"
    if command == "verify":
        return f"devenv verify: project {meta.get('project')}"
    return f"devenv report: environment {meta.get('environment')}"


def with_sources(deltas: Iterable[Delta], manifests: Iterable[Manifest], root: Path | None = None,
                 config_file: Path | None = None) -> list[Delta]:
    """Fill each delta's `source` from its object's origin (see `source_of`); deltas about devenv.toml
    itself point at their `[[accept]]` block. A delta that already has a source keeps it."""
    origins: dict[ObjectRef, Origin] = {}
    for manifest in manifests:
        origins.setdefault(manifest.ref, manifest.origin)
    result = []
    for item in deltas:
        if not item.source and item.object in origins:
            item = replace(item, source=source_of(origins[item.object], root))
        elif not item.source and config_file is not None and item.object == ObjectRef("Config", "", config_file.name):
            item = replace(item, source=_config_source(config_file, item.field, root))
        result.append(item)
    return result


def _config_source(config_file: Path, field: str, root: Path | None) -> str:
    shown = config_file.name if root is None or config_file.parent != root else str(config_file.relative_to(root))
    match = re.fullmatch(r"accept\[(\d+)\]", field)
    try:
        lines = config_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return shown
    blocks = [n for n, line in enumerate(lines, start=1) if line.strip() == "[[accept]]"]
    if match and int(match.group(1)) < len(blocks):
        return f"{shown}:{blocks[int(match.group(1))]}"
    return shown


def source_of(origin: Origin, root: Path | None) -> str:
    """`FILE:LINE` (the document's first line) for a manifest file under `root`, else the origin in words
    (a Kustomize or Helm render has no file of its own)."""
    path = (root / origin.file) if root is not None else None
    if path is None or not path.is_file():
        return str(origin)
    stat = path.stat()
    starts = _document_lines(str(path), stat.st_mtime_ns, stat.st_size)
    line = starts[origin.document] if origin.document < len(starts) else 1
    return f"{origin.file}:{line}"


@lru_cache(maxsize=256)
def _document_lines(path: str, _mtime: int, _size: int) -> list[int]:
    """The first content line (1-based) of each YAML document of a file."""
    starts: list[int] = []
    pending = True
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    separator = 0  # line of the last `---` with no content after it yet
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("---"):
            if pending and separator:
                starts.append(separator)  # an empty document between two separators still counts
            pending, separator = True, number
            continue
        if pending and line.strip() and not line.lstrip().startswith("#"):
            starts.append(number)
            pending, separator = False, 0
    return starts


def split_source(source: str) -> tuple[str, int] | None:
    match = re.fullmatch(r"(.+?):(\d+)", source)
    return (match.group(1), int(match.group(2))) if match else None


# -- json ----------------------------------------------------------------------------------------------

def as_json(deltas: list[Delta], meta: dict[str, Any]) -> str:
    """The stable schema documented in docs/report-schema.json."""
    prod, local = labels(meta)
    document = {
        "schema": SCHEMA_VERSION,
        "tool": {"name": "devenv", "version": __version__},
        "command": meta.get("command", "report"),
        **{k: meta[k] for k in ("environment", "environment_a", "environment_b", "project") if k in meta},
        "labels": {"prod": prod, "local": local},
        "summary": counts(deltas),
        "gate": gate(deltas, meta.get("fail_on")),
        "deltas": [d.to_dict() for d in deltas],
    }
    return json.dumps(document, indent=2)


# -- table ---------------------------------------------------------------------------------------------

def as_table(deltas: list[Delta], meta: dict[str, Any]) -> str:
    """Grouped by object, most severe first, with reason and hint for each delta; accepted ones apart."""
    if not deltas:
        if meta.get("command") == "diff":
            return f"no differences between '{meta.get('environment_a')}' and '{meta.get('environment_b')}'"
        if meta.get("command") == "verify":
            return f"no drift: project '{meta.get('project')}' runs what was rendered"
        return f"no deltas: the local stack reproduces '{meta.get('environment')}' completely"
    prod, local = labels(meta)
    open_items = [d for d in deltas if not d.accepted]
    accepted = [d for d in deltas if d.accepted]
    lines = _table_groups(open_items, prod, local)
    if accepted:
        lines.append("")
        lines.append(f"accepted ({len(accepted)}):")
        for item in sorted(accepted, key=lambda d: d.sort_key()):
            lines.append(f"  {item.severity:<7} {item.code}  {item.object}  {item.field}")
            lines.append(f"          accepted by {item.accepted_by}: {item.accepted_reason}")
    summary = counts(deltas)
    lines.append(f"\n{summary['total']} deltas ({summary['open']} open, {summary['accepted']} accepted)")
    verdict = gate(deltas, meta.get("fail_on"))
    if verdict["fail_on"]:
        state = f"failed: {verdict['failing']} open at or above" if verdict["failed"] else "passed: nothing open at or above"
        lines.append(f"gate {state} {verdict['fail_on']}")
    return "\n".join(lines)


def _table_groups(deltas: list[Delta], prod: str, local: str) -> list[str]:
    groups: dict[str, list[Delta]] = defaultdict(list)
    for item in deltas:
        groups[str(item.object)].append(item)
    order = sorted(groups, key=lambda k: (-max(d.rank for d in groups[k]), k))
    lines = []
    for key in order:
        lines.append(key)
        for item in sorted(groups[key], key=lambda d: d.sort_key()):
            lines.append(f"  {item.severity:<7} {item.code}  {item.field}")
            if item.prod or item.local:
                lines.append(f"          {prod}: {item.prod}   {local}: {item.local}")
            lines.append(f"          {item.reason}")
            lines.append(f"          hint: {item.hint}")
    return lines


# -- markdown ------------------------------------------------------------------------------------------

def _cell(text: str, width: int = CELL_WIDTH, code_spans: bool = False) -> str:
    """One Markdown table cell: one line, cut to `width`, with Markdown's active characters escaped
    (backticks kept in the catalogue's own words, where they mark commands)."""
    text = " ".join(str(text).split())
    if len(text) > width:
        text = text[: width - 1] + "…"
    for char in ("\\", "|", "*", "_") if code_spans else ("\\", "|", "*", "_", "`"):
        text = text.replace(char, "\\" + char)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def as_markdown(deltas: list[Delta], meta: dict[str, Any]) -> str:
    """For a pull-request comment: counts, then warnings and errors, infos and accepted ones collapsed."""
    prod, local = labels(meta)
    summary = counts(deltas)
    lines = [f"### {_cell(_title(meta), 200)}", ""]
    if meta.get("project") and meta.get("command") != "verify":
        lines[0] += f" (project {_cell(meta['project'])})"
    lines += ["| severity | open | accepted |", "|---|---:|---:|"]
    for severity in reversed(SEVERITIES):
        lines.append(f"| {severity} | {summary['open_by_severity'][severity]} | {summary['accepted_by_severity'][severity]} |")
    lines.append(f"| **total** | **{summary['open']}** | **{summary['accepted']}** |")
    verdict = gate(deltas, meta.get("fail_on"))
    if verdict["fail_on"]:
        lines.append("")
        if verdict["failed"]:
            lines.append(f"**Gate failed**: {verdict['failing']} open delta(s) at or above `{verdict['fail_on']}`.")
        else:
            lines.append(f"**Gate passed**: nothing open at or above `{verdict['fail_on']}`.")
    serious = sorted((d for d in deltas if not d.accepted and d.severity != "info"), key=lambda d: d.sort_key())
    infos = [d for d in deltas if not d.accepted and d.severity == "info"]
    accepted = sorted((d for d in deltas if d.accepted), key=lambda d: d.sort_key())
    if serious:
        lines += ["", "#### Errors and warnings", "",
                  f"| severity | code | object | field | {_cell(prod)} | {_cell(local)} | reason and hint |",
                  "|---|---|---|---|---|---|---|"]
        for item in serious[:MARKDOWN_ROWS]:
            lines.append(f"| {item.severity} | `{item.code}` | {_cell(str(item.object))} | {_cell(item.field, 90)} "
                         f"| {_cell(item.prod, 40)} | {_cell(item.local, 40)} "
                         f"| {_cell(item.reason, 160)}<br>*{_cell(item.hint, 120, code_spans=True)}* |")
        if len(serious) > MARKDOWN_ROWS:
            lines.append(f"\n… and {len(serious) - MARKDOWN_ROWS} more: "
                         "`--format table` or `--format json` lists them all.")
    if infos:
        lines += ["", f"<details><summary>{len(infos)} info delta(s), by code</summary>", "",
                  "| code | reason | objects |", "|---|---|---|"]
        by_code: dict[str, list[Delta]] = defaultdict(list)
        for item in infos:
            by_code[item.code].append(item)
        for code in sorted(by_code):
            objects = sorted({str(d.object) for d in by_code[code]})
            shown = ", ".join(_cell(o) for o in objects[:MARKDOWN_OBJECTS])
            if len(objects) > MARKDOWN_OBJECTS:
                shown += f", +{len(objects) - MARKDOWN_OBJECTS} more"
            entry = CATALOGUE.get(code)
            reason = entry.reason if entry else by_code[code][0].reason
            lines.append(f"| `{code}` ({len(by_code[code])}) | {_cell(reason, 120, code_spans=True)} | {shown} |")
        lines += ["", "</details>"]
    if accepted:
        lines += ["", f"<details><summary>{len(accepted)} accepted delta(s)</summary>", "",
                  "| severity | code | object | field | accepted by | reason |", "|---|---|---|---|---|---|"]
        for item in accepted[:MARKDOWN_ROWS]:
            lines.append(f"| {item.severity} | `{item.code}` | {_cell(str(item.object))} | {_cell(item.field, 90)} "
                         f"| {_cell(item.accepted_by, 60)} | {_cell(item.accepted_reason, 120)} |")
        if len(accepted) > MARKDOWN_ROWS:
            lines.append(f"\n… and {len(accepted) - MARKDOWN_ROWS} more.")
        lines += ["", "</details>"]
    if not deltas:
        lines += ["", "No deltas."]
    return "\n".join(lines) + "\n"


# -- junit ---------------------------------------------------------------------------------------------

def _testcases(deltas: list[Delta]) -> list[tuple[ObjectRef, str, list[Delta]]]:
    grouped: dict[tuple[ObjectRef, str], list[Delta]] = defaultdict(list)
    for item in deltas:
        grouped[(item.object, item.code)].append(item)
    return sorted(((obj, code, items) for (obj, code), items in grouped.items()),
                  key=lambda t: (str(t[0]), t[1]))


def _describe(item: Delta, prod: str, local: str) -> str:
    lines = [f"{item.severity} {item.code} at {item.field or '(object)'}"]
    if item.prod or item.local:
        lines.append(f"  {prod}: {item.prod}")
        lines.append(f"  {local}: {item.local}")
    lines.append(f"  reason: {item.reason}")
    lines.append(f"  hint: {item.hint}")
    if item.accepted:
        lines.append(f"  accepted by {item.accepted_by}: {item.accepted_reason}")
    return "\n".join(lines)


def as_junit(deltas: list[Delta], meta: dict[str, Any]) -> str:
    """One testcase per object and code: failure when it fails the gate (or, without one, is a warning or
    an error), skipped when accepted, passed otherwise (the details in system-out)."""
    prod, local = labels(meta)
    fail_on = meta.get("fail_on")
    cases = _testcases(deltas)
    suite = ET.Element("testsuite", name=_title(meta))
    properties = ET.SubElement(suite, "properties")
    for key, value in (("fail_on", fail_on or ""), ("project", meta.get("project", "")),
                       ("devenv_version", __version__)):
        ET.SubElement(properties, "property", name=key, value=str(value))
    failures = skipped = 0
    for obj, code, items in cases:
        case = ET.SubElement(suite, "testcase", classname=str(obj), name=code)
        text = "\n".join(_describe(d, prod, local) for d in sorted(items, key=lambda d: d.sort_key()))
        failing = [d for d in items if failing_testcase(d, fail_on)]
        if failing:
            failures += 1
            worst = max(failing, key=lambda d: d.rank)
            element = ET.SubElement(case, "failure", type=worst.severity,
                                    message=f"{worst.severity} {code}: {worst.reason}")
            element.text = text
        elif all(d.accepted for d in items):
            skipped += 1
            ET.SubElement(case, "skipped", message=f"accepted by {items[0].accepted_by}: {items[0].accepted_reason}")
        else:
            ET.SubElement(case, "system-out").text = text
    for key, value in (("tests", len(cases)), ("failures", failures), ("errors", 0), ("skipped", skipped)):
        suite.set(key, str(value))
    root = ET.Element("testsuites", name="devenv", tests=str(len(cases)), failures=str(failures), errors="0",
                      skipped=str(skipped))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- sarif ---------------------------------------------------------------------------------------------

def _rule(code: str) -> dict[str, Any]:
    entry = CATALOGUE.get(code)
    name = "".join(part.capitalize() for part in code.split("-"))
    if entry is None:
        return {"id": code, "name": name, "shortDescription": {"text": code}}
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": entry.reason},
        "help": {"text": entry.hint},
        "defaultConfiguration": {"level": SARIF_LEVELS[entry.severity]},
        "properties": {"category": entry.category, "tags": ["devenv", entry.category]},
    }


def as_sarif(deltas: list[Delta], meta: dict[str, Any]) -> str:
    """SARIF 2.1.0: the catalogue's codes as rules; accepted deltas carry an external suppression."""
    prod, local = labels(meta)
    codes = sorted({d.code for d in deltas})
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for item in sorted(deltas, key=lambda d: d.sort_key()):
        location: dict[str, Any] = {"logicalLocations": [{
            "name": item.object.name, "fullyQualifiedName": str(item.object), "kind": "resource"}]}
        where = split_source(item.source)
        if where:
            location["physicalLocation"] = {"artifactLocation": {"uri": where[0]}, "region": {"startLine": where[1]}}
        values = f" ({prod}: {item.prod}; {local}: {item.local})" if item.prod or item.local else ""
        result: dict[str, Any] = {
            "ruleId": item.code,
            "ruleIndex": index[item.code],
            "level": SARIF_LEVELS[item.severity],
            "message": {"text": f"{item.object} {item.field}: {item.reason}{values}. Hint: {item.hint}"},
            "locations": [location],
            "partialFingerprints": {"devenvDelta/v1": hashlib.sha256(
                f"{item.code}|{item.object}|{item.field}".encode()).hexdigest()[:32]},
            "properties": {"severity": item.severity, "category": item.category, "field": item.field,
                           "prod": item.prod, "local": item.local, "source": item.source},
        }
        if item.accepted:
            result["suppressions"] = [{"kind": "external", "status": "accepted",
                                       "justification": f"{item.accepted_reason} ({item.accepted_by})"}]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "devenv", "version": __version__, "rules": [_rule(c) for c in codes]}},
        "automationDetails": {"id": f"{_title(meta)}/"},
        "results": results,
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2)


FORMATS: dict[str, Callable[[list[Delta], dict[str, Any]], str]] = {
    "table": as_table,
    "json": as_json,
    "markdown": as_markdown,
    "junit": as_junit,
    "sarif": as_sarif,
}
