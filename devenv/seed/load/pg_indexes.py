"""PostgreSQL indexes set aside while a table is filled, as pg_restore loads a dump: a table's
primary key, unique constraints and plain indexes are dropped before its rows are copied and
made again right after, one sorted build each instead of a b-tree insertion per row (COPY into
a keyed table takes about twice as long). The rebuild checks uniqueness over every row, so a
duplicate still fails the run, inside its transaction.

Only what can be made again exactly is set aside: an index nothing else depends on (no view on
a primary key, no foreign key left), in the default tablespace, without a comment, per-column
statistics target, replica identity or CLUSTER mark, on a plain table (partitioned indexes
stay). Everything else keeps its index while loading, as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

# Indexes of the tables named (`tree` as in postgres._TREE), with the constraint each backs.
_FIND = (
    "SELECT COALESCE(pg_partition_root(i.indrelid), i.indrelid)::bigint, i.indrelid::regclass::text, "
    "i.indexrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), pg_get_indexdef(i.indexrelid) "
    "FROM pg_index i JOIN tree ON tree.oid = i.indrelid "
    "JOIN pg_class t ON t.oid = i.indrelid AND t.relkind = 'r' "
    "JOIN pg_class x ON x.oid = i.indexrelid AND x.reltablespace = 0 "
    "LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid "
    "WHERE i.indisvalid AND i.indisready AND i.indislive AND NOT i.indisreplident AND NOT i.indisclustered "
    "AND (c.oid IS NULL OR (c.contype IN ('p', 'u') AND c.conname = x.relname "
    "     AND obj_description(c.oid, 'pg_constraint') IS NULL "
    "     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_constraint'::regclass "
    "                     AND d.refobjid = c.oid AND NOT (d.classid = 'pg_class'::regclass "
    "                     AND d.objid = i.indexrelid)))) "
    "AND NOT EXISTS (SELECT 1 FROM pg_constraint o WHERE o.conindid = i.indexrelid AND o.oid IS DISTINCT FROM c.oid) "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass "
    "                AND d.refobjid = i.indexrelid) "
    "AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid OR h.inhparent = i.indexrelid) "
    "AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0) "
    "AND obj_description(i.indexrelid, 'pg_class') IS NULL "
    "ORDER BY 2, 3"
)


@dataclass(frozen=True)
class SetAside:
    """One index dropped: how to make it again (a constraint, or the index definition)."""

    table: int  # the loaded table it belongs to (a partition's index: its root), by oid
    relation: str
    make: str


def set_aside(conn: Connection, tree_sql: str, names: list[str], quote: Callable[[str], str]) -> list[SetAside]:
    """Drop every index of the named tables that can be made again exactly; returns how to."""
    found = conn.execute(text(tree_sql + _FIND), {"names": names}).fetchall()
    out = []
    for table, relation, index, constraint, constraint_def, index_def in found:
        if constraint is not None:
            conn.execute(text(f"ALTER TABLE {relation} DROP CONSTRAINT {quote(constraint)}"))
            make = f"ALTER TABLE {relation} ADD CONSTRAINT {quote(constraint)} {constraint_def}"
        else:
            conn.execute(text(f"DROP INDEX {index}"))
            make = index_def
        out.append(SetAside(int(table), relation, make))
    return out

