"""PostgreSQL: COPY ... FROM STDIN through psycopg 3, TRUNCATE ... CASCADE, sequences moved past
the keys written."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import psycopg
from sqlalchemy import text

from devenv.seed.loaders.base import Converter, Loader, database_failure, to_json
from devenv.seed.schema import Table


class PostgresLoader(Loader):
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

    def load(self, table: Table, columns: list[str], batches: Iterable[list[tuple]],
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
               rows: list[tuple]) -> None:
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
