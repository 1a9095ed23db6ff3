"""Masking rules: functions from a production value to a safe one, keyed with a local secret.

Every rule is deterministic in (key, value): the same input masks to the same output in every
table, column and run, so joins survive. `hash` on integers and `format-preserving` are keyed
bijections (a Feistel network with cycle-walking) without fixed points, so distinct inputs stay
distinct and no value masks to itself; integers stay inside their column's type and checks.
`hash` on text and `fake` use HMAC-SHA256 (collisions are as likely as for 64 random bits, or 57
for fake e-mails and unique columns); a fake is never the original value, and an empty string
stays empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import random
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import lru_cache
from typing import Any

from devenv.errors import InputError
from devenv.seed.generate import generators as g
from devenv.seed.generate.inference import apply_constraints, build_kind, infer_kind
from devenv.seed.generate.kinds import ColumnContext
from devenv.seed.generate.pools import Pools
from devenv.seed.generate.rng import base36
from devenv.seed.schema.model import Column, Table
from devenv.seed.spec.model import MaskRule

Masker = Callable[[Any], Any]
_ROUNDS = 6
# Kinds whose values are identifiers people look up: faked by format-preserving encryption so
# they stay unique and keep their shape.
_FPE_KINDS = {"phone", "ssn", "iban", "credit_card", "token", "code", "postcode"}


def canonical(value: Any) -> str:
    """The text a value is keyed by, equal for 42 from a database and "42" from a dump."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


