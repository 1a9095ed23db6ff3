"""Numbers: integer, float and decimal ranges, auto-increment sequences, unique integers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from devenv.seed.generate.draws import below, below_array
from devenv.seed.generate.generators.base import Batch, Generator
from devenv.seed.generate.pools import Pools
from devenv.seed.generate.rng import IndexPermutation


class IntRange(Generator):
    def __init__(self, low: int, high: int) -> None:
        self.low, self.width = low, high - low + 1
        self._texts: list[str] | None = None  # the texts of every value, in COPY text mode

    def as_copy_text(self, pools: Pools) -> bool:
        if self.width > _TABULATED or self.width >= 2**52:
            return False
        self._texts = [str(self.low + offset) for offset in range(self.width)]
        return True

    def generate(self, batch: Batch) -> list[Any]:
        low, width = self.low, self.width
        if self._texts is not None:
            return list(map(self._texts.__getitem__, below(batch.rng, batch.count, width)))
        if width < 2**52 and -(2**62) < low < 2**62:
            return (below_array(batch.rng, batch.count, width) + low).tolist()  # type: ignore[no-any-return]
        if width < 2**52:
            rnd = batch.rng.random
            return [low + int(rnd() * width) for _ in range(batch.count)]
        bits = batch.rng.getrandbits
        return [low + bits(63) % width for _ in range(batch.count)]


class Sequential(Generator):
    """start, start+1, ...: the natural values of an auto-increment key."""

    unique = True

    def __init__(self, start: int = 1) -> None:
        self.start = start
        self._pools: Pools | None = None  # in COPY text mode: where the numbers' texts are

    def as_copy_text(self, pools: Pools) -> bool:
        if self.start < 0:
            return False
        self._pools = pools
        return True

    def generate(self, batch: Batch) -> list[Any]:
        first, stop = batch.start + self.start, batch.start + self.start + batch.count
        texts = self._pools.int_texts(stop) if self._pools is not None else None
        if texts is not None:
            return texts[first:stop]
        values = range(first, stop)
        return list(map(str, values)) if self._pools is not None else list(values)


class UniqueInt(Generator):
    unique = True

    def __init__(self, low: int, high: int, key: object) -> None:
        self.low = low
        self.perm = IndexPermutation(high - low + 1, key)

    def generate(self, batch: Batch) -> list[Any]:
        low, perm = self.low, self.perm
        return [low + n for n in perm.many(batch.indices)]


class FloatRange(Generator):
    def __init__(self, low: float, high: float, digits: int = 4) -> None:
        self.low, self.span, self.digits = float(low), float(high) - float(low), digits

    def generate(self, batch: Batch) -> list[Any]:
        low, span, rnd, digits = self.low, self.span, batch.rng.random, self.digits
        return [round(low + rnd() * span, digits) for _ in range(batch.count)]


_TABULATED = 100_000


class DecimalRange(Generator):
    """Decimals with `scale` digits in [low, high], drawn as integers of the smallest unit."""

    def __init__(self, low: Decimal, high: Decimal, scale: int, unique_key: object = None) -> None:
        self.scale = scale
        self.unit_low = int((Decimal(low) * 10**scale).to_integral_value(rounding="ROUND_CEILING"))
        unit_high = int((Decimal(high) * 10**scale).to_integral_value(rounding="ROUND_FLOOR"))
        self.width = max(1, unit_high - self.unit_low + 1)
        self.perm = IndexPermutation(self.width, unique_key) if unique_key is not None else None
        self.unique = self.perm is not None
        self._values: list[Decimal] | None = None  # every value, made once, for ranges this small
        self._texts: list[str] | None = None  # their texts, in COPY text mode

    def as_copy_text(self, pools: Pools) -> bool:
        if self.perm is not None or self.width > _TABULATED:
            return False
        low, width, scale = self.unit_low, self.width, self.scale
        self._texts = pools.derived(f"decimal texts {low} {width} {scale}",  # columns of one range share it
                                    lambda: [str(Decimal(low + u).scaleb(-scale)) for u in range(width)])
        return True

    def generate(self, batch: Batch) -> list[Any]:
        low, width, scale = self.unit_low, self.width, self.scale
        if self._texts is not None:
            return list(map(self._texts.__getitem__, below(batch.rng, batch.count, width)))
        if self.perm is None and width <= _TABULATED:
            if self._values is None:
                self._values = [Decimal(low + u).scaleb(-scale) for u in range(width)]
            return list(map(self._values.__getitem__, below(batch.rng, batch.count, width)))  # the same draws as below
        if self.perm is not None:
            units = [low + n for n in self.perm.many(batch.indices)]
        else:
            units = [low + u for u in below(batch.rng, batch.count, width)]
        return [Decimal(u).scaleb(-scale) for u in units]
