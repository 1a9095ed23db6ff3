"""The terminal table: deltas grouped by object, most severe first; accepted ones apart."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from devenv.model.delta import Delta
from devenv.parity.formats.common import counts, gate, labels


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
    lines = _groups(open_items, prod, local)
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
        state = (f"failed: {verdict['failing']} open at or above" if verdict["failed"]
                 else "passed: nothing open at or above")
        lines.append(f"gate {state} {verdict['fail_on']}")
    return "\n".join(lines)


def _groups(deltas: list[Delta], prod: str, local: str) -> list[str]:
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