class Keyed:
    """HMAC-SHA256 under purpose-specific subkeys of the local key."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def subkey(self, purpose: str) -> bytes:
        return hmac.new(self.key, b"devenv-mask-v1|" + purpose.encode(), hashlib.sha256).digest()

    def digest(self, purpose: str, value: str) -> bytes:
        return hmac.new(self.subkey(purpose), value.encode("utf-8"), hashlib.sha256).digest()


class FeistelPermutation:
    """A keyed bijection of range(size) for any size >= 1 (balanced Feistel on an even number of
    bits, cycle-walking back into range). `tweak` separates independent permutations."""

    def __init__(self, keyed: Keyed, size: int, tweak: str) -> None:
        self.size = size
        bits = max(2, (size - 1).bit_length())
        bits += bits % 2
        self.half = bits // 2
        self.mask = (1 << self.half) - 1
        self.subkey = keyed.subkey(f"feistel|{tweak}|{size}")

    def _round(self, number: int, value: int) -> int:
        data = number.to_bytes(1, "big") + value.to_bytes((self.half + 7) // 8 or 1, "big")
        return int.from_bytes(hmac.new(self.subkey, data, hashlib.sha256).digest()[:8], "big") & self.mask

    def __call__(self, x: int) -> int:
        if self.size <= 1:
            return x
        while True:
            left, right = x >> self.half, x & self.mask
            for number in range(_ROUNDS):
                left, right = right, left ^ self._round(number, right)
            x = (left << self.half) | right
            if x < self.size:
                return x

    def inverse(self, y: int) -> int:
        if self.size <= 1:
            return y
        while True:
            left, right = y >> self.half, y & self.mask
            for number in reversed(range(_ROUNDS)):
                left, right = right ^ self._round(number, left), left
            y = (left << self.half) | right
            if y < self.size:
                return y

    def moved(self, x: int) -> int:
        """A keyed bijection with no fixed point: x goes to the element after it in the keyed
        order p (p(p^-1(x) + 1)), so no value ever masks to itself when size > 1."""
        if self.size <= 1:
            return x
        return self((self.inverse(x) + 1) % self.size)


def _char_class(ch: str) -> str | None:
    if "0" <= ch <= "9":
        return "0123456789"
    if "a" <= ch <= "z":
        return "abcdefghijklmnopqrstuvwxyz"
    if "A" <= ch <= "Z":
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return None


class FormatPreserving:
    """Digits stay digits, letters stay letters of the same case, everything else stays put; the
    maskable characters, read as one mixed-radix number, go through a keyed permutation whose
    tweak is the value's shape. Same shape and input, same output; distinct inputs, distinct
    outputs."""

    def __init__(self, keyed: Keyed) -> None:
        self.keyed = keyed
        self._perms: dict[tuple[str, int], FeistelPermutation] = {}
        self.text = lru_cache(maxsize=1 << 16)(self._text)

    def _perm(self, shape: str, size: int) -> FeistelPermutation:
        key = (shape, size)
        if key not in self._perms:
            self._perms[key] = FeistelPermutation(self.keyed, size, "fpe|" + shape)
        return self._perms[key]

    def _text(self, value: str) -> str:
        classes = [_char_class(ch) for ch in value]
        radices = [len(c) for c in classes if c]
        if not radices:
            return value
        shape = "".join("d" if c and c[0] == "0" else "a" if c and c[0] == "a" else "A" if c else ch
                        for ch, c in zip(value, classes))
        number = 0
        for ch, cls in zip(value, classes):
            if cls:
                number = number * len(cls) + cls.index(ch)
        size = 1
        for radix in radices:
            size *= radix
        number = self._perm(shape, size).moved(number)
        out = list(value)
        for position in range(len(value) - 1, -1, -1):
            cls = classes[position]
            if cls:
                number, digit = divmod(number, len(cls))
                out[position] = cls[digit]
        return "".join(out)

    def integer(self, value: int, low: int | None = None, high: int | None = None) -> int:
        """A number with as many digits and the same sign (leading digit never 0), inside
        [low, high] (the column's type and checks): where the column cuts a digit class short
        (5-digit numbers in a smallint), the permutation covers only the part it allows."""
        magnitude = abs(value)
        digits = len(str(magnitude))
        first, last = (0, 9) if digits == 1 else (10 ** (digits - 1), 10**digits - 1)
        start, end = (first, last) if value >= 0 else (-last, -first)
        if value < 0 and digits == 1:
            start, end = -9, -1
        start = start if low is None else max(start, low)
        end = end if high is None else min(end, high)
        if not start <= value <= end:  # the source breaks the column's own limits: leave it be
            return value
        return start + self._perm(f"int{digits}{'-' if value < 0 else ''}|{start}|{end}", end - start + 1).moved(value - start)


def build_masker(rule: MaskRule, table: Table, column: Column, keyed: Keyed, fpe: FormatPreserving,
                 pools: Pools, unique: bool, where: str) -> Masker:
    """The function applying `rule` to values of `table.column` (None always stays None)."""
    name = rule.rule
    kind = column.kind
    if name == "keep":
        return _identity
    if name == "null":
        if not column.nullable:
            raise InputError(f"{table.name}.{column.name} is NOT NULL: rule 'null' cannot apply", where,
                             "use 'constant', 'fake' or 'hash'")
        return lambda value: None
    if name == "constant":
        constant = rule.value
        return lambda value: constant
    if name == "format-preserving":
        if kind == "int":
            return _int_masker(table, column, fpe, pools)
        if kind in ("string", "text"):
            return _none_safe(lambda v: fpe.text(str(v)))
        raise InputError(f"rule 'format-preserving' needs a text or integer column, not {column.type}", where,
                         "use 'fake', 'hash' or 'keep'")
    if name == "hash":
        return _hash_masker(table, column, keyed, fpe, pools, where)
    if name == "fake":
        return _fake_masker(rule, table, column, keyed, fpe, pools, unique, where)
    if name == "shuffle":
        return _identity  # shuffling works on whole columns, see `shuffle_column`
    raise InputError(f"unknown rule '{name}'", where)


def _identity(value: Any) -> Any:
    return value


def _none_safe(fn: Masker) -> Masker:
    def masked(value: Any) -> Any:
        return None if value is None else fn(value)

    return masked


def _hash_masker(table: Table, column: Column, keyed: Keyed, fpe: FormatPreserving, pools: Pools,
                 where: str) -> Masker:
    kind = column.kind
    if kind == "int":
        return _int_masker(table, column, fpe, pools)
    if kind == "uuid":
        def as_uuid(value: Any) -> Any:
            raw = bytearray(keyed.digest("hash", canonical(value))[:16])
            raw[6] = (raw[6] & 0x0F) | 0x40
            raw[8] = (raw[8] & 0x3F) | 0x80
            return uuid.UUID(bytes=bytes(raw))
        return _none_safe(as_uuid)
    if kind in ("string", "text"):
        length = min(column.max_length or 32, 32)
        if length < 16:
            fallback = fpe.text
            return _none_safe(lambda v: fallback(str(v)))
        return _none_safe(lambda v: "" if v == "" else keyed.digest("hash", canonical(v)).hex()[:length])
    if kind == "bytes":
        return _none_safe(lambda v: keyed.digest("hash", canonical(v)))
    raise InputError(f"rule 'hash' needs a text, integer, UUID or binary column, not {column.type}", where,
                     "use 'fake', 'format-preserving', 'constant' or 'keep'")


def _fake_masker(rule: MaskRule, table: Table, column: Column, keyed: Keyed, fpe: FormatPreserving,
                 pools: Pools, unique: bool, where: str) -> Masker:
    kind = rule.kind or infer_kind(table.name, column.name, column.kind)
    if kind in _FPE_KINDS and column.kind in ("string", "text"):
        return _none_safe(lambda v: fpe.text(str(v)))
    if kind in _FPE_KINDS and column.kind == "int":
        return _int_masker(table, column, fpe, pools)
    ctx = ColumnContext(table, column, 1, 0, dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc), pools,
                        where=where)
    apply_constraints(ctx)  # fakes stay inside the column's length, type range and checks
    generator = build_kind(ctx, kind, where)
    tagged = kind == "email" or (unique and column.kind in ("string", "text") and not generator.unique)
    length = column.max_length

    @lru_cache(maxsize=1 << 16)
    def fake(text: str) -> Any:
        for attempt in range(16):  # never the original value (a fake first name may be the real one)
            digest = keyed.digest(f"fake|{kind}" + (f"|{attempt}" if attempt else ""), text)
            rng = random.Random(int.from_bytes(digest[:8], "big"))
            value = generator.generate(g.Batch(0, 1, rng))[0]
            if tagged and isinstance(value, str):
                tag = base36(int.from_bytes(digest[8:16], "big") >> 7, 11)[-11:]
                value = _with_tag(value, tag, length)
            if canonical(value).casefold() != text.casefold():
                break
        return value

    return _none_safe(lambda v: "" if v == "" else fake(canonical(v)))  # empty stays empty


def _int_masker(table: Table, column: Column, fpe: FormatPreserving, pools: Pools) -> Masker:
    """Integers masked inside the column's type range and its checks' bounds."""
    ctx = ColumnContext(table, column, 1, 0, dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc), pools)
    apply_constraints(ctx)
    low = int(ctx.low) if ctx.low is not None else None
    high = int(ctx.high) if ctx.high is not None else None
    return _none_safe(lambda v: fpe.integer(int(v), low, high))


def _with_tag(value: str, tag: str, length: int | None) -> str:
    """`value` made unique by `tag`: before the @ of an e-mail address, else as a suffix; the
    value is shortened, never the tag, to fit `length`."""
    local, at, domain = value.partition("@")
    if at:
        head, tail = local, f".{tag}@{domain}"
    else:
        head, tail = value, f"-{tag}"
    if length is not None and len(head) + len(tail) > length:
        head = head[: max(0, length - len(tail))]
    return (head + tail)[-length:] if length else head + tail


def shuffle_column(values: Sequence[Any], keyed: Keyed, table: str, column: str) -> list[Any]:
    """`values` in a keyed order: the column's distribution survives, its link to rows does not."""
    out = list(values)
    rng = random.Random(int.from_bytes(keyed.digest("shuffle", f"{table}.{column}|{len(out)}")[:8], "big"))
    rng.shuffle(out)
    return out
