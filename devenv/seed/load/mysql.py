"""MySQL and MariaDB: multi-row INSERT through PyMySQL (its executemany packs rows into
statements of up to a megabyte); truncation with foreign-key checks paused, children included."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from devenv.seed.load.base import Converter, Encoded, Loader, to_json
from devenv.seed.schema.model import Table


def _naive_utc(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _uuid_text(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


class MySQLLoader(Loader):
    def truncate(self, tables: list[str]) -> None:
        if not tables:
            return
        closure = set(tables)
        changed = True
        while changed:  # CASCADE semantics: also empty the tables that reference emptied ones
            changed = False
            for name, table in self.schema.tables.items():
                if name not in closure and any(fk.ref_table in closure for fk in table.foreign_keys):
                    closure.add(name)
                    changed = True
        self.conn.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        try:
            for name in sorted(closure):
                self.conn.execute(text(f"TRUNCATE TABLE {self.table_sql(name)}"))
        finally:
            self.conn.execute(text("SET FOREIGN_KEY_CHECKS = 1"))

    def converters(self, table: Table, columns: list[str]) -> list[Converter | None]:
        out: list[Converter | None] = []
        for name in columns:
            kind = table.column(name).kind
            out.append({"json": to_json, "datetime": _naive_utc, "uuid": _uuid_text, "array": to_json}.get(kind))
        return out

    def load(self, table: Table, columns: list[str], batches: Iterable[Encoded],
             on_batch: Callable[[int], None]) -> int:
        placeholders = ", ".join(["%s"] * len(columns))
        statement = (f"INSERT INTO {self.table_sql(table.name)} ({', '.join(self.quote(c) for c in columns)}) "
                     f"VALUES ({placeholders})")
        written = 0
        try:
            with self.driver.cursor() as cursor:
                for batch in batches:
                    cursor.executemany(statement, batch.data)
                    written += batch.count
                    on_batch(written)
        except DBAPIError as exc:
            raise self.failure(exc, table.name) from exc
        except Exception as exc:  # PyMySQL's own errors do not derive from SQLAlchemy's
            if exc.__class__.__module__.startswith("pymysql"):
                raise self.failure(exc, table.name) from exc
            raise
        return written
