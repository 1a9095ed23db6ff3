"""Another database, only ever read: a read-only transaction, rows streamed with server-side cursors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from devenv.errors import RuntimeFailure
from devenv.seed.load.connect import engine_for
from devenv.seed.mask.sources.base import Source
from devenv.seed.schema.postgres import partitions


class DatabaseSource(Source):
    """Another database, read in a read-only transaction with server-side cursors."""

    def __init__(self, url: str, schema: str | None) -> None:
        self.where = "masking source database"
        self.engine = engine_for(url)
        try:
            self.conn = self.engine.connect()
            if self.conn.dialect.name == "postgresql":
                self.conn.execute(text("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"))
            elif self.conn.dialect.name in ("mysql", "mariadb"):
                self.conn.execute(text("SET SESSION TRANSACTION READ ONLY"))
            inspector = inspect(self.conn)
            self.schema = schema
            names = set(inspector.get_table_names(schema=schema))
            if self.conn.dialect.name == "postgresql":  # read partitioned tables once, through the parent
                names -= {p.name for p in partitions(self.conn, schema)}
            self._columns = {name: [c["name"] for c in inspector.get_columns(name, schema=schema)]
                             for name in sorted(names)}
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise RuntimeFailure(f"cannot read the masking source: {str(getattr(exc, 'orig', exc)).splitlines()[0]}",
                                 self.where, "check the source URL and that it is reachable", details=str(exc)) from exc
        self.preparer = self.conn.dialect.identifier_preparer

    def tables(self) -> list[str]:
        return sorted(self._columns)

    def columns(self, table: str) -> list[str]:
        return list(self._columns[table])

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        cols = ", ".join(self.preparer.quote(c) for c in self._columns[table])
        name = self.preparer.quote(table)
        if self.schema:
            name = f"{self.preparer.quote_schema(self.schema)}.{name}"
        result = self.conn.execution_options(stream_results=True, yield_per=5000).execute(
            text(f"SELECT {cols} FROM {name}"))
        for row in result:
            yield tuple(row)

    def sample(self, table: str, size: int) -> list[tuple[Any, ...]]:
        cols = ", ".join(self.preparer.quote(c) for c in self._columns[table])
        name = self.preparer.quote(table)
        if self.schema:
            name = f"{self.preparer.quote_schema(self.schema)}.{name}"
        return [tuple(r) for r in self.conn.execute(text(f"SELECT {cols} FROM {name} LIMIT {int(size)}"))]

    def close(self) -> None:
        try:
            self.conn.rollback()
            self.conn.close()
        finally:
            self.engine.dispose()
