"""Dates, datetimes, times of day and intervals."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from itertools import repeat
from operator import add, itemgetter
from typing import Any, TypeVar

import numpy as np

from devenv.seed.generate.draws import below
from devenv.seed.generate.generators.base import Batch, Generator
from devenv.seed.generate.rng import IndexPermutation

_Moment = TypeVar("_Moment", dt.datetime, dt.date)  # both bounds of one range have one type


def _utc_from_seconds(seconds: float) -> dt.datetime:
    """A naive UTC datetime `seconds` after 1970 (what utcfromtimestamp does, without its warning)."""
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).replace(tzinfo=None)


# The fast way where it exists without a deprecation warning (Python 3.11); the same values either way.
_UTC_FROM_SECONDS: Callable[[float], dt.datetime] = (
    dt.datetime.utcfromtimestamp if sys.version_info < (3, 12) else _utc_from_seconds)
_EPOCH = dt.datetime(1970, 1, 1)
_CLOCK: list[str] = []  # "00:00:00" .. "23:59:59", made on first use
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


def _clock() -> list[str]:
    if not _CLOCK:
        sixty = [f"{n:02d}" for n in range(60)]
        minutes = [f"{m}:{s}" for m in sixty for s in sixty]
        _CLOCK.extend(f"{h:02d}:{ms}" for h in range(24) for ms in minutes)
    return _CLOCK


class TimeRange(Generator):
    """Datetimes (or dates) in [low, high], at whole seconds (days for dates); unique ones
    step from `low` by a permuted index. Datetimes with a time zone come out as naive UTC (the
    loaders write them as UTC: cheaper to make and to write than zoned ones, same instants)."""

    def __init__(self, low: _Moment, high: _Moment, as_date: bool, unique_key: object = None) -> None:
        self.as_date = as_date
        if isinstance(low, dt.datetime) and isinstance(high, dt.datetime) and low.tzinfo is not None:
            low = low.astimezone(dt.timezone.utc).replace(tzinfo=None)
            high = high.astimezone(dt.timezone.utc).replace(tzinfo=None)
        self.low: dt.datetime | dt.date = low
        step = dt.timedelta(days=1) if as_date else dt.timedelta(seconds=1)
        self.step = step
        self.width = max(1, int((high - low) / step) + 1)
        self.perm = IndexPermutation(self.width, unique_key) if unique_key is not None else None
        self.unique = self.perm is not None
        self.as_text = False  # set by a table whose loader takes ISO text and whose checks never read it
        self._days: list[str] = []

    def text_ok(self) -> bool:
        """Whether the values can come as text: whole seconds from a whole-second start, over a
        range of days small enough to keep every day's text (a few centuries)."""
        days = self.width if self.as_date else self.width // 86_400
        return days <= 200_000 and (self.as_date or (isinstance(self.low, dt.datetime) and not self.low.microsecond))

    def generate(self, batch: Batch) -> list[Any]:
        low, width = self.low, self.width
        if self.perm is not None:
            offsets = self.perm.many(batch.indices)
        else:
            offsets = below(batch.rng, batch.count, width)
        if self.as_text:
            return self._texts(offsets)
        if self.as_date:
            return list(map(dt.date.fromordinal, map(low.toordinal().__add__, offsets)))
        assert isinstance(low, dt.datetime)  # not a date range
        start = (low - _EPOCH).total_seconds()
        try:
            return list(map(_UTC_FROM_SECONDS, map(start.__add__, offsets)))
        except (OverflowError, OSError, ValueError):  # beyond what the platform's clock functions take
            return [low + dt.timedelta(seconds=o) for o in offsets]

    def _day_texts(self, first: int, suffix: str) -> list[str]:
        """ISO day texts from ordinal `first` over the whole range, made once."""
        if not self._days:
            count = self.width if self.as_date else (self.width + 86_399) // 86_400 + 1
            self._days = [dt.date.fromordinal(first + d).isoformat() + suffix for d in range(count)]
        return self._days

    def _texts(self, offsets: list[int]) -> list[str]:
        """The same values as ISO text ("2024-05-06 07:08:09", "2024-05-06"): a day text and a
        clock text picked from tables, without making a datetime per value."""
        low = self.low
        if self.as_date:
            return list(map(self._day_texts(low.toordinal(), "").__getitem__, offsets))
        assert isinstance(low, dt.datetime)  # not a date range
        days, clock = self._day_texts(low.toordinal(), " "), _clock()
        start = low.hour * 3600 + low.minute * 60 + low.second
        if start + self.width < 2**62:  # day and second of day for every value at once
            day, second = np.divmod(np.array(offsets, dtype=np.int64) + start, 86_400)
            return list(map(add, map(days.__getitem__, day.tolist()), map(clock.__getitem__, second.tolist())))
        split = list(map(divmod, map(start.__add__, offsets), repeat(86_400)))
        return list(map(add, map(days.__getitem__, map(_FIRST, split)), map(clock.__getitem__, map(_SECOND, split))))


class TimeOfDay(Generator):
    def generate(self, batch: Batch) -> list[Any]:
        rnd = batch.rng.random
        return [dt.time(*divmod(int(rnd() * 1440), 60)) for _ in range(batch.count)]


class IntervalGen(Generator):
    def generate(self, batch: Batch) -> list[Any]:
        rnd = batch.rng.random
        return [dt.timedelta(minutes=int(rnd() * 10080)) for _ in range(batch.count)]
