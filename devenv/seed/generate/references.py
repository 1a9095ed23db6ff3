"""Foreign-key values: every child row gets the key of a parent row that exists (or NULL where the
column allows it). Parents are picked by row index in their table; `TableData` keeps the key
values generated (or read) for each table so children can copy them."""

from __future__ import annotations

import bisect
import math
import random
from array import array
from dataclasses import dataclass, field
from typing import Any

from devenv.seed.generate.draws import below
from devenv.seed.generate.generators.base import with_nulls
from devenv.seed.generate.pools import Pools
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
    offsets: dict[str, int] = field(default_factory=dict)  # key columns whose value is the row index plus this

    def append(self, columns: dict[str, list[Any]]) -> None:
        for name, values in columns.items():
            if name in self.keys:
                self.keys[name].extend(values)


_SMALL_PARENT = 4096  # parents whose keys' texts stay in the processor's cache


class ParentPicker:
    """Picks parent row indices for the rows of a batch. Modes:
    - random: any parent, uniformly (with `null_ratio` NULLs);
    - one_to_one: distinct parents (a permutation), for a unique foreign key;
    - per_parent: the parent fixed by a per-parent distribution (see `PerParentLayout`);
    - offset: distinct parents among the children of one per-parent group (composite keys);
    - digit: the parent is one digit of a mixed-radix index (joint uniqueness, see `JointKey`);
    - given: a parent whose shared columns equal the values the row already has (a composite
      key sharing a column with another, see `devenv.seed.generate.shared`);
    - grouped: one part of a distinct combination of parents that agree on shared columns
      (see `GroupedJoint`).
    `pool`, when set, lists the parent rows that may be picked (index k of a mode means pool[k]).
    """

    def __init__(self, fk: ForeignKey, parent: TableData, mode: str = "random", null_ratio: float = 0.0,
                 key: object = None) -> None:
        self.fk, self.parent, self.mode, self.null_ratio = fk, parent, mode, null_ratio
        self.key = key
        self.pool: list[int] | None = None
        self.size = parent.rows
        self.perm = IndexPermutation(self.size, key, "one_to_one") if mode == "one_to_one" and self.size else None
        self.layout: PerParentLayout | None = None
        self.offset_key = derive_seed(key, "offset") % max(self.size, 1)
        self.joint: JointKey | None = None
        self.digit = 0
        self.given: tuple[str, ...] = ()  # child columns another picker already filled
        self.writes: tuple[str, ...] = fk.columns  # child columns this picker fills
        self.groups: dict[tuple[Any, ...], list[int]] = {}  # given values -> parent rows
        self.texts: list[str] | None = None  # COPY text mode: the texts of the parent's 1..n keys

    def as_copy_text(self, pools: Pools) -> bool:
        """Give the parent keys' texts instead of the keys (a one-column key numbered 1..n)."""
        offset = self.parent.offsets.get(self.fk.ref_columns[0])
        if len(self.fk.columns) != 1 or offset is None or offset < 0 or self.parent.rows > _SMALL_PARENT:
            return False  # texts picked at random from a long table cost more than printing the keys
        self.texts = pools.int_texts(offset + self.parent.rows)
        return self.texts is not None

    def restrict(self, pool: list[int]) -> None:
        """Pick only among the parent rows in `pool`."""
        self.pool, self.size = pool, len(pool)
        self.offset_key = derive_seed(self.key, "offset") % max(self.size, 1)
        if self.mode == "one_to_one" and self.size:
            self.perm = IndexPermutation(self.size, self.key, "one_to_one")

    def condition(self, given: tuple[str, ...]) -> None:
        """Take the values of `given` (child columns) as set: pick among parents that match them."""
        self.given = given
        self.writes = tuple(c for c in self.fk.columns if c not in given)
        self.mode = "given"

    def group_parents(self, columns: tuple[str, ...]) -> dict[tuple[Any, ...], list[int]]:
        """Parent rows by their values of the parent columns that `columns` (child columns) refer to."""
        refs = [self.parent.keys[self.fk.ref_columns[self.fk.columns.index(c)]] for c in columns]
        groups: dict[tuple[Any, ...], list[int]] = {}
        for row, values in enumerate(zip(*refs)):
            if None not in values:
                groups.setdefault(values, []).append(row)
        return groups

    def pick(self, indices: range, rng: random.Random, cols: dict[str, list[Any]] | None = None) -> list[int | None]:
        size = self.size
        if size == 0 and self.mode != "given":
            return [None] * len(indices)
        picked: list[int | None]
        if self.mode == "given":
            return self._given(len(indices), rng, cols or {})
        if self.mode == "one_to_one":
            perm = self.perm
            assert perm is not None  # set with the mode
            picked = perm.many(indices)  # type: ignore[assignment]  # no None yet
        elif self.mode == "per_parent":
            assert self.layout is not None  # set with the mode
            parent_of = self.layout.parent_of
            return [parent_of[i] for i in indices]  # the layout holds parent rows, never pool indices
        elif self.mode == "offset":
            layout, base = self.layout, self.offset_key
            assert layout is not None  # set with the mode
            picked = [(base + layout.parent_of[i] * 7919 + layout.ordinal[i]) % size for i in indices]
        elif self.mode == "digit":
            joint = self.joint
            assert joint is not None  # set with the mode
            picked = [joint.digit(i, self.digit) for i in indices]
        elif self.mode == "grouped":
            joint, position = self.joint, self.digit
            assert joint is not None  # set with the mode
            return [joint.digit(i, position) for i in indices]  # parent rows, matched on the shared columns
        else:
            picked = below(rng, len(indices), size)  # type: ignore[assignment]  # no None yet
        if self.pool is not None:
            pool = self.pool
            picked = [None if p is None else pool[p] for p in picked]
        if self.null_ratio > 0:
            picked = with_nulls(picked, random.Random(rng.getrandbits(64)), self.null_ratio)
        return picked

    def _given(self, count: int, rng: random.Random, cols: dict[str, list[Any]]) -> list[int | None]:
        rnd, groups = rng.random, self.groups
        nulls = self.null_ratio
        picked: list[int | None] = []
        for values in zip(*(cols[c] for c in self.given)) if self.given else [()] * count:
            candidates = groups.get(values)
            if not candidates or (nulls > 0 and rnd() < nulls):
                picked.append(None)
            else:
                picked.append(candidates[int(rnd() * len(candidates))])
        return picked

    def values(self, picked: list[int | None]) -> dict[str, list[Any]]:
        """The child columns' values for the picked parent rows (the columns this picker fills)."""
        out: dict[str, list[Any]] = {}
        nulls = None in picked
        for column, ref in zip(self.fk.columns, self.fk.ref_columns):
            if column in self.writes:
                keys, offset = self.parent.keys[ref], self.parent.offsets.get(ref)
                if offset is not None and self.texts is not None:  # 1..n keys, as COPY text
                    texts = self.texts
                    out[column] = [None if p is None else texts[p + offset] for p in picked] if nulls \
                        else list(map(texts.__getitem__, map(offset.__add__, picked)))  # type: ignore[arg-type]
                    continue
                if offset is not None and not nulls:  # 1..n keys: computed, not looked up in a long list
                    out[column] = list(map(offset.__add__, picked))  # type: ignore[arg-type]  # no None here
                    continue
                out[column] = [None if p is None else keys[p] for p in picked] if nulls \
                    else list(map(keys.__getitem__, picked))  # type: ignore[arg-type]  # no None here
        return out


