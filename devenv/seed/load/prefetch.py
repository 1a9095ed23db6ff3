"""Making the next batch while the database takes the last one: batches come from a worker
thread through a small queue. Generation is Python (it holds the GIL); sending and the server's
work are not, so on two cores PostgreSQL ingests while the next rows are made instead of taking
turns. Batches still come in order, made by one thread, so the data never changes."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
DEPTH = 16  # batches made ahead (each ~10,000 rows, ~0.5 MB of COPY text): room to keep making rows while
# the database builds the last table's indexes and checks its foreign keys
_DONE = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


@contextmanager
def prefetched(items: Iterable[T], depth: int = DEPTH) -> Iterator[Iterator[T]]:
    """`items`, produced by a worker thread up to `depth` ahead. An error in the worker is raised
    in the consumer; leaving the block early stops the worker."""
    ready: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            put(_Failed(error))

    worker = threading.Thread(target=work, name="devenv-seed-batches", daemon=True)
    worker.start()

    def consume() -> Iterator[T]:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]  # anything else is one of `items`

    try:
        yield consume()
    finally:
        stop.set()
        worker.join()
