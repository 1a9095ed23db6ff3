"""Generators: unique ones never repeat, all respect lengths, same seed gives same values."""

import random
import uuid

import pytest

from devenv.seed.generate import generators as g
from devenv.seed.generate.patterns import PatternError, RegexPattern, Template
from devenv.seed.generate.pools import Pools
from devenv.seed.generate.rng import IndexPermutation, derive_seed, mix_bits


def run(gen, rows, batch=5000, seed=1):
    values = []
    for number, start in enumerate(range(0, rows, batch)):
        count = min(batch, rows - start)
        values += gen.generate(g.Batch(start, count, random.Random(derive_seed(seed, number))))
    return values


@pytest.mark.parametrize("size", [1, 2, 3, 10, 97, 1000, 65536, 100_003])
def test_index_permutation_is_a_bijection(size):
    perm = IndexPermutation(size, "k")
    assert sorted(perm(i) for i in range(size)) == list(range(size))


def test_mix_bits_is_a_bijection():
    assert len({mix_bits(i, 12, 99) for i in range(4096)}) == 4096


def test_derive_seed_is_a_fixed_function():
    # A pinned value: the derivation must never depend on the salted hash(), the process or platform.
    assert derive_seed(1, "a") == 0xAAA8BE88BD4AFA32


ROWS = 60_000


@pytest.mark.parametrize("make", [
    lambda p: g.Email(p, ("k",), ROWS),
    lambda p: g.Email(p, ("k",), ROWS, max_length=30),
    lambda p: g.Phone(("k",), ROWS),
    lambda p: g.Uuid(("k",)),
    lambda p: g.Uuid(("k",), as_string=True),
    lambda p: g.HexToken(8, ("k",)),
    lambda p: g.HexToken(40, ("k",)),
    lambda p: g.UniqueInt(-5, ROWS, ("k",)),
    lambda p: g.Sequential(1),
    lambda p: g.IndexedText(g.PoolChoice(p.first_names()), ROWS, ("k",), 12),
    lambda p: g.RegexGen(RegexPattern("[A-Z]{2}-[0-9]{4}"), ("k",), ROWS),
    lambda p: g.TemplateGen(Template("ORD-{n:07d}"), p, ""),
    lambda p: g.TimeRange(__import__("datetime").date(2000, 1, 1), __import__("datetime").date(2300, 1, 1), True, ("k",)),
], ids=["email", "email-30", "phone", "uuid", "uuid-text", "hex8", "hex40", "int", "sequence", "indexed-text",
        "regex", "template", "dates"])
def test_unique_generators_never_repeat(make):
    gen = make(Pools(1))
    assert gen.unique
    values = run(gen, ROWS)
    assert len(set(values)) == ROWS


def test_email_shape_and_length():
    values = run(g.Email(Pools(1), ("k",), 1000, max_length=40), 1000)
    assert all(len(v) <= 40 and v.count("@") == 1 and v.endswith((".com", ".net", ".org")) for v in values)
    assert all(v.split("@")[1] in ("example.com", "example.net", "example.org") for v in values)


def test_uuid_values_are_version_4():
    values = run(g.Uuid(("k",)), 100)
    assert all(isinstance(v, uuid.UUID) and v.version == 4 for v in values)


def test_same_seed_same_values_other_seed_other_values():
    pools = Pools(5)
    make = lambda: g.Joined("{0} {1}", [pools.first_names(), pools.last_names()])  # noqa: E731
    assert run(make(), 3000, seed=1) == run(make(), 3000, seed=1)
    assert run(make(), 3000, seed=1) != run(make(), 3000, seed=2)
    assert Pools(5).first_names() == Pools(5).first_names()
    assert Pools(5).first_names() != Pools(6).first_names()


def test_with_nulls_ratio():
    values = run(g.WithNulls(g.IntRange(1, 9), 0.25), 20_000)
    share = values.count(None) / len(values)
    assert 0.22 < share < 0.28


def test_regex_samples_match():
    import re

    pattern = r"(ab|cd)-[a-f0-9]{3,5}\.x?"
    compiled = RegexPattern(pattern)
    rng = random.Random(3)
    assert all(re.fullmatch(pattern, compiled.sample(rng)) for _ in range(500))


@pytest.mark.parametrize("bad", ["[a-", "(ab", "a{3,1}", "*a", "[^a]", "\\q"])
def test_bad_regex(bad):
    with pytest.raises(PatternError):
        RegexPattern(bad)


def test_decimal_range_scale_and_bounds():
    from decimal import Decimal

    values = run(g.DecimalRange(Decimal("0.01"), Decimal("9.99"), 2), 5000)
    assert all(Decimal("0.01") <= v <= Decimal("9.99") and v.as_tuple().exponent == -2 for v in values)
