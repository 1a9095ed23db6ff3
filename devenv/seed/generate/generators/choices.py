"""Values drawn from a finite list: a constant, weighted choices, distinct picks, booleans, pools."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from devenv.seed.generate.copy_texts import texts_of
from devenv.seed.generate.draws import choices, uniforms
from devenv.seed.generate.generators.base import Batch, Generator
from devenv.seed.generate.pools import Pools
from devenv.seed.generate.rng import IndexPermutation


class Constant(Generator):
    def __init__(self, value: Any) -> None:
        self.value = value
        self.domain = (value,)

    def generate(self, batch: Batch) -> list[Any]:
        return [self.value] * batch.count


class Choice(Generator):
    def __init__(self, values: Sequence[Any], weights: Sequence[float] | None = None) -> None:
        self.values = list(values)
        self.weights = list(weights) if weights else None
        self.domain = self.values
        self.picked = self.values  # what is drawn: the values, or their texts in COPY text mode

    def as_copy_text(self, pools: Pools) -> bool:
        texts = texts_of(self.values)
        if texts is not None:
            self.picked = texts
        return texts is not None

    def generate(self, batch: Batch) -> list[Any]:
        return choices(batch.rng, self.picked, batch.count, self.weights)


class Nth(Generator):
    """Distinct elements of a finite domain, one per row index (a keyed permutation)."""

    unique = True

    def __init__(self, values: Sequence[Any], key: object) -> None:
        self.values = list(values)
        self.perm = IndexPermutation(len(self.values), key)

    def generate(self, batch: Batch) -> list[Any]:
        values, perm = self.values, self.perm
        return list(map(values.__getitem__, perm.many(batch.indices)))


class Boolean(Generator):
    def __init__(self, p_true: float = 0.5) -> None:
        self.p_true = p_true
        self.domain = (False, True)

    def generate(self, batch: Batch) -> list[Any]:
        return (uniforms(batch.rng, batch.count) < self.p_true).tolist()  # type: ignore[no-any-return]


class PoolChoice(Generator):
    """Values sampled from a pool (Faker-made or fixed); truncated to `max_length`."""

    def __init__(self, pool: Sequence[Any], max_length: int | None = None) -> None:
        values = list(pool)
        if max_length:
            values = [v[:max_length].rstrip() or v[:max_length] if isinstance(v, str) else v for v in values]
        self.values = values

    def as_copy_text(self, pools: Pools) -> bool:
        texts = texts_of(self.values)
        if texts is not None:
            self.values = texts
        return texts is not None

    def generate(self, batch: Batch) -> list[Any]:
        return choices(batch.rng, self.values, batch.count)
