"""Identifiers and opaque values: UUIDs, hex tokens, raw bytes."""

from __future__ import annotations

import uuid
from typing import Any

from devenv.seed.generate.generators.base import Batch, Generator
from devenv.seed.generate.rng import derive_seed, mix_bits


class Uuid(Generator):
    """Version-4-shaped UUIDs. The first 48 bits are a keyed bijection of the row index (so they
    never collide); the rest is random."""

    unique = True

    def __init__(self, key: object, as_string: bool = False) -> None:
        self.key = derive_seed("uuid", key) & ((1 << 48) - 1)
        self.as_string = as_string

    def generate(self, batch: Batch) -> list[Any]:
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

    def generate(self, batch: Batch) -> list[Any]:
        bits, length = batch.rng.getrandbits, self.length
        if self.key is None:
            return [f"{bits(length * 4):0{length}x}" for _ in range(batch.count)]
        head = min(length, 16)  # a bijection of the index over the first `head` hex digits
        key, rest = self.key & ((1 << (4 * head)) - 1), length - head
        if not rest:
            return [f"{mix_bits(i, 4 * head, key):0{head}x}" for i in batch.indices]
        return [f"{mix_bits(i, 4 * head, key):0{head}x}{bits(4 * rest):0{rest}x}" for i in batch.indices]


class Bytes(Generator):
    def __init__(self, length: int = 16) -> None:
        self.length = length

    def generate(self, batch: Batch) -> list[Any]:
        bits, length = batch.rng.getrandbits, self.length
        return [bits(length * 8).to_bytes(length, "big") for _ in range(batch.count)]
