"""Contact details that can never reach anyone: e-mail addresses on documentation domains, phone
numbers in the fictional 555 range (both unique on request)."""

from __future__ import annotations

from operator import add
from typing import Any

from devenv.seed.generate.draws import choices, uniforms
from devenv.seed.generate.generators.base import Batch, Generator, fit
from devenv.seed.generate.pools import SAFE_EMAIL_DOMAINS, Pools
from devenv.seed.generate.rng import IndexPermutation, base36_many, base36_width

_AREAS = [f"+1-{200 + a}-555-01" for a in range(800)]  # +1-AAA-555-01EE: area codes, then the last digits
_ENDS = [f"{e:02d}" for e in range(100)]


class Email(Generator):
    """first.last@example.(com|net|org). Unique mode appends a permuted index: `anna.kim.4k2@...`,
    distinct because the index part is a bijection of the row index."""

    def __init__(self, pools: Pools, unique_key: object = None, rows: int = 0, max_length: int | None = None) -> None:
        self.first, self.last = pools.email_locals()
        self.perm = IndexPermutation(max(rows, 1), unique_key) if unique_key is not None else None
        self.width = base36_width(max(rows, 1))
        self.unique = self.perm is not None
        self.max_length = max_length

    def generate(self, batch: Batch) -> list[Any]:
        rng = batch.rng
        firsts = choices(rng, self.first, batch.count)
        lasts = choices(rng, self.last, batch.count)
        domains = choices(rng, SAFE_EMAIL_DOMAINS, batch.count)
        if self.perm is None:
            values = [f"{f}.{l}@{d}" for f, l, d in zip(firsts, lasts, domains)]
        else:
            perm, width = self.perm, self.width
            tags = base36_many(perm.many(batch.indices), width)
            values = [f"{f}.{l}.{t}@{d}" for f, l, d, t in zip(firsts, lasts, domains, tags)]
        return fit(values, self.max_length, keep_tail=True)


class Phone(Generator):
    """North-American-style numbers in the fictional 555-01xx range when unique is not needed;
    unique mode encodes a permuted index in the subscriber digits."""

    def __init__(self, unique_key: object = None, rows: int = 0, max_length: int | None = None) -> None:
        size = 10 ** max(7, len(str(max(rows, 1))))
        self.perm = IndexPermutation(size, unique_key) if unique_key is not None else None
        self.unique = self.perm is not None
        self.max_length = max_length

    def generate(self, batch: Batch) -> list[Any]:
        if self.perm is None:  # two draws a value: the area code, then the last two digits
            draws = uniforms(batch.rng, 2 * batch.count)
            areas, ends = (draws[0::2] * 800).astype("int64").tolist(), (draws[1::2] * 100).astype("int64").tolist()
            values = list(map(add, map(_AREAS.__getitem__, areas), map(_ENDS.__getitem__, ends)))
        else:
            perm = self.perm
            values = []
            for i in batch.indices:
                digits = f"{perm(i):07d}"
                values.append(f"+1-{digits[:-7] or '555'}-{digits[-7:-4]}-{digits[-4:]}")
        return fit(values, self.max_length, keep_tail=True)
