"""Foreign-key values: every child row gets the key of a parent row that exists (or NULL where the
column allows it). Parents are picked by row index in their table; `TableData` keeps the key
values generated (or read) for each table so children can copy them."""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass, field
from typing import Any

from devenv.seed.generate.rng import IndexPermutation, derive_seed
from devenv.seed.schema.model import ForeignKey
from devenv.seed.spec.model import PerParent


@dataclass
class TableData:
    """What a filled table leaves for the tables after it: its row count and the values of the
    columns other tables reference (all rows, in row order)."""

    name: str
    rows: int = 0
    keys: dict[str, list[Any]] = field(default_factory=dict)

    def append(self, columns: dict[str, list[Any]]) -> None:
        for name, values in columns.items():
            if name in self.keys:
                self.keys[name].extend(values)


class ParentPicker:
    """Picks parent row indices for the rows of a batch. Modes:
    - random: any parent, uniformly (with `null_ratio` NULLs);
    - one_to_one: distinct parents (a permutation), for a unique foreign key;
    - per_parent: the parent fixed by a per-parent distribution (see `PerParentLayout`);
    - offset: distinct parents among the children of one per-parent group (composite keys);
    - digit: the parent is one digit of a mixed-radix index (joint uniqueness, see `JointKey`).
    """

    def __init__(self, fk: ForeignKey, parent: TableData, mode: str = "random", null_ratio: float = 0.0,
                 key: object = None) -> None:
        self.fk, self.parent, self.mode, self.null_ratio = fk, parent, mode, null_ratio
        self.size = parent.rows
        self.perm = IndexPermutation(self.size, key, "one_to_one") if mode == "one_to_one" and self.size else None
        self.layout: PerParentLayout | None = None
        self.offset_key = derive_seed(key, "offset") % max(self.size, 1)
        self.joint: JointKey | None = None
        self.digit = 0

    def pick(self, indices: range, rng: random.Random) -> list[int | None]:
        size = self.size
        if size == 0:
            return [None] * len(indices)
        picked: list[int | None]
        if self.mode == "one_to_one":
            perm = self.perm
            assert perm is not None  # set with the mode
            picked = [perm(i) for i in indices]
        elif self.mode == "per_parent":
            assert self.layout is not None  # set with the mode
            parent_of = self.layout.parent_of
            picked = [parent_of[i] for i in indices]
        elif self.mode == "offset":
            layout, base = self.layout, self.offset_key
            assert layout is not None  # set with the mode
            picked = [(base + layout.parent_of[i] * 7919 + layout.ordinal[i]) % size for i in indices]
        elif self.mode == "digit":
            joint = self.joint
            assert joint is not None  # set with the mode
            picked = [joint.digit(i, self.digit) for i in indices]
        else:
            rnd = rng.random
            picked = [int(rnd() * size) for _ in indices]
        if self.null_ratio > 0:
            rnd = random.Random(rng.getrandbits(64)).random
            ratio = self.null_ratio
            picked = [None if rnd() < ratio else p for p in picked]
        return picked

    def values(self, picked: list[int | None]) -> dict[str, list[Any]]:
        """The child columns' values for the picked parent rows."""
        out = {}
        for column, ref in zip(self.fk.columns, self.fk.ref_columns):
            keys = self.parent.keys[ref]
            out[column] = [None if p is None else keys[p] for p in picked]
        return out


class SelfPicker:
    """A self-reference: row i points at an earlier row (a forest), row 0 at itself when the
    column cannot be NULL, so rows can be inserted in order."""

    def __init__(self, fk: ForeignKey, table: TableData, nullable: bool, null_ratio: float) -> None:
        self.fk, self.table, self.nullable, self.null_ratio = fk, table, nullable, null_ratio

    def values(self, indices: range, rng: random.Random) -> dict[str, list[Any]]:
        rnd = rng.random
        picked: list[int | None] = []
        for i in indices:
            if i == 0:
                picked.append(None if self.nullable else 0)
            elif self.nullable and rnd() < self.null_ratio:
                picked.append(None)
            else:
                picked.append(int(rnd() * i))
        out = {}
        for column, ref in zip(self.fk.columns, self.fk.ref_columns):
            keys = self.table.keys[ref]
            out[column] = [None if p is None else keys[p] for p in picked]
        return out


class PerParentLayout:
    """Children grouped by parent: parent p gets counts[p] consecutive rows."""

    def __init__(self, per_parent: PerParent, parents: int, cap: int | None, seed_parts: tuple[object, ...]) -> None:
        rng = random.Random(derive_seed(*seed_parts, "per_parent"))
        high = per_parent.max if cap is None else min(per_parent.max, cap)
        low = min(per_parent.min, high)
        counts = [_draw(per_parent, rng, low, high) for _ in range(parents)]
        self.parent_of = array("q")
        self.ordinal = array("q")
        for parent, count in enumerate(counts):
            self.parent_of.extend([parent] * count)
            self.ordinal.extend(range(count))
        self.rows = len(self.parent_of)


def _draw(per_parent: PerParent, rng: random.Random, low: int, high: int) -> int:
    kind = per_parent.distribution
    if kind == "uniform":
        value = low + int(rng.random() * (high - low + 1))
    elif kind == "weights":
        assert per_parent.weights is not None  # the spec parser requires them for this distribution
        weights = per_parent.weights[: high - low + 1]
        value = rng.choices(range(per_parent.min, per_parent.min + len(weights)), weights)[0]
    elif kind == "poisson":
        mean = max(per_parent.mean or 0.0, 0.0)
        if mean > 30:
            value = round(rng.gauss(mean, math.sqrt(mean)))
        else:
            limit, value, product = math.exp(-mean), 0, rng.random()
            while product > limit:
                value += 1
                product *= rng.random()
    else:  # geometric: a long tail above `low` with the given mean
        extra = max((per_parent.mean or low) - low, 0.0)
        if extra <= 0:
            value = low
        else:
            p = 1.0 / (extra + 1.0)
            value = low + int(math.log(1.0 - rng.random()) / math.log(1.0 - p))
    return max(low, min(high, value))


class JointKey:
    """Distinct combinations for a composite unique key whose parts each have a finite domain
    (parent rows, enum values): row i gets the digits of perm(i) in the mixed radix of the sizes."""

    def __init__(self, sizes: list[int], key: object) -> None:
        self.sizes = sizes
        self.total = math.prod(sizes) if sizes else 0
        self.perm = IndexPermutation(max(self.total, 1), key, "joint")
        self._cache_index = -1
        self._cache_digits: list[int] = []

    def digits(self, i: int) -> list[int]:
        if i != self._cache_index:
            k = self.perm(i)
            digits = []
            for size in reversed(self.sizes):
                k, d = divmod(k, size)
                digits.append(d)
            self._cache_digits = digits[::-1]
            self._cache_index = i
        return self._cache_digits

    def digit(self, i: int, position: int) -> int:
        return self.digits(i)[position]
