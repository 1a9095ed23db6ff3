"""Value generators: each makes a whole batch of one column at once from a seeded `random.Random`.

A generator is a pure function of (row indices, rng): the same batch gives the same values on every
run. Generators marked `unique` give distinct values for distinct row indices by construction
(derived from the row index through a keyed bijection), never by retrying.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from devenv.seed.patterns import RegexPattern, Template
from devenv.seed.pools import LETTERS, SAFE_EMAIL_DOMAINS, Pools
from devenv.seed.rng import (
    IndexPermutation,
    base36,
    base36_width,
    derive_seed,
    mix_bits,
)


@dataclass(frozen=True)
class Batch:
    start: int  # 0-based index of the batch's first row in its table
    count: int
    rng: random.Random

    @property
    def indices(self) -> range:
        return range(self.start, self.start + self.count)


class Generator:
    """Makes `batch.count` values. `unique`: distinct for distinct row indices.
    `domain`: the finite list of values it draws from, when it has one."""

    unique = False
    domain: Sequence[Any] | None = None

    def generate(self, batch: Batch) -> list:
        raise NotImplementedError


class Constant(Generator):
    def __init__(self, value: Any) -> None:
        self.value = value
        self.domain = (value,)

    def generate(self, batch: Batch) -> list:
        return [self.value] * batch.count


class Choice(Generator):
    def __init__(self, values: Sequence[Any], weights: Sequence[float] | None = None) -> None:
        self.values = list(values)
        self.weights = list(weights) if weights else None
        self.domain = self.values

    def generate(self, batch: Batch) -> list:
        return batch.rng.choices(self.values, self.weights, k=batch.count)


class Nth(Generator):
    """Distinct elements of a finite domain, one per row index (a keyed permutation)."""

    unique = True

    def __init__(self, values: Sequence[Any], key: object) -> None:
        self.values = list(values)
        self.perm = IndexPermutation(len(self.values), key)

    def generate(self, batch: Batch) -> list:
        values, perm = self.values, self.perm
        return [values[perm(i)] for i in batch.indices]


class IntRange(Generator):
    def __init__(self, low: int, high: int) -> None:
        self.low, self.width = low, high - low + 1

    def generate(self, batch: Batch) -> list:
        low, width, rnd = self.low, self.width, batch.rng.random
        if width < 2**52:
            return [low + int(rnd() * width) for _ in range(batch.count)]
        bits = batch.rng.getrandbits
        return [low + bits(63) % width for _ in range(batch.count)]


class Sequential(Generator):
    """start, start+1, ...: the natural values of an auto-increment key."""

    unique = True

    def __init__(self, start: int = 1) -> None:
        self.start = start

    def generate(self, batch: Batch) -> list:
        return list(range(batch.start + self.start, batch.start + self.start + batch.count))


class UniqueInt(Generator):
    unique = True

    def __init__(self, low: int, high: int, key: object) -> None:
        self.low = low
        self.perm = IndexPermutation(high - low + 1, key)

    def generate(self, batch: Batch) -> list:
        low, perm = self.low, self.perm
        return [low + perm(i) for i in batch.indices]


class FloatRange(Generator):
    def __init__(self, low: float, high: float, digits: int = 4) -> None:
        self.low, self.span, self.digits = float(low), float(high) - float(low), digits

    def generate(self, batch: Batch) -> list:
        low, span, rnd, digits = self.low, self.span, batch.rng.random, self.digits
        return [round(low + rnd() * span, digits) for _ in range(batch.count)]


class DecimalRange(Generator):
    """Decimals with `scale` digits in [low, high], drawn as integers of the smallest unit."""

    def __init__(self, low: Decimal, high: Decimal, scale: int, unique_key: object = None) -> None:
        self.scale = scale
        self.unit_low = int((Decimal(low) * 10**scale).to_integral_value(rounding="ROUND_CEILING"))
        unit_high = int((Decimal(high) * 10**scale).to_integral_value(rounding="ROUND_FLOOR"))
        self.width = max(1, unit_high - self.unit_low + 1)
        self.perm = IndexPermutation(self.width, unique_key) if unique_key is not None else None
        self.unique = self.perm is not None

    def generate(self, batch: Batch) -> list:
        low, width, scale = self.unit_low, self.width, self.scale
        if self.perm is not None:
            units = [low + self.perm(i) for i in batch.indices]
        else:
            rnd = batch.rng.random
            units = [low + int(rnd() * width) for _ in range(batch.count)]
        return [Decimal(u).scaleb(-scale) for u in units]


class TimeRange(Generator):
    """Datetimes (or dates) in [low, high], at whole seconds (days for dates); unique ones
    step from `low` by a permuted index."""

    def __init__(self, low: dt.datetime | dt.date, high: dt.datetime | dt.date, as_date: bool,
                 unique_key: object = None) -> None:
        self.as_date = as_date
        self.low = low
        step = dt.timedelta(days=1) if as_date else dt.timedelta(seconds=1)
        self.step = step
        self.width = max(1, int((high - low) / step) + 1)
        self.perm = IndexPermutation(self.width, unique_key) if unique_key is not None else None
        self.unique = self.perm is not None

    def generate(self, batch: Batch) -> list:
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
    def generate(self, batch: Batch) -> list:
        rnd = batch.rng.random
        return [dt.time(*divmod(int(rnd() * 1440), 60)) for _ in range(batch.count)]


class IntervalGen(Generator):
    def generate(self, batch: Batch) -> list:
        rnd = batch.rng.random
        return [dt.timedelta(minutes=int(rnd() * 10080)) for _ in range(batch.count)]


class Boolean(Generator):
    def __init__(self, p_true: float = 0.5) -> None:
        self.p_true = p_true
        self.domain = (False, True)

    def generate(self, batch: Batch) -> list:
        p, rnd = self.p_true, batch.rng.random
        return [rnd() < p for _ in range(batch.count)]


class PoolChoice(Generator):
    """Values sampled from a pool (Faker-made or fixed); truncated to `max_length`."""

    def __init__(self, pool: Sequence[Any], max_length: int | None = None) -> None:
        values = list(pool)
        if max_length:
            values = [v[:max_length].rstrip() or v[:max_length] if isinstance(v, str) else v for v in values]
        self.values = values

    def generate(self, batch: Batch) -> list:
        return batch.rng.choices(self.values, k=batch.count)


class Joined(Generator):
    """Values made of parts drawn from pools: `fmt.format(*parts)`, e.g. "{0} {1}" for full names."""

    def __init__(self, fmt: str, pools: Sequence[Sequence[str]], max_length: int | None = None) -> None:
        self.fmt, self.pools, self.max_length = fmt, [list(p) for p in pools], max_length

    def generate(self, batch: Batch) -> list:
        columns = [batch.rng.choices(pool, k=batch.count) for pool in self.pools]
        fmt = self.fmt.format
        values = [fmt(*parts) for parts in zip(*columns)]
        if self.max_length:
            limit = self.max_length
            values = [v[:limit] for v in values]
        return values


class Email(Generator):
    """first.last@example.(com|net|org). Unique mode appends a permuted index: `anna.kim.4k2@...`,
    distinct because the index part is a bijection of the row index."""

    def __init__(self, pools: Pools, unique_key: object = None, rows: int = 0, max_length: int | None = None) -> None:
        self.first, self.last = pools.email_locals()
        self.perm = IndexPermutation(max(rows, 1), unique_key) if unique_key is not None else None
        self.width = base36_width(max(rows, 1))
        self.unique = self.perm is not None
        self.max_length = max_length

    def generate(self, batch: Batch) -> list:
        rng = batch.rng
        firsts = rng.choices(self.first, k=batch.count)
        lasts = rng.choices(self.last, k=batch.count)
        domains = rng.choices(SAFE_EMAIL_DOMAINS, k=batch.count)
        if self.perm is None:
            values = [f"{f}.{l}@{d}" for f, l, d in zip(firsts, lasts, domains)]
        else:
            perm, width = self.perm, self.width
            values = [f"{f}.{l}.{base36(perm(i), width)}@{d}"
                      for f, l, d, i in zip(firsts, lasts, domains, batch.indices)]
        return _fit(values, self.max_length, keep_tail=True)


class Phone(Generator):
    """North-American-style numbers in the fictional 555-01xx range when unique is not needed;
    unique mode encodes a permuted index in the subscriber digits."""

    def __init__(self, unique_key: object = None, rows: int = 0, max_length: int | None = None) -> None:
        size = 10 ** max(7, len(str(max(rows, 1))))
        self.perm = IndexPermutation(size, unique_key) if unique_key is not None else None
        self.unique = self.perm is not None
        self.max_length = max_length

    def generate(self, batch: Batch) -> list:
        rnd = batch.rng.random
        if self.perm is None:
            values = [f"+1-{200 + int(rnd() * 800)}-555-01{int(rnd() * 100):02d}" for _ in range(batch.count)]
        else:
            perm = self.perm
            values = []
            for i in batch.indices:
                digits = f"{perm(i):07d}"
                values.append(f"+1-{digits[:-7] or '555'}-{digits[-7:-4]}-{digits[-4:]}")
        return _fit(values, self.max_length, keep_tail=True)


class IndexedText(Generator):
    """Unique text: a base value (from `inner`) with a permuted base-36 index as suffix, trimmed
    from the base so the suffix always survives the column length."""

    unique = True

    def __init__(self, inner: Generator, rows: int, key: object, max_length: int | None,
                 sep: str = "-") -> None:
        self.inner, self.sep, self.max_length = inner, sep, max_length
        self.perm = IndexPermutation(max(rows, 1), key)
        self.width = base36_width(max(rows, 1))

    @property
    def min_length(self) -> int:
        return self.width

    def generate(self, batch: Batch) -> list:
        base = self.inner.generate(batch)
        perm, width, sep = self.perm, self.width, self.sep
        suffixes = [base36(perm(i), width) for i in batch.indices]
        if self.max_length is None:
            return [f"{b}{sep}{s}" for b, s in zip(base, suffixes)]
        room = self.max_length - width - len(sep)
        if room <= 0:
            return suffixes
        return [f"{str(b)[:room]}{sep}{s}" for b, s in zip(base, suffixes)]


class Uuid(Generator):
    """Version-4-shaped UUIDs. The first 48 bits are a keyed bijection of the row index (so they
    never collide); the rest is random."""

    unique = True

    def __init__(self, key: object, as_string: bool = False) -> None:
        self.key = derive_seed("uuid", key) & ((1 << 48) - 1)
        self.as_string = as_string

    def generate(self, batch: Batch) -> list:
        bits, key = batch.rng.getrandbits, self.key
        out = []
        for i in batch.indices:
            value = (mix_bits(i, 48, key) << 80) | bits(80)
            value = (value & ~(0xF << 76)) | (0x4 << 76)  # version 4
            value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
            out.append(uuid.UUID(int=value))
        return [str(u) for u in out] if self.as_string else out


class HexToken(Generator):
    """Hex strings (password hashes, API tokens); unique ones start with a bijection of the index."""

    def __init__(self, length: int, unique_key: object = None) -> None:
        self.length = max(1, length)
        self.key = derive_seed("hex", unique_key) if unique_key is not None else None
        self.unique = self.key is not None

    def generate(self, batch: Batch) -> list:
        bits, length = batch.rng.getrandbits, self.length
        if self.key is None:
            return [f"{bits(length * 4):0{length}x}" for _ in range(batch.count)]
        head = min(length, 16)  # a bijection of the index over the first `head` hex digits
        key, rest = self.key & ((1 << (4 * head)) - 1), length - head
        if not rest:
            return [f"{mix_bits(i, 4 * head, key):0{head}x}" for i in batch.indices]
        return [f"{mix_bits(i, 4 * head, key):0{head}x}{bits(4 * rest):0{rest}x}" for i in batch.indices]


class JsonDoc(Generator):
    """Small JSON objects: a few typed keys, enough to exercise JSON-reading code."""

    KEYS = ("source", "channel", "score", "tags", "verified")

    def __init__(self, pools: Pools, as_text: bool = False) -> None:
        self.words = pools.get("word")
        self.as_text = as_text

    def generate(self, batch: Batch) -> list:
        rnd, words = batch.rng.random, self.words
        out = []
        for _ in range(batch.count):
            doc = {
                "source": words[int(rnd() * len(words))],
                "score": int(rnd() * 100),
                "tags": [words[int(rnd() * len(words))] for _ in range(int(rnd() * 3))],
                "verified": rnd() < 0.5,
            }
            out.append(json.dumps(doc, sort_keys=True) if self.as_text else doc)
        return out


class RegexGen(Generator):
    def __init__(self, pattern: RegexPattern, unique_key: object = None, rows: int = 0) -> None:
        self.pattern = pattern
        self.perm = IndexPermutation(pattern.size, unique_key) if unique_key is not None and pattern.size >= max(rows, 1) else None
        self.unique = self.perm is not None

    def generate(self, batch: Batch) -> list:
        if self.perm is not None:
            nth, perm = self.pattern.nth, self.perm
            return [nth(perm(i)) for i in batch.indices]
        sample, rng = self.pattern.sample, batch.rng
        return [sample(rng) for _ in range(batch.count)]


class TemplateGen(Generator):
    def __init__(self, template: Template, pools: Pools, where: str) -> None:
        self.template = template
        self.pools = {name: pools.get(name, where=where) for name in template.providers}
        self.unique = template.indexed

    def generate(self, batch: Batch) -> list:
        drawn = {name: batch.rng.choices(pool, k=batch.count) for name, pool in self.pools.items()}
        fmt = self.template.text.format
        out = []
        for offset, i in enumerate(batch.indices):
            fields = {name: values[offset] for name, values in drawn.items()}
            out.append(fmt(n=i + 1, i=i, **fields))
        return out


class Slug(Generator):
    def __init__(self, pools: Pools, max_length: int | None = None) -> None:
        self.words = [w for w in pools.get("word") if w.isalpha()] or ["item"]
        self.max_length = max_length

    def generate(self, batch: Batch) -> list:
        rng = batch.rng
        a = rng.choices(self.words, k=batch.count)
        b = rng.choices(self.words, k=batch.count)
        return _fit([f"{x}-{y}" for x, y in zip(a, b)], self.max_length)


class Letters(Generator):
    """Random lower-case words of `low`..`high` letters (the fallback for short codes)."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = max(1, low), max(1, high)

    def generate(self, batch: Batch) -> list:
        rng = batch.rng
        return ["".join(rng.choices(LETTERS, k=rng.randint(self.low, self.high))) for _ in range(batch.count)]


class Bytes(Generator):
    def __init__(self, length: int = 16) -> None:
        self.length = length

    def generate(self, batch: Batch) -> list:
        bits, length = batch.rng.getrandbits, self.length
        return [bits(length * 8).to_bytes(length, "big") for _ in range(batch.count)]


class WithNulls(Generator):
    """`inner`'s values with a share `ratio` replaced by NULL (None)."""

    def __init__(self, inner: Generator, ratio: float) -> None:
        self.inner, self.ratio = inner, ratio
        self.unique = inner.unique
        self.domain = inner.domain

    def generate(self, batch: Batch) -> list:
        values = self.inner.generate(batch)
        ratio = self.ratio
        if ratio <= 0:
            return values
        nulls = random.Random(batch.rng.getrandbits(64)).random
        return [None if nulls() < ratio else v for v in values]


def _fit(values: list[str], max_length: int | None, keep_tail: bool = False) -> list[str]:
    """Values cut to `max_length`; with `keep_tail`, the end survives (the domain of an e-mail,
    the unique suffix), the head is shortened."""
    if not max_length:
        return values
    if keep_tail:
        return [v if len(v) <= max_length else v[len(v) - max_length:] for v in values]
    return [v[:max_length] for v in values]


def as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]
