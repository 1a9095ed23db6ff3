"""Value generators: each makes a whole batch of one column at once from a seeded `random.Random`.

A generator is a pure function of (row indices, rng): the same batch gives the same values on every
run. Generators marked `unique` give distinct values for distinct row indices by construction
(derived from the row index through a keyed bijection), never by retrying.

This module holds the contract (`Batch`, `Generator`) and what every family shares; the families
are its siblings, and the package gathers them into one namespace.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from devenv.seed.generate.draws import uniforms
from devenv.seed.generate.pools import Pools


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

    def generate(self, batch: Batch) -> list[Any]:
        raise NotImplementedError

    def as_copy_text(self, pools: Pools) -> bool:
        """Make `str(value)` from now on instead of values (nothing needing a COPY escape, None
        for NULL), when that is cheaper; whether it does (see `copy_texts`)."""
        return False


class WithNulls(Generator):
    """`inner`'s values with a share `ratio` replaced by NULL (None)."""

    def __init__(self, inner: Generator, ratio: float) -> None:
        self.inner, self.ratio = inner, ratio
        self.unique = inner.unique
        self.domain = inner.domain

    def as_copy_text(self, pools: Pools) -> bool:
        return self.inner.as_copy_text(pools)

    def generate(self, batch: Batch) -> list[Any]:
        values = self.inner.generate(batch)
        ratio = self.ratio
        if ratio <= 0:
            return values
        return with_nulls(values, random.Random(batch.rng.getrandbits(64)), ratio)


def with_nulls(values: list[Any], rng: random.Random, ratio: float) -> list[Any]:
    """`values` with those where `rng.random() < ratio` (one draw per value, in order) set to None."""
    out = list(values)
    for position in np.flatnonzero(uniforms(rng, len(out)) < ratio).tolist():
        out[position] = None
    return out


def fit(values: list[str], max_length: int | None, keep_tail: bool = False) -> list[str]:
    """Values cut to `max_length`; with `keep_tail`, the end survives (the domain of an e-mail,
    the unique suffix), the head is shortened."""
    if not max_length:
        return values
    if keep_tail:
        return [v if len(v) <= max_length else v[len(v) - max_length:] for v in values]
    return [v[:max_length] for v in values]


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]
