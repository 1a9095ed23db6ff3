"""A folder of CSV files, one `<table>.csv` each, with a header row."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from devenv.errors import InputError
from devenv.seed.mask.sources.base import Source


class CsvSource(Source):
    """`<table>.csv` files with a header row. `\\N` is NULL; so is an empty field, except that
    text columns keep it as an empty string (decided when values are typed)."""

    def __init__(self, folder: Path) -> None:
        if not folder.is_dir():
            raise InputError(f"not a folder of CSV files: {folder}", "mask.source.csv")
        self.folder = folder
        self.where = str(folder)
        self._files = {p.stem: p for p in sorted(folder.glob("*.csv"))}

    def tables(self) -> list[str]:
        return sorted(self._files)

    def columns(self, table: str) -> list[str]:
        with self._files[table].open(newline="", encoding="utf-8") as handle:
            return next(csv.reader(handle), [])

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        with self._files[table].open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for row in reader:
                yield tuple(None if v == "\\N" else v for v in row)
