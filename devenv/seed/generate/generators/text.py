"""Text: names joined from pools, slugs, letters, regex patterns, `{n}` templates, JSON documents,
and unique text made by a permuted index suffix."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from devenv.seed.generate.draws import choices
from devenv.seed.generate.generators.base import Batch, Generator, fit
from devenv.seed.generate.patterns import RegexPattern, Template
from devenv.seed.generate.pools import LETTERS, Pools
from devenv.seed.generate.rng import IndexPermutation, base36_many, base36_width


class Joined(Generator):
    """Values made of parts drawn from pools: `fmt.format(*parts)`, e.g. "{0} {1}" for full names."""

    def __init__(self, fmt: str, pools: Sequence[Sequence[str]], max_length: int | None = None) -> None:
        self.fmt, self.pools, self.max_length = fmt, [list(p) for p in pools], max_length

    def generate(self, batch: Batch) -> list[Any]:
        columns = [choices(batch.rng, pool, batch.count) for pool in self.pools]
        fmt = self.fmt.format
        values = [fmt(*parts) for parts in zip(*columns)]
        if self.max_length:
            limit = self.max_length
            values = [v[:limit] for v in values]
        return values


class Slug(Generator):
    def __init__(self, pools: Pools, max_length: int | None = None) -> None:
        self.words = [w for w in pools.get("word") if w.isalpha()] or ["item"]
        self.max_length = max_length

    def generate(self, batch: Batch) -> list[Any]:
        rng = batch.rng
        a = choices(rng, self.words, batch.count)
        b = choices(rng, self.words, batch.count)
        return fit([f"{x}-{y}" for x, y in zip(a, b)], self.max_length)


class Letters(Generator):
    """Random lower-case words of `low`..`high` letters (the fallback for short codes)."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = max(1, low), max(1, high)

    def generate(self, batch: Batch) -> list[Any]:
        rng = batch.rng
        return ["".join(rng.choices(LETTERS, k=rng.randint(self.low, self.high))) for _ in range(batch.count)]


class RegexGen(Generator):
    def __init__(self, pattern: RegexPattern, unique_key: object = None, rows: int = 0) -> None:
        self.pattern = pattern
        self.perm = IndexPermutation(pattern.size, unique_key) if unique_key is not None and pattern.size >= max(rows, 1) else None
        self.unique = self.perm is not None

    def generate(self, batch: Batch) -> list[Any]:
        if self.perm is not None:
            nth, perm = self.pattern.nth, self.perm
            return list(map(nth, perm.many(batch.indices)))
        sample, rng = self.pattern.sample, batch.rng
        return [sample(rng) for _ in range(batch.count)]


class TemplateGen(Generator):
    def __init__(self, template: Template, pools: Pools, where: str) -> None:
        self.template = template
        self.pools = {name: pools.get(name, where=where) for name in template.providers}
        self.unique = template.indexed

    def generate(self, batch: Batch) -> list[Any]:
        drawn = {name: choices(batch.rng, pool, batch.count) for name, pool in self.pools.items()}
        fmt = self.template.text.format
        out = []
        for offset, i in enumerate(batch.indices):
            fields = {name: values[offset] for name, values in drawn.items()}
            out.append(fmt(n=i + 1, i=i, **fields))
        return out


class JsonDoc(Generator):
    """Small JSON objects: a few typed keys, enough to exercise JSON-reading code."""

    KEYS = ("source", "channel", "score", "tags", "verified")

    def __init__(self, pools: Pools, as_text: bool = False) -> None:
        self.words = pools.get("word")
        self.as_text = as_text

    def generate(self, batch: Batch) -> list[Any]:
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

    def generate(self, batch: Batch) -> list[Any]:
        base = self.inner.generate(batch)
        perm, width, sep = self.perm, self.width, self.sep
        suffixes = base36_many(perm.many(batch.indices), width)
        if self.max_length is None:
            return [f"{b}{sep}{s}" for b, s in zip(base, suffixes)]
        room = self.max_length - width - len(sep)
        if room <= 0:
            return suffixes
        return [f"{str(b)[:room]}{sep}{s}" for b, s in zip(base, suffixes)]
