"""What a seeded PostgreSQL database must pass before an application can use it, checked by
PostgreSQL itself: every foreign key and check constraint re-validated over all rows, every
sequence past the largest value of every column drawing from it, every partition holding rows,
and a row inserted with its keys left to their defaults in every table that has such keys."""

from __future__ import annotations

import datetime as dt
import itertools

import psycopg
from psycopg import sql

_FRESH = itertools.count(1)  # new values for unique text columns


def plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def execute(url: str, statement: str) -> None:
    """Run SQL on the database at `url` (autocommit)."""
    with psycopg.connect(plain(url), autocommit=True) as conn:
        conn.execute(statement)


def fetch(url: str, query: str) -> list[tuple]:
    """The rows a query returns from the database at `url`."""
    with psycopg.connect(plain(url)) as conn:
        return conn.execute(query).fetchall()


def revalidate_constraints(url: str) -> int:
    """Drop and re-add every foreign key and check constraint (PostgreSQL checks every row when
    one is added), in a transaction rolled back afterwards; returns how many were checked."""
    with psycopg.connect(plain(url)) as conn:
        found = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('f', 'c') AND conrelid <> 0 AND conparentid = 0 AND NOT coninhcount > 0 "
            "ORDER BY contype DESC, 1, 2").fetchall()
        for table, name, definition in found:
            conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.SQL(table), sql.Identifier(name)))
        for table, name, definition in found:
            conn.execute(sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(table), sql.Identifier(name), sql.SQL(definition)))
        assert conn.execute("SELECT COUNT(*) FROM pg_constraint WHERE NOT convalidated").fetchone()[0] == 0
        conn.rollback()
    return len(found)


def sequences_behind(url: str) -> list[str]:
    """Every (sequence, table.column) whose next value is not past the column's largest value."""
    behind = []
    with psycopg.connect(plain(url)) as conn:
        uses = conn.execute("""
            SELECT d.refobjid::regclass::text, a.attrelid::regclass::text, a.attname FROM pg_attrdef ad
            JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
             AND d.refclassid = 'pg_class'::regclass
            JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
            JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
            JOIN pg_class r ON r.oid = a.attrelid AND NOT r.relispartition
            UNION
            SELECT d.objid::regclass::text, d.refobjid::regclass::text, a.attname FROM pg_depend d
            JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')""").fetchall()
        assert uses, "no sequence found: the check would prove nothing"
        for sequence, table, column in uses:
            last, called = conn.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(
                sql.SQL(sequence))).fetchone()
            top = conn.execute(sql.SQL("SELECT MAX({}) FROM {}").format(
                sql.Identifier(column), sql.SQL(table))).fetchone()[0]
            following = last + 1 if called else last
            if top is not None and following <= top:
                behind.append(f"{sequence} -> {table}.{column}: next {following}, max {top}")
    return behind


def empty_partitions(url: str) -> list[str]:
    """Leaf partitions without a row (and, to prove the check ran, fails when there are none)."""
    with psycopg.connect(plain(url)) as conn:
        leaves = [r[0] for r in conn.execute(
            "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relispartition AND c.relkind = 'r'")]
        assert leaves, "no partition found: the check would prove nothing"
        return [leaf for leaf in leaves
                if conn.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.SQL(leaf))).fetchone()[0] == 0]


def insert_with_default_keys(url: str) -> list[str]:
    """In every table with a key column filled by a sequence or identity, insert a copy of one of
    its rows with those columns left to their defaults (other unique columns given new values,
    a unique foreign key a parent of its own); returns the tables tried. Raises on any failure."""
    tried = []
    with psycopg.connect(plain(url)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1")]
        for table in tables:
            if _defaulted_keys(conn, table):
                _insert_copy(conn, table, depth=0)
                tried.append(table)
        conn.rollback()
    assert tried, "no table with default keys: the check would prove nothing"
    return tried


def _defaulted_keys(conn: psycopg.Connection, table: str) -> list[str]:
    return [r[0] for r in conn.execute("""
        SELECT a.attname FROM pg_attribute a JOIN pg_index i ON i.indrelid = a.attrelid AND a.attnum = ANY(i.indkey)
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = %s::regclass AND i.indisunique
          AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%%')""", (table,))]


def _insert_copy(conn: psycopg.Connection, table: str, depth: int) -> dict[str, object]:
    """Insert a copy of a row of `table` with defaulted keys; returns the new row."""
    defaulted = set(_defaulted_keys(conn, table))
    columns = [r for r in conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod), attgenerated FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum", (table,))]
    names = [name for name, _, generated in columns if name not in defaulted and not generated]
    row = conn.execute(sql.SQL("SELECT {} FROM {} LIMIT 1").format(
        sql.SQL(", ").join(map(sql.Identifier, names)), sql.Identifier(table))).fetchone()
    assert row is not None, f"{table} has no row"
    values = dict(zip(names, row))
    types = {name: type_ for name, type_, _ in columns}
    for key in _unique_keys(conn, table):
        if set(key) & defaulted:
            continue  # a new default key makes it unique already
        _make_unique(conn, table, key, values, types, depth)
    inserted = conn.execute(sql.SQL("INSERT INTO {} ({}) VALUES ({}) RETURNING *").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(sql.Placeholder() * len(names))), list(values.values()))
    description = [d.name for d in inserted.description]
    return dict(zip(description, inserted.fetchone()))


def _unique_keys(conn: psycopg.Connection, table: str) -> list[list[str]]:
    return [r[0] for r in conn.execute("""
        SELECT array_agg(a.attname ORDER BY k.n) FROM pg_index i
        CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = %s::regclass AND i.indisunique GROUP BY i.indexrelid""", (table,))]


def _make_unique(conn: psycopg.Connection, table: str, key: list[str], values: dict[str, object],
                 types: dict[str, str], depth: int) -> None:
    fks = conn.execute("""
        SELECT c.confrelid::regclass::text,
               array(SELECT attname FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY k.i),
               array(SELECT attname FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                     JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY k.i)
        FROM pg_constraint c WHERE c.conrelid = %s::regclass AND c.contype = 'f'""", (table,)).fetchall()
    for name in key:
        type_ = types[name]
        if any(name in columns for _, columns, _ in fks):
            continue
        if type_.startswith(("text", "character")):
            values[name] = f"x{next(_FRESH)}"
            return
        if type_.startswith(("integer", "bigint", "smallint", "numeric")):
            values[name] = conn.execute(sql.SQL("SELECT MAX({}) + 1 FROM {}").format(
                sql.Identifier(name), sql.Identifier(table))).fetchone()[0]
            return
        if type_.startswith(("timestamp", "date")):
            latest = conn.execute(sql.SQL("SELECT MAX({}) FROM {}").format(
                sql.Identifier(name), sql.Identifier(table))).fetchone()[0]
            values[name] = latest + (dt.timedelta(microseconds=1) if type_.startswith("timestamp")
                                     else dt.timedelta(days=1))
            return
    for parent, columns, refs in fks:  # only foreign keys in the key: a one-to-one key, a new parent
        if set(columns) <= set(key) and depth < 3 and parent != table:
            row = _insert_copy(conn, parent, depth + 1)
            for column, ref in zip(columns, refs):
                values[column] = row[ref]
            return
    raise AssertionError(f"cannot make ({', '.join(key)}) of {table} unique for the insert")
