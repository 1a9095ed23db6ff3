"""PostgreSQL: COPY ... FROM STDIN through psycopg 3, TRUNCATE ... CASCADE, sequences moved past
the keys written."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from devenv.seed.load.base import Converter, Loader, Row, database_failure, to_json
from devenv.seed.schema.model import Schema, Table


class PostgresLoader(Loader):
    """COPY into the tables with their foreign keys set aside, then put back: adding a foreign
    key checks every row in one pass, far faster than a trigger per row, and the database still
    verifies every reference before the transaction can commit (pg_restore loads the same way)."""

    def __init__(self, conn: Connection, schema: Schema) -> None:
        super().__init__(conn, schema)
        self._dropped: list[tuple[str, str, str]] = []

    def begin(self, tables: list[str]) -> None:
        found = self.conn.execute(text(
            "WITH t AS (SELECT to_regclass(n) AS oid FROM unnest(CAST(:names AS text[])) AS n) "
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid), c.convalidated "
            "FROM pg_constraint c WHERE c.contype = 'f' "
            "AND (c.conrelid IN (SELECT oid FROM t) OR c.confrelid IN (SELECT oid FROM t)) ORDER BY 1, 2"),
            {"names": [self.table_sql(t) for t in tables]}).fetchall()
        for relation, name, definition, validated in found:
            self.conn.execute(text(f"ALTER TABLE {relation} DROP CONSTRAINT {self.quote(name)}"))
            self._dropped.append((relation, name, definition + ("" if validated else " NOT VALID")))

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

    def load(self, table: Table, columns: list[str], batches: Iterable[list[Row]],
             on_batch: Callable[[int], None]) -> int:
        converters = self.converters(table, columns)
        statement = f"COPY {self.table_sql(table.name)} ({', '.join(self.quote(c) for c in columns)}) FROM STDIN"
        written = 0
        try:
            with self.driver.cursor() as cursor, cursor.copy(statement) as copy:
                write_row = copy.write_row
                for batch in batches:
                    for row in self.convert(batch, converters):
                        write_row(row)
                    written += len(batch)
                    on_batch(written)
        except psycopg.Error as exc:
            raise database_failure(exc, table.name) from exc
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
            raise database_failure(exc, table.name, "updating") from exc

    def finish(self, tables: list[Table]) -> None:
        while self._dropped:
            relation, name, definition = self._dropped[0]
            try:
                self.conn.execute(text(f"ALTER TABLE {relation} ADD CONSTRAINT {self.quote(name)} {definition}"))
            except DBAPIError as exc:
                raise database_failure(exc, relation, "checking") from exc
            self._dropped.pop(0)
        for table in tables:
            for column in table.columns:
                if column.autoincrement and column.kind == "int":
                    name = self.table_sql(table.name)
                    col = self.quote(column.name)
                    self.conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX({col}), 0) + 1, false) "
                             f"FROM {name}"),
                        {"t": name, "c": column.name},
                    )
