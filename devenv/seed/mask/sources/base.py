"""What every source of masked data offers: its tables, their columns and their rows, read only."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any


class Source:
    """Tables, their columns and their rows (values as found: typed from a database, text from
    a dump or CSV, None for NULL)."""

    where = ""

    def tables(self) -> list[str]:
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        raise NotImplementedError

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        raise NotImplementedError

    def sample(self, table: str, size: int) -> list[tuple[Any, ...]]:
        """The first `size` rows of `table`."""
        return list(islice(self.rows(table), size))

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the source (a database connection)."""
