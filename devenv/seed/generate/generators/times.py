"""Dates, datetimes, times of day and intervals."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from devenv.seed.generate.generators.base import Batch, Generator
from devenv.seed.generate.rng import IndexPermutation

_Moment = TypeVar("_Moment", dt.datetime, dt.date)  # both bounds of one range have one type


class TimeRange(Generator):
    """Datetimes (or dates) in [low, high], at whole seconds (days for dates); unique ones
    step from `low` by a permuted index."""

    def __init__(self, low: _Moment, high: _Moment, as_date: bool, unique_key: object = None) -> None:
        self.as_date = as_date
        self.low: dt.datetime | dt.date = low
        step = dt.timedelta(days=1) if as_date else dt.timedelta(seconds=1)
        self.step = step
        self.width = max(1, int((high - low) / step) + 1)
        self.perm = IndexPermutation(self.width, unique_key) if unique_key is not None else None
        self.unique = self.perm is not None

    def generate(self, batch: Batch) -> list[Any]:
        low, width = self.low, self.width
        if self.perm is not None:
            offsets = [self.perm(i) for i in batch.indices]
        else:
            rnd = batch.rng.random
            offsets = [int(rnd() * width) for _ in range(batch.count)]
        if self.as_date:
            return [low + dt.timedelta(days=o) for o in offsets]
        return [low + dt.timedelta(seconds=o) for o in offsets]


class TimeOfDay(Generator):
    def generate(self, batch: Batch) -> list[Any]:
        rnd = batch.rng.random
        return [dt.time(*divmod(int(rnd() * 1440), 60)) for _ in range(batch.count)]


class IntervalGen(Generator):
    def generate(self, batch: Batch) -> list[Any]:
        rnd = batch.rng.random
        return [dt.timedelta(minutes=int(rnd() * 10080)) for _ in range(batch.count)]
