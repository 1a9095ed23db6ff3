"""Whole-column draws give bit for bit what `random.Random` gives one call at a time, and leave it
in the same state; the batch forms of the keyed permutation and of base 36 equal their one-value
forms. (The generated data must not change when generation gets faster.)"""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.errors import InputError
from devenv.seed.generate import draws
from devenv.seed.generate.pools import Pools
from devenv.seed.generate.rng import IndexPermutation, base36, base36_many

SEEDS = st.integers(0, 2**80)
COUNTS = st.integers(0, 3000)  # below and above the size where the state is moved to numpy


def twins(seed: int, burn: int) -> tuple[random.Random, random.Random]:
    """Two generators in the same state, already `burn` draws in (a generator used before)."""
    a, b = random.Random(seed), random.Random(seed)
    for rng in (a, b):
        for _ in range(burn):
            rng.random()
    return a, b


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, burn=st.integers(0, 700), count=COUNTS, size=st.integers(1, 2**40))
def test_below_is_int_of_random_times_size_and_leaves_the_same_state(seed, burn, count, size):
    mine, theirs = twins(seed, burn)
    assert draws.below(mine, count, size) == [int(theirs.random() * size) for _ in range(count)]
    assert mine.getstate() == theirs.getstate()
    assert mine.getrandbits(64) == theirs.getrandbits(64)


WEIGHTS = st.none() | st.lists(st.integers(0, 50), min_size=6, max_size=6).filter(any) | \
    st.lists(st.floats(0.001, 1000), min_size=6, max_size=6)


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS, burn=st.integers(0, 700), count=COUNTS, weights=WEIGHTS)
def test_choices_equal_random_choices(seed, burn, count, weights):
    population = ["a", "b", "c", "d", "e", "f"]
    mine, theirs = twins(seed, burn)
    assert draws.choices(mine, population, count, weights) == theirs.choices(population, weights, k=count)
    assert mine.getstate() == theirs.getstate()


@pytest.mark.parametrize("weights", [[1, 2], [0, 0, 0, 0, 0, 0], [-1, 2, 0, 0, 0, 0], [3, -1, 2, 0, 1, 1],
                                     [float("inf")] + [1] * 5, [float("nan")] * 6])
def test_odd_weights_give_what_random_choices_gives(weights):
    population = ["a", "b", "c", "d", "e", "f"]

    def outcome(pick):
        try:
            return pick()
        except (ValueError, TypeError) as error:
            return type(error)
    mine, theirs = twins(1, 0)
    assert outcome(lambda: draws.choices(mine, population, 100, weights)) == \
        outcome(lambda: theirs.choices(population, weights, k=100))
    assert mine.getstate() == theirs.getstate()


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 2**62), start=st.integers(0, 10**6), count=st.integers(0, 500))
def test_permutation_many_equals_one_at_a_time(size, start, count):
    perm = IndexPermutation(size, "k", size)
    indices = range(start, start + count)
    assert perm.many(indices) == [perm(i) for i in indices]


@pytest.mark.parametrize("width", range(1, 8))
def test_base36_many_equals_base36(width):
    rng = random.Random(width)
    numbers = [0, 36**width - 1] + [rng.randrange(36**width) for _ in range(300)]
    assert base36_many(numbers, width) == [base36(n, width) for n in numbers]
    assert base36_many([36**width], width) == [base36(36**width, width)]  # too wide: still right


@pytest.mark.parametrize("provider, args", [("city", ()), ("first_name", ()), ("pyint", {"max_value": 9}),
                                            ("paragraph", {"nb_sentences": 2})])
def test_sampled_pools_hold_the_first_value_of_the_real_pool(provider, args):
    pools = Pools(7)
    sampled = pools.sampler()
    assert sampled.get(provider, args) == pools.get(provider, args)[:1]
    assert sampled.faker() is pools.faker()


@pytest.mark.parametrize("provider, args", [("no_such_provider", ()), ("pyint", {"no_such_argument": 1})])
def test_sampled_pools_still_refuse_what_the_real_ones_refuse(provider, args):
    with pytest.raises(InputError):
        Pools(7).sampler().get(provider, args)
