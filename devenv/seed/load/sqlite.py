"""SQLite: executemany in one transaction, values stored the way SQLAlchemy reads them back."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from devenv.seed.load.base import Converter, Encoded, Loader, to_json
from devenv.seed.schema.fill_order import make_plan
from devenv.seed.schema.model import Table


def _datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value.isoformat(" ")
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else value


def _scalar(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):
        return _datetime(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (dict, list)):
        return to_json(value)
    return value


class SQLiteLoader(Loader):
    def truncate(self, tables: list[str]) -> None:
        order = make_plan(self.schema, [t for t in tables if t in self.schema.tables]).order
        for name in reversed(order):  # children first
            self.conn.execute(text(f"DELETE FROM {self.table_sql(name)}"))

    def converters(self, table: Table, columns: list[str]) -> list[Converter | None]:
        out: list[Converter | None] = []
        for name in columns:
            kind = table.column(name).kind
            if kind == "uuid":
                out.append(lambda v: v.hex if isinstance(v, uuid.UUID) else v)
            elif kind in ("date", "datetime", "time"):
                out.append(_datetime)
            elif kind in ("json", "array"):
                out.append(to_json)
            elif kind in ("decimal", "interval", "other"):
                out.append(_scalar)
            else:
                out.append(None)
        return out

    def load(self, table: Table, columns: list[str], batches: Iterable[Encoded],
             on_batch: Callable[[int], None]) -> int:
        statement = (f"INSERT INTO {self.table_sql(table.name)} ({', '.join(self.quote(c) for c in columns)}) "
                     f"VALUES ({', '.join('?' for _ in columns)})")
        written = 0
        cursor = self.driver.cursor()
        try:
            for batch in batches:
                cursor.executemany(statement, batch.data)
                written += batch.count
                on_batch(written)
        except sqlite3.Error as exc:
            raise self.failure(exc, table.name) from exc
        finally:
            cursor.close()
        return written
