"""Deterministic randomness: seeds derived with SHA-256 (never the salted `hash()`), and cheap
keyed bijections that turn a row index into a distinct, random-looking value."""

from __future__ import annotations

import hashlib
import math
import random
from operator import add

import numpy as np

_MASK64 = (1 << 64) - 1


def derive_seed(*parts: object) -> int:
    """A 64-bit seed from `parts`, identical on every run, process and machine."""
    text = "\x1f".join(str(part) for part in parts)
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def rng_for(*parts: object) -> random.Random:
    """A `random.Random` seeded from `parts` (see `derive_seed`)."""
    return random.Random(derive_seed(*parts))


class IndexPermutation:
    """A keyed bijection of range(size): `self(n)` differs for every n in that range.

    An affine map n -> (a*n + b) mod size with gcd(a, size) = 1: cheap (one multiply per row),
    exact, and random-looking enough to hide the row order in generated keys.
    """

    def __init__(self, size: int, *seed_parts: object) -> None:
        if size <= 0:
            raise ValueError("size must be positive")
        self.size = size
        rnd = rng_for("perm", size, *seed_parts)
        a = rnd.randrange(1, size) if size > 2 else 1
        while math.gcd(a, size) != 1:
            a = a % (size - 1) + 1
        self.a, self.b = a, rnd.randrange(size)

    def __call__(self, n: int) -> int:
        return (self.a * n + self.b) % self.size

    def many(self, indices: range) -> list[int]:
        """`[self(n) for n in indices]`, in numpy when no product can pass 63 bits."""
        if len(indices) >= 64 and indices.step == 1 and indices.start >= 0 \
                and self.a * max(indices.stop, self.size) + self.b < 2**63:
            numbers = np.arange(indices.start, indices.stop, dtype=np.int64)
            return ((numbers * self.a + self.b) % self.size).tolist()
        a, b, size = self.a, self.b, self.size
        return [(a * n + b) % size for n in indices]


def mix64(n: int, key: int) -> int:
    """A keyed bijection of 64-bit integers (the splitmix64 finaliser after xor with a key)."""
    z = (n ^ key) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def mix_bits(n: int, bits: int, key: int) -> int:
    """A keyed bijection of `bits`-bit integers (cycle-walking over mix64 is not needed: the
    xor-shift and odd-multiply steps are bijective on any width when masked to it)."""
    mask = (1 << bits) - 1
    shift = max(1, bits // 2)
    z = (n ^ key) & mask
    z = ((z ^ (z >> shift)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> shift)) * 0x94D049BB133111EB) & mask
    return z ^ (z >> shift)


_ALPHABET36 = "0123456789abcdefghijklmnopqrstuvwxyz"


_PAIRS36 = [a + b for a in _ALPHABET36 for b in _ALPHABET36]  # two base-36 digits at a time


def base36(n: int, width: int = 1) -> str:
    """`n` in lowercase base 36, left-padded with zeros to `width`."""
    chunks = []
    while n:
        n, rem = divmod(n, 1296)
        chunks.append(_PAIRS36[rem])
    text = "".join(reversed(chunks)).lstrip("0") or "0"
    return text.rjust(width, "0")


def base36_many(numbers: list[int], width: int) -> list[str]:
    """`[base36(n, width) for n in numbers]` for numbers below 36**width (four digits at a time)."""
    if width > 4 or not numbers or max(numbers) >= 36**width:
        return [base36(n, width) for n in numbers]
    pairs = _PAIRS36
    if width <= 2:
        texts = list(map(pairs.__getitem__, numbers))
    else:
        high, low = np.divmod(np.array(numbers, dtype=np.int64), 1296)
        texts = list(map(add, map(pairs.__getitem__, high.tolist()), map(pairs.__getitem__, low.tolist())))
    return texts if width in (2, 4) else [text[-width:] for text in texts]


def base36_width(count: int) -> int:
    """How many base-36 digits the numbers 0..count-1 need."""
    width = 1
    while 36**width < count:
        width += 1
    return width