class SelfPicker:
    """A self-reference: row i points at an earlier row (a forest), row i at itself when the
    column cannot be NULL and no earlier row fits, so rows can be inserted in order. With
    `given` columns (a composite self-reference sharing a tenant column), only earlier rows with
    the same values of those columns fit."""

    def __init__(self, fk: ForeignKey, table: TableData, nullable: bool, null_ratio: float,
                 given: tuple[str, ...] = ()) -> None:
        self.fk, self.table, self.nullable, self.null_ratio = fk, table, nullable, null_ratio
        self.given = given
        self.earlier: dict[tuple[Any, ...], list[int]] = {}

    def values(self, indices: range, rng: random.Random, cols: dict[str, list[Any]] | None = None) -> dict[str, list[Any]]:
        rnd = rng.random
        picked: list[int | None] = []
        groups = zip(*((cols or {})[c] for c in self.given)) if self.given else ([()] * len(indices))
        for i, group in zip(indices, groups):
            earlier = self.earlier.setdefault(group, []) if self.given else None
            count = len(earlier) if earlier is not None else i
            if count == 0 or (self.nullable and rnd() < self.null_ratio):
                picked.append(None if self.nullable else i)
            else:
                position = int(rnd() * count)
                picked.append(earlier[position] if earlier is not None else position)
            if earlier is not None and None not in group:
                earlier.append(i)
        out = {}
        for column, ref in zip(self.fk.columns, self.fk.ref_columns):
            if column not in self.given:
                keys = self.table.keys[ref]
                out[column] = [None if p is None else keys[p] for p in picked]
        return out


class PerParentLayout:
    """Children grouped by parent: parent p gets counts[p] consecutive rows."""

    def __init__(self, per_parent: PerParent, parents: int, cap: int | None, seed_parts: tuple[object, ...],
                 eligible: set[int] | None = None) -> None:
        rng = random.Random(derive_seed(*seed_parts, "per_parent"))
        high = per_parent.max if cap is None else min(per_parent.max, cap)
        low = min(per_parent.min, high)
        counts = [_draw(per_parent, rng, low, high) for _ in range(parents)]
        if eligible is not None:  # parents whose shared columns no other parent matches get no child
            counts = [count if parent in eligible else 0 for parent, count in enumerate(counts)]
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


class GroupedJoint(JointKey):
    """Distinct combinations of parent rows that agree on shared columns (a tenant): `groups`
    lists, per shared value, the candidate rows of each part; row i gets combination perm(i) of
    all groups laid end to end, as absolute parent rows."""

    def __init__(self, groups: list[list[list[int]]], key: object) -> None:
        self.groups = [g for g in groups if all(g)]
        self.prefix = [0]
        for parts in self.groups:
            self.prefix.append(self.prefix[-1] + math.prod(len(p) for p in parts))
        super().__init__([self.prefix[-1]] if self.groups else [], key)

    def digits(self, i: int) -> list[int]:
        if i != self._cache_index:
            k = self.perm(i)
            g = bisect.bisect_right(self.prefix, k) - 1
            local, parts = k - self.prefix[g], self.groups[g]
            rows = []
            for part in reversed(parts):
                local, d = divmod(local, len(part))
                rows.append(part[d])
            self._cache_digits = rows[::-1]
            self._cache_index = i
        return self._cache_digits
