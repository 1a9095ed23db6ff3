"""PostgreSQL: COPY ... FROM STDIN through psycopg 3 (batches arrive as COPY text made in the
thread that makes the rows, see `devenv.seed.run.pipeline`), TRUNCATE ... CASCADE, foreign keys
set aside and put back, and every sequence a filled column draws from moved past the values
written, owned by the column or not."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import psycopg
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from devenv.seed.load.base import Converter, Encoded, Loader, Row, to_json
from devenv.seed.load.copy_text import copy_columns, copy_text, formatters
from devenv.seed.load.pg_indexes import SetAside, set_aside
from devenv.seed.schema.model import Schema, Table

# The named tables and, for partitioned ones, every partition under them.
_TREE = ("WITH t AS (SELECT to_regclass(n) AS oid FROM unnest(CAST(:names AS text[])) AS n), "
         "tree AS (SELECT oid FROM t UNION SELECT p.relid FROM t, pg_partition_tree(t.oid) AS p) ")
# Every column drawing from a sequence: through its default (nextval, owned or not), or owned by it.
_USES = ("uses AS (SELECT d.refobjid AS seq, a.attrelid AS rel, a.attname AS col FROM pg_attrdef ad "
         "JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid "
         "AND d.refclassid = 'pg_class'::regclass "
         "JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S' "
         "JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum "
         "UNION SELECT d.objid, d.refobjid, a.attname FROM pg_depend d "
         "JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
         "JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid "
         "WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass "
         "AND d.deptype IN ('a', 'i')) ")


class PostgresLoader(Loader):
    """COPY into the tables with their foreign keys set aside, then put back: adding a foreign
    key checks every row in one pass, far faster than a trigger per row, and the database still
    verifies every reference before the transaction can commit (pg_restore loads the same way)."""

    sets_foreign_keys_aside = True

    def __init__(self, conn: Connection, schema: Schema) -> None:
        super().__init__(conn, schema)
        self._dropped: list[tuple[str, str, str, frozenset[int]]] = []  # ..., the tables it joins (oids)
        self._oids: dict[str, int] = {}  # the run's tables (partitioned ones by their root)
        self._waiting: set[int] | None = None  # tables not loaded yet; None: every key waits for `finish`
        self._kept: set[int] = set()
        self._indexes: list[SetAside] = []  # indexes dropped until their table is loaded  # tables whose rows change after loading: their keys wait for `finish`

    def begin(self, tables: list[str]) -> None:
        # Generated datetimes of zoned columns are naive UTC: read them as UTC in this transaction.
        self.conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
        found = self.conn.execute(text(
            _TREE + "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.convalidated, "
            "COALESCE(pg_partition_root(c.conrelid), c.conrelid)::bigint, "
            "COALESCE(pg_partition_root(c.confrelid), c.confrelid)::bigint FROM pg_constraint c WHERE c.contype = 'f' AND c.conparentid = 0 "
            "AND (c.conrelid IN (SELECT oid FROM tree) OR c.confrelid IN (SELECT oid FROM tree)) ORDER BY 1, 2"),
            {"names": [self.table_sql(t) for t in tables]}).fetchall()
        self._oids = {name: int(oid) for name, oid in zip(tables, self.conn.execute(text(
            "SELECT to_regclass(n)::bigint FROM unnest(CAST(:names AS text[])) WITH ORDINALITY AS u(n, i) ORDER BY i"),
            {"names": [self.table_sql(t) for t in tables]}).scalars())}
        for relation, name, definition, validated, own, referenced in found:
            self.conn.execute(text(f"ALTER TABLE {relation} DROP CONSTRAINT {self.quote(name)}"))
            self._dropped.append((relation, name, definition + ("" if validated else " NOT VALID"),
                                  frozenset((int(own), int(referenced)))))

    def rebuild_per_table(self, tables: list[str], kept: set[str]) -> None:
        """Set the tables' indexes aside too (see `pg_indexes`), and make each table's indexes
        again as soon as it is loaded (see `loaded`), then every foreign key whose tables are all
        loaded: the database builds and checks them while the next tables' rows are still being
        made, instead of at the end. Keys joining a table of `kept` (rows still to change) wait
        for `finish`."""
        self._waiting = {self._oids[t] for t in tables if t in self._oids}
        self._kept = {self._oids[t] for t in kept if t in self._oids}
        self._indexes = set_aside(self.conn, _TREE, [self.table_sql(t) for t in tables], self.quote)

    def loaded(self, table: str) -> None:
        """Its indexes made again, then every foreign key whose tables are all loaded put back."""
        if self._waiting is None or table not in self._oids:
            return
        for index in [i for i in self._indexes if i.table == self._oids[table]]:
            self._make_index(index)
        if self._oids[table] in self._kept:
            return
        self._waiting.discard(self._oids[table])
        for entry in [d for d in self._dropped if not d[3] & self._waiting]:
            self._put_back(entry)

    def truncate(self, tables: list[str]) -> None:
        if tables:
            names = ", ".join(self.table_sql(t) for t in tables)
            self.conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))

    def converters(self, table: Table, columns: list[str]) -> list[Converter | None]:
        out: list[Converter | None] = []
        for name in columns:
            kind = table.column(name).kind
            out.append(to_json if kind == "json" else None)
        return out

    def encoder(self, table: Table, columns: list[str]) -> Callable[[list[Row]], Any]:
        """Batches as COPY text, made a column at a time (see `copy_text`); rows for psycopg to
        adapt when a column's type needs it."""
        fast = formatters(table, columns)
        if fast is None:
            return super().encoder(table, columns)
        return lambda rows: copy_text(rows, fast)

    def takes_copy_text(self, table: Table, columns: list[str]) -> bool:
        return formatters(table, columns) is not None

    def column_encoder(self, table: Table, columns: list[str],
                       formatted: frozenset[str] = frozenset()) -> Callable[[list[list[Any]]], Any]:
        fast = formatters(table, columns)
        if fast is None:
            return super().column_encoder(table, columns)
        given = [name in formatted for name in columns]
        return lambda values: copy_columns(values, fast, given)

    def load(self, table: Table, columns: list[str], batches: Iterable[Encoded],
             on_batch: Callable[[int], None]) -> int:
        """COPY the encoded batches into `table`; a writer thread sends them, so this thread
        only hands bytes over."""
        statement = f"COPY {self.table_sql(table.name)} ({', '.join(self.quote(c) for c in columns)}) FROM STDIN"
        written = 0
        try:
            with self.driver.cursor() as cursor, cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
                for batch in batches:
                    if isinstance(batch.data, bytes):
                        copy.write(batch.data)
                    else:
                        for row in batch.data:
                            copy.write_row(row)
                    written += batch.count
                    on_batch(written)
        except psycopg.Error as exc:
            raise self.failure(exc, table.name) from exc
        return written

    def update(self, table: Table, key_columns: tuple[str, ...], set_columns: tuple[str, ...],
               rows: list[Row]) -> None:
        """COPY the new values into a temporary table, then one UPDATE ... FROM."""
        columns = key_columns + set_columns
        quoted = ", ".join(self.quote(c) for c in columns)
        temp = self.quote(f"_devenv_update_{table.name}")
        try:
            with self.driver.cursor() as cursor:
                cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS "
                               f"SELECT {quoted} FROM {self.table_sql(table.name)} WITH NO DATA")
                with cursor.copy(f"COPY {temp} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                assignments = ", ".join(f"{self.quote(c)} = u.{self.quote(c)}" for c in set_columns)
                match = " AND ".join(f"t.{self.quote(c)} = u.{self.quote(c)}" for c in key_columns)
                cursor.execute(f"UPDATE {self.table_sql(table.name)} AS t SET {assignments} FROM {temp} AS u WHERE {match}")
                cursor.execute(f"DROP TABLE {temp}")
        except psycopg.Error as exc:
            raise self.failure(exc, table.name, "updating") from exc

    def finish(self, tables: list[Table]) -> None:
        while self._indexes:  # before the foreign keys, which need the referenced keys' indexes
            self._make_index(self._indexes[0])
        while self._dropped:
            self._put_back(self._dropped[0])
        self.advance_sequences([t.name for t in tables])

    def _make_index(self, index: SetAside) -> None:
        try:
            self.conn.execute(text(index.make))
        except DBAPIError as exc:
            raise self.failure(exc, index.relation, "checking") from exc
        self._indexes.remove(index)

    def _put_back(self, entry: tuple[str, str, str, frozenset[int]]) -> None:
        relation, name, definition, _ = entry
        try:
            self.conn.execute(text(f"ALTER TABLE {relation} ADD CONSTRAINT {self.quote(name)} {definition}"))
        except DBAPIError as exc:
            raise self.failure(exc, relation, "checking") from exc
        self._dropped.remove(entry)

    def advance_sequences(self, tables: list[str]) -> None:
        """Every sequence a column of `tables` draws from, set past the largest value any column
        drawing from it holds (in any table), so the application's next insert gets a new key."""
        if not tables:
            return
        uses = self.conn.execute(text(
            _TREE + ", " + _USES +
            "SELECT u.seq::regclass::text, u.rel::regclass::text, u.col, q.seqincrement, q.seqmin, q.seqmax "
            "FROM uses u JOIN pg_sequence q ON q.seqrelid = u.seq JOIN pg_class r ON r.oid = u.rel "
            "WHERE u.seq IN (SELECT seq FROM uses WHERE rel IN (SELECT oid FROM tree)) "
            "AND r.relkind IN ('r', 'p') AND NOT r.relispartition ORDER BY 1, 2, 3"),
            {"names": [self.table_sql(t) for t in tables]}).fetchall()
        extremes: dict[str, tuple[int, int, int, list[int]]] = {}
        for sequence, relation, column, increment, low, high in uses:
            pick = "MAX" if increment > 0 else "MIN"
            value = self.conn.execute(text(f"SELECT {pick}({self.quote(column)}) FROM {relation}")).scalar()
            entry = extremes.setdefault(sequence, (increment, low, high, []))
            if value is not None:
                entry[3].append(int(value))
        for sequence, (increment, low, high, values) in extremes.items():
            if not values:
                continue
            value = max(values) if increment > 0 else min(values)
            if low <= value <= high:
                self.conn.execute(text("SELECT setval(CAST(:s AS regclass), :v, true)"), {"s": sequence, "v": value})
            elif (value < low) == (increment > 0):  # every value is before the sequence's start: next is fine
                continue
            else:
                raise self.failure(ValueError(f"sequence {sequence} cannot go past {value} (its limits are "
                                              f"{low}..{high})"), sequence, "advancing")
