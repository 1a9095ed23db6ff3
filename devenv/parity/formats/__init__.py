"""Renderers of the delta list, one module per format: they format, they never decide. Secret values
are never in a delta.

Every renderer takes the same two things: the deltas (acceptance already applied) and `meta`, a dict
with the command (`report`, `diff`, `verify`), the environment or environments, the project, the
gate (`fail_on`, or None) and `labels`, the names of the two sides (`prod` and `local` by default;
for `devenv diff` the two environments). A delta's `source` is filled before, by
`devenv.parity.locations.with_sources`.
"""

from __future__ import annotations

from typing import Any, Callable

from devenv.model.delta import Delta
from devenv.parity.formats.json_report import as_json
from devenv.parity.formats.junit import as_junit
from devenv.parity.formats.markdown import as_markdown
from devenv.parity.formats.sarif import as_sarif
from devenv.parity.formats.table import as_table

#: a renderer: the deltas and the run's `meta` in, the document out
Renderer = Callable[[list[Delta], dict[str, Any]], str]

FORMATS: dict[str, Renderer] = {
    "table": as_table,
    "json": as_json,
    "markdown": as_markdown,
    "junit": as_junit,
    "sarif": as_sarif,
}

__all__ = ["FORMATS", "Renderer", "as_json", "as_junit", "as_markdown", "as_sarif", "as_table"]
