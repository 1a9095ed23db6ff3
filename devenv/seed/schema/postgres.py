"""What SQLAlchemy's reflection does not say about a PostgreSQL schema: which tables are
partitions of which (and their bounds), and which tables have BEFORE INSERT row triggers (columns
such a trigger fills, like Pagila's tsvector, are left to it).

Partitions are folded into their root: a run seeds and masks through the parent, foreign keys
declared on the partitions count as the parent's, and the bounds become check-like constraints
on the partition key so every generated row finds its partition."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy import text
from sqlalchemy.engine import Connection

from devenv.seed.schema.constraints import Bound, Constraint, InSet
from devenv.seed.schema.model import Table


@dataclass(frozen=True)
class Partition:
    name: str
    root: str  # the partitioned table at the top of the tree
    parent: str  # the table it is attached to (the root, or a partition in between)
    bound: str  # pg_get_expr(relpartbound): FOR VALUES ..., or DEFAULT
    key: str  # the parent's pg_get_partkeydef: RANGE (col), LIST (col), HASH (col)


_NAMESPACE = "n.nspname = COALESCE(CAST(:schema AS text), current_schema())"


def partitions(conn: Connection, schema: str | None) -> list[Partition]:
    rows = conn.execute(text(
        "SELECT c.relname, r.relname, p.relname, pg_get_expr(c.relpartbound, c.oid), pg_get_partkeydef(p.oid) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_inherits i ON i.inhrelid = c.oid JOIN pg_class p ON p.oid = i.inhparent "
        "JOIN pg_class r ON r.oid = pg_partition_root(c.oid) "
        f"WHERE c.relispartition AND c.relkind IN ('r', 'p') AND {_NAMESPACE} ORDER BY c.relname"),
        {"schema": schema}).fetchall()
    return [Partition(*row) for row in rows]


def insert_trigger_tables(conn: Connection, schema: str | None) -> set[str]:
    """Tables with an enabled BEFORE INSERT ... FOR EACH ROW trigger (tgtype bits: row 1, before 2, insert 4)."""
    rows = conn.execute(text(
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE NOT t.tgisinternal AND t.tgenabled <> 'D' AND (t.tgtype & 7) = 7 AND {_NAMESPACE}"),
        {"schema": schema}).fetchall()
    return {row[0] for row in rows}


_LITERAL = re.compile(r"\s*('(?:[^']|'')*'|[^,()\s]+)\s*")


def _literals(inner: str) -> list[str | None]:
    """`'a', 10, MINVALUE, NULL` as values (None for NULL; MINVALUE/MAXVALUE kept as words)."""
    out: list[str | None] = []
    for match in _LITERAL.finditer(inner):
        token = match.group(1)
        if token.startswith("'"):
            out.append(token[1:-1].replace("''", "'"))
        elif token.upper() == "NULL":
            out.append(None)
        else:
            out.append(token)
    return out


def key_column(column_key: str) -> str | None:
    """The one plain column of a partition key ("RANGE (payment_date)"), else None."""
    key = re.fullmatch(r"(?:RANGE|LIST|HASH)\s*\((\"?[A-Za-z_][\w$]*\"?)\)", column_key.strip(), re.IGNORECASE)
    return key.group(1).strip('"') if key else None


def bound_constraints(column_key: str, bounds: list[str]) -> tuple[list[Constraint], str]:
    """The constraints that keep generated rows inside the partitions with `bounds` (the bounds of
    a root's direct partitions, partitioned by `column_key`, e.g. "RANGE (payment_date)"), and a
    note when they cannot all be followed ("" otherwise)."""
    key = re.fullmatch(r"(RANGE|LIST|HASH)\s*\((\"?[A-Za-z_][\w$]*\"?)\)", column_key.strip(), re.IGNORECASE)
    if key is None:
        return [], f"partition key {column_key} is not one plain column: rows are routed by the database alone"
    method, column = key.group(1).upper(), key.group(2).strip('"')
    if method == "HASH" or any(b.strip().upper() == "DEFAULT" for b in bounds):
        return [], ""  # every value has a partition
    if method == "LIST":
        values = [v for b in bounds for v in _literals(b.partition("IN")[2].strip().strip("()"))]
        return [InSet(column, tuple(v for v in values if v is not None))], ""
    ranges: list[tuple[str, str]] = []
    for bound in bounds:
        found = re.match(r"FOR VALUES FROM \((.*)\) TO \((.*)\)$", bound.strip(), re.DOTALL)
        if found is None:
            return [], f"partition bound {bound} not understood"
        low, high = _literals(found.group(1)), _literals(found.group(2))
        if len(low) != 1 or len(high) != 1 or low[0] is None or high[0] is None:
            return [], f"partition bound {bound} spans several columns: rows are routed by the database alone"
        ranges.append((low[0], high[0]))
    return _range_constraints(column, ranges)


def _range_constraints(column: str, ranges: list[tuple[str, str]]) -> tuple[list[Constraint], str]:
    """Contiguous ranges become `column >= first FROM` and `column < last TO`; with gaps between
    them, the longest contiguous run is kept and the note names what stays empty."""
    runs: list[list[tuple[str, str]]] = []
    for low, high in sorted(ranges, key=_sort_key):
        if runs and runs[-1][-1][1] == low:
            runs[-1].append((low, high))
        else:
            runs.append([(low, high)])
    best = max(runs, key=len)
    out: list[Constraint] = []
    if best[0][0].upper() != "MINVALUE":
        out.append(Bound(column, ">=", best[0][0]))
    if best[-1][1].upper() != "MAXVALUE":
        out.append(Bound(column, "<", best[-1][1]))
    note = ""
    if len(runs) > 1:
        note = (f"partitions of {column} are not contiguous: rows go to [{best[0][0]}, {best[-1][1]}) only, "
                f"{sum(len(r) for r in runs) - len(best)} partition(s) stay empty")
    return out, note


def _sort_key(item: tuple[str, str]) -> tuple[int, float | str]:
    low = item[0]
    if low.upper() == "MINVALUE":
        return (0, "")
    try:
        return (1, float(low))
    except ValueError:
        return (2, low)


def fold_partitions(conn: Connection, schema: str | None,
                    tables: dict[str, Table]) -> tuple[dict[str, Table], dict[str, str], list[str]]:
    """`tables` with every partition folded into its root (see the module docstring), the map
    partition -> root, and notes on bounds that could not be followed. Tables with a BEFORE
    INSERT row trigger are marked too."""
    found = partitions(conn, schema)
    roots = {p.name: p.root for p in found}
    notes: list[str] = []
    out = dict(tables)
    for root in sorted({p.root for p in found}):
        if root not in out:
            continue
        table = out[root]
        fks = list(table.foreign_keys)
        for member in (p for p in found if p.root == root and p.name in out):
            for fk in out[member.name].foreign_keys:
                if not any((f.columns, f.ref_table, f.ref_columns) == (fk.columns, fk.ref_table, fk.ref_columns) for f in fks):
                    fks.append(fk)
        direct = [p for p in found if p.parent == root]
        extra, note = bound_constraints(direct[0].key, [p.bound for p in direct]) if direct else ([], "")
        if note:
            notes.append(f"{root}: {note}")
        out[root] = replace(table, foreign_keys=tuple(fks), constraints=table.constraints + tuple(extra),
                            partition_key=key_column(direct[0].key) if direct and extra else None)
    for name in roots:
        out.pop(name, None)
    for name, table in out.items():
        if any(fk.ref_table in roots for fk in table.foreign_keys):
            out[name] = replace(table, foreign_keys=tuple(
                replace(fk, ref_table=roots.get(fk.ref_table, fk.ref_table)) for fk in table.foreign_keys))
    triggered = insert_trigger_tables(conn, schema)
    for name in triggered & set(out):
        out[name] = replace(out[name], insert_triggers=True)
    return out, roots, notes
