"""Loading many tables with generation and loading overlapped across them: one worker thread
plans each table, makes its batches and encodes them for the loader (COPY text for PostgreSQL),
table after table, while this thread hands the bytes to the database. The next table's rows are
being made while the database still takes the last one's, so neither side waits at a table's
edge. Tables are still made one after another, in order, so the data never changes."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from devenv.seed.generate.table import ColumnBatch
from devenv.seed.load.base import Encoded, Loader, Row
from devenv.seed.load.prefetch import prefetched
from devenv.seed.schema.model import Table

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Job:
    """One table to load. `start()` runs in the worker, in order, after every earlier job's
    batches are made: it returns the columns written, the batches and the expected row count."""

    table: Table
    start: Callable[[], tuple[list[str], Iterator[list[Row]] | Iterator[ColumnBatch], int]]


@dataclass(frozen=True)
class _Begin:
    job: Job
    columns: list[str]
    total: int


_END = object()


def load_all(loader: Loader, jobs: list[Job], progress: Progress | None) -> dict[str, tuple[int, float]]:
    """Load every job's rows through `loader`; returns rows written and seconds per table."""

    def produce() -> Iterator[object]:
        for job in jobs:
            columns, batches, total = job.start()
            encode = loader.encoder(job.table, columns)
            encoders: dict[frozenset[str], Callable[[list[list[Any]]], Any]] = {}
            yield _Begin(job, columns, total)
            for batch in batches:
                if isinstance(batch, ColumnBatch):
                    if batch.formatted not in encoders:
                        encoders[batch.formatted] = loader.column_encoder(job.table, columns, batch.formatted)
                    yield Encoded(batch.count, encoders[batch.formatted](batch.columns))
                else:
                    yield Encoded(len(batch), encode(batch))
            yield _END

    done: dict[str, tuple[int, float]] = {}
    with _fewer_collections(), prefetched(produce()) as ready:
        for begin in ready:
            assert isinstance(begin, _Begin)  # the worker yields a _Begin before each table's batches
            name, started = begin.job.table.name, time.perf_counter()
            if progress:
                progress(name, 0, begin.total)
            written = loader.load(begin.job.table, begin.columns, _until_end(ready),
                                  _reporter(progress, name, begin.total))
            loader.loaded(name)
            done[name] = (written, time.perf_counter() - started)
    return done


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector runs every 700 new containers; a batch makes tens of
    thousands of row tuples that hold no cycle. Collecting far less often while loading saves a
    fifth to a third of the time spent making rows; the usual thresholds come back after."""
    thresholds = gc.get_threshold()
    gc.set_threshold(200_000, thresholds[1], thresholds[2])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _until_end(ready: Iterator[object]) -> Iterator[Encoded]:
    for item in ready:
        if item is _END:
            return
        assert isinstance(item, Encoded)  # between a _Begin and the _END only batches come
        yield item


def _reporter(progress: Progress | None, name: str, total: int) -> Callable[[int], None]:
    """The loader's per-batch callback: `progress` for this table (its total grows with the rows
    when a source could not count them first), or nothing."""
    if not progress:
        return _ignore
    report = progress
    return lambda done: report(name, done, max(total, done))


def _ignore(_: int) -> None:
    return None
