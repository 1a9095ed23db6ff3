"""The Markdown report, for a pull-request comment: counts, then warnings and errors; infos and accepted
deltas collapsed."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from devenv.model.catalogue import CATALOGUE
from devenv.model.delta import SEVERITIES, Delta
from devenv.parity.formats.common import counts, gate, labels, title

MARKDOWN_ROWS = 50  # warnings and errors listed in a Markdown report before "... and N more"
MARKDOWN_OBJECTS = 8  # objects named per info code before "+N more"
CELL_WIDTH = 80


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
    lines = [f"### {_cell(title(meta), 200)}", ""]
    if meta.get("project") and meta.get("command") != "verify":
        lines[0] += f" (project {_cell(meta['project'])})"
    lines += ["| severity | open | accepted |", "|---|---:|---:|"]
    for severity in reversed(SEVERITIES):
        open_count, accepted_count = summary["open_by_severity"][severity], summary["accepted_by_severity"][severity]
        lines.append(f"| {severity} | {open_count} | {accepted_count} |")
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
        lines += _serious(serious, prod, local)
    if infos:
        lines += _infos(infos)
    if accepted:
        lines += _accepted(accepted)
    if not deltas:
        lines += ["", "No deltas."]
    return "\n".join(lines) + "\n"


def _serious(serious: list[Delta], prod: str, local: str) -> list[str]:
    lines = ["", "#### Errors and warnings", "",
             f"| severity | code | object | field | {_cell(prod)} | {_cell(local)} | reason and hint |",
             "|---|---|---|---|---|---|---|"]
    for item in serious[:MARKDOWN_ROWS]:
        lines.append(f"| {item.severity} | `{item.code}` | {_cell(str(item.object))} | {_cell(item.field, 90)} "
                     f"| {_cell(item.prod, 40)} | {_cell(item.local, 40)} "
                     f"| {_cell(item.reason, 160)}<br>*{_cell(item.hint, 120, code_spans=True)}* |")
    if len(serious) > MARKDOWN_ROWS:
        lines.append(f"\n… and {len(serious) - MARKDOWN_ROWS} more: "
                     "`--format table` or `--format json` lists them all.")
    return lines


def _infos(infos: list[Delta]) -> list[str]:
    lines = ["", f"<details><summary>{len(infos)} info delta(s), by code</summary>", "",
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
    return lines + ["", "</details>"]


def _accepted(accepted: list[Delta]) -> list[str]:
    lines = ["", f"<details><summary>{len(accepted)} accepted delta(s)</summary>", "",
             "| severity | code | object | field | accepted by | reason |", "|---|---|---|---|---|---|"]
    for item in accepted[:MARKDOWN_ROWS]:
        lines.append(f"| {item.severity} | `{item.code}` | {_cell(str(item.object))} | {_cell(item.field, 90)} "
                     f"| {_cell(item.accepted_by, 60)} | {_cell(item.accepted_reason, 120)} |")
    if len(accepted) > MARKDOWN_ROWS:
        lines.append(f"\n… and {len(accepted) - MARKDOWN_ROWS} more.")
    return lines + ["", "</details>"]
