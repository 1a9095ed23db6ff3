"""What every bulk loader does; dialect modules fill in the fast paths."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from devenv.errors import RuntimeFailure
from devenv.seed.schema.model import Schema, Table

Converter = Callable[[Any], Any]
Row = tuple[Any, ...]  # one row's values, in the order of the columns being written


@dataclass(frozen=True)
class Encoded:
    """A batch of `count` rows as the loader writes them (`Loader.encoder`): COPY text for
    PostgreSQL, converted rows elsewhere. Made in the thread that makes the rows."""

    count: int
    data: Any


class Loader:
    """Writes rows into one database inside the caller's transaction."""

    #: whether foreign keys are set aside while loading (so rows may come in any order)
    sets_foreign_keys_aside = False

    def __init__(self, conn: Connection, schema: Schema) -> None:
        self.conn = conn
        self.schema = schema
        self.preparer = conn.dialect.identifier_preparer
        self.masking = False  # set by a masking run: failures then get masking hints

    def failure(self, exc: Exception, table: str, what: str = "loading") -> RuntimeFailure:
        return database_failure(exc, table, what, self.masking)

    @property
    def driver(self) -> Any:
        """The driver's own connection (psycopg, PyMySQL, sqlite3), in the same transaction."""
        return self.conn.connection.driver_connection

    def quote(self, name: str) -> str:
        return self.preparer.quote(name)

    def table_sql(self, name: str) -> str:
        if self.schema.schema:
            return f"{self.preparer.quote_schema(self.schema.schema)}.{self.quote(name)}"
        return self.quote(name)

    def has_rows(self, name: str) -> bool:
        result = self.conn.execute(text(f"SELECT 1 FROM {self.table_sql(name)} LIMIT 1"))
        return result.first() is not None

    def read_keys(self, name: str, columns: Iterable[str]) -> dict[str, list[Any]]:
        """Every row's values of `columns` (the keys of a table the spec skips)."""
        cols = list(columns)
        if not cols:
            return {}
        order = ", ".join(self.quote(c) for c in cols)
        result = self.conn.execute(text(f"SELECT {order} FROM {self.table_sql(name)} ORDER BY {order}"))
        rows = result.fetchall()
        return {c: [row[i] for row in rows] for i, c in enumerate(cols)}

    def count(self, name: str) -> int:
        return int(self.conn.execute(text(f"SELECT COUNT(*) FROM {self.table_sql(name)}")).scalar_one())

    def converters(self, table: Table, columns: list[str]) -> list[Converter | None]:
        """Per column, a function turning generated values into what the driver accepts."""
        return [None for _ in columns]

    def encoder(self, table: Table, columns: list[str]) -> Callable[[list[Row]], Any]:
        """How a batch of rows for `columns` of `table` becomes what `load` writes."""
        converters = self.converters(table, columns)
        return lambda rows: self.convert(rows, converters)

    def takes_copy_text(self, table: Table, columns: list[str]) -> bool:
        """Whether `column_encoder` takes columns already made as PostgreSQL COPY text."""
        return False

    def column_encoder(self, table: Table, columns: list[str],
                       formatted: frozenset[str] = frozenset()) -> Callable[[list[list[Any]]], Any]:
        """Like `encoder`, for a batch given as one list of values per column (generated rows
        are made that way: loaders writing column by column, as COPY text, skip making rows).
        `formatted`: columns given as COPY text already (when `takes_copy_text`)."""
        encode = self.encoder(table, columns)
        return lambda values: encode(list(zip(*values)))

    def convert(self, rows: list[Row], converters: list[Converter | None]) -> list[Row]:
        active = [(i, fn) for i, fn in enumerate(converters) if fn is not None]
        if not active:
            return rows
        out = []
        for row in rows:
            values = list(row)
            for i, fn in active:
                if values[i] is not None:
                    values[i] = fn(values[i])
            out.append(tuple(values))
        return out

    # the operations
    def truncate(self, tables: list[str]) -> None:
        raise NotImplementedError

    def load(self, table: Table, columns: list[str], batches: Iterable[Encoded],
             on_batch: Callable[[int], None]) -> int:
        """Write the encoded batches into `table`; `on_batch(rows so far)` after each."""
        raise NotImplementedError

    def update(self, table: Table, key_columns: tuple[str, ...], set_columns: tuple[str, ...],
               rows: list[Row]) -> None:
        """Set `set_columns` on the rows identified by `key_columns` (rows are key values, then
        set values). The portable way; dialects may do it faster."""
        assignments = ", ".join(f"{self.quote(c)} = :s{i}" for i, c in enumerate(set_columns))
        where = " AND ".join(f"{self.quote(c)} = :k{i}" for i, c in enumerate(key_columns))
        statement = text(f"UPDATE {self.table_sql(table.name)} SET {assignments} WHERE {where}")
        nkeys = len(key_columns)
        params = [
            {**{f"k{i}": row[i] for i in range(nkeys)}, **{f"s{i}": row[nkeys + i] for i in range(len(set_columns))}}
            for row in rows
        ]
        self.conn.execute(statement, params)

    def begin(self, tables: list[str]) -> None:
        """Before loading `tables` (already empty): e.g. set bulk-load conditions."""

    def rebuild_per_table(self, tables: list[str], kept: set[str]) -> None:
        """For a loader that sets foreign keys (and indexes) aside: make each table's again as
        soon as it is loaded (`loaded`), except keys joining `kept` tables (their rows change later)."""

    def loaded(self, table: str) -> None:
        """After every row of `table` is written (the pipeline calls it table by table)."""

    def finish(self, tables: list[Table]) -> None:
        """After loading: e.g. move sequences past the keys written."""


def to_json(value: Any) -> Any:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def database_failure(exc: Exception, table: str, what: str = "loading", masking: bool = False) -> RuntimeFailure:
    """A RuntimeFailure for a driver error while `what`-ing `table`: the database's first line in
    the message, the rest of its words (DETAIL, CONTEXT...) as details, each said once."""
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    first = message[0] if message else exc.__class__.__name__
    hint = ("a masking rule made a value the constraint refuses: give the column another rule in [mask.rules] "
            "(keep, constant, null...) or fix the source's data" if masking else
            "the spec's generators disagree with a constraint: override the column in the spec, "
            "or report the schema if it should have been understood")
    verb = "masked" if masking else "seeded"
    return RuntimeFailure(f"the database refused the {verb} rows: {first}", f"table {table}", hint,
                          details="\n".join(line for line in message[1:] if line.strip()))


__all__ = ["Converter", "DBAPIError", "Encoded", "Loader", "Row", "database_failure", "to_json"]
