"""Row-level consistency inside one generated batch: check constraints between columns (`a op b`,
`col <> value`), later timestamps not before earlier ones (`updated_at >= created_at`, read from
the names), and e-mail addresses made from the row's own first and last names."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from devenv.seed.generate.inference import infer_kind
from devenv.seed.schema.constraints import Bound, Compare
from devenv.seed.schema.model import Table
from devenv.seed.spec.model import TableSpec

RowCheck = Compare | Bound  # `left op right` between two columns, or `column <> value`

_ASCII = frozenset("abcdefghijklmnopqrstuvwxyz")
_EARLIER = re.compile(r"^(created(_at|_on)?|start(s|ed)?_(at|on|date)|start_date|begins_at|valid_from|issued_at|"
                      r"ordered_at|placed_at|opened_at)$")
_LATER = re.compile(r"^(updated|modified|changed|end(s|ed)?|finished|completed|closed|shipped|delivered|paid|"
                    r"resolved|cancell?ed|deleted|archived|expires?|valid_until|due)(_at|_on|_date)?$")


def row_checks(table: Table, tspec: TableSpec, generated: Collection[str]) -> list[RowCheck]:
    """The checks every row must pass: the table's comparisons between columns and its `<>`
    bounds, plus a later-named timestamp not before an earlier-named one when neither a check
    nor the spec says otherwise. `generated`: the columns that have a generator."""
    compares: list[RowCheck] = [c for c in table.constraints if isinstance(c, Compare)]
    compares += [Bound(c.column, c.op, c.value) for c in table.constraints
                 if isinstance(c, Bound) and c.op == "<>"]
    explicit = {c.left for c in compares if isinstance(c, Compare)}
    times = [c for c in table.writable if c.kind in ("date", "datetime") and c.name in generated]
    earlier = next((c for c in times if _EARLIER.match(c.name)), None)
    if earlier is not None:
        for column in times:
            if (column.name not in explicit and column is not earlier and _LATER.match(column.name)
                    and column.kind == earlier.kind and column.name not in tspec.columns):
                compares.append(Compare(column.name, ">=", earlier.name))
    return compares


def email_columns(table: Table, tspec: TableSpec, generated: Collection[str]) -> tuple[str, str, str] | None:
    """(email, first, last) columns when a row's e-mail address can be made from its own
    first and last names (all three inferred, none overridden)."""
    def inferred(kind: str) -> str | None:
        for column in table.writable:
            if column.name in generated and column.name not in tspec.columns \
                    and column.kind in ("string", "text") \
                    and infer_kind(table.name, column.name, column.kind) == kind:
                return column.name
        return None
    email, first, last = inferred("email"), inferred("first_name"), inferred("last_name")
    return (email, first, last) if email and first and last else None


def align_emails(table: Table, names: tuple[str, str, str], cols: dict[str, list[Any]]) -> None:
    """Rewrite the e-mail column of `cols` from the same rows' first and last names (see `email_columns`)."""
    email, first, last = names
    limit = table.column(email).max_length
    cleaned: dict[str, str] = {}  # names come from pools: each cleaned once
    out = []
    for address, f, l in zip(cols[email], cols[first], cols[last]):
        if address is None or f is None or l is None:
            out.append(address)
            continue
        local, _, domain = address.partition("@")
        tag = local[local.rindex("."):] if local.count(".") == 2 else ""  # first.last.tag keeps its tag
        a, b = cleaned.get(f), cleaned.get(l)
        if a is None:
            a = cleaned[f] = _ascii(f)
        if b is None:
            b = cleaned[l] = _ascii(l)
        name = f"{a}.{b}" if a and b else a or b or "user"
        value = f"{name}{tag}@{domain}"
        out.append(value if limit is None or len(value) <= limit else value[len(value) - limit:])
    cols[email] = out


def _ascii(name: str) -> str:
    """A name in lower-case ASCII letters only (one half of first.last)."""
    return "".join(ch for ch in name.lower() if ch in _ASCII)


def repair(checks: list[RowCheck], cols: dict[str, list[Any]], count: int, rng: random.Random,
           fk_columns: Collection[str]) -> None:
    """Make row-level checks hold: `a op b` between columns, `col <> value` (foreign keys are left alone)."""
    for check in checks:
        if isinstance(check, Bound):
            values = cols.get(check.column)
            if values is not None:
                cols[check.column] = [_bump(v) if v is not None and v == check.value else v for v in values]
            continue
        left, right = cols.get(check.left), cols.get(check.right)
        if left is None or right is None or check.left in fk_columns:
            continue
        fixed = list(left)
        for i in range(count):
            a, b = left[i], right[i]
            if a is None or b is None or _holds(a, check.op, b):
                continue
            fixed[i] = _after(b, check.op, rng)
        cols[check.left] = fixed


def _holds(a: Any, op: str, b: Any) -> bool:
    try:
        return bool({">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "=": a == b, "<>": a != b}[op])
    except TypeError:
        return True


def _after(b: Any, op: str, rng: random.Random) -> Any:
    """A value standing in relation `op` to `b`."""
    sign = 1 if op in (">", ">=", "<>") else -1
    if op == "=":
        return b
    if isinstance(b, dt.datetime):
        return b + sign * dt.timedelta(seconds=60 + int(rng.random() * 30 * 86400))
    if isinstance(b, dt.date):
        return b + sign * dt.timedelta(days=1 + int(rng.random() * 30))
    if isinstance(b, (int, Decimal)) and not isinstance(b, bool):
        return b + sign * (1 + int(rng.random() * 10))
    if isinstance(b, float):
        return b + sign * (1.0 + rng.random() * 10)
    return b


def _bump(value: Any) -> Any:
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value + 1
    return value
