"""Renderers of the delta list: they format, they never decide. Secret values are never in a delta."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any, Callable

from devenv.parity.delta import Delta

SCHEMA_VERSION = 1


def as_json(deltas: list[Delta], meta: dict[str, Any]) -> str:
    return json.dumps({"schema": SCHEMA_VERSION, **meta, "deltas": [d.to_dict() for d in deltas]}, indent=2)


def as_table(deltas: list[Delta], meta: dict[str, Any]) -> str:
    """Grouped by object, most severe first, with reason and hint for each delta."""
    if not deltas:
        return f"no deltas: the local stack reproduces '{meta.get('environment')}' completely"
    groups: dict[str, list[Delta]] = defaultdict(list)
    for item in deltas:
        groups[str(item.object)].append(item)
    order = sorted(groups, key=lambda k: (-max(d.rank for d in groups[k]), k))
    lines = []
    for key in order:
        lines.append(key)
        for item in sorted(groups[key], key=lambda d: d.sort_key()):
            mark = " (accepted)" if item.accepted else ""
            lines.append(f"  {item.severity:<7} {item.code}{mark}  {item.field}")
            if item.prod or item.local:
                lines.append(f"          prod: {item.prod}   local: {item.local}")
            lines.append(f"          {item.reason}")
            lines.append(f"          hint: {item.hint}")
    open_count = sum(1 for d in deltas if not d.accepted)
    lines.append(f"\n{len(deltas)} deltas ({open_count} open, {len(deltas) - open_count} accepted)")
    return "\n".join(lines)


FORMATS: dict[str, Callable[[list[Delta], dict[str, Any]], str]] = {
    "json": as_json,
    "table": as_table,
}
