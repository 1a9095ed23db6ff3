"""Both sides of a change read differently and show where they differ (issue: diff cut both to one prefix)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devenv.parity.display import SHOWN_WIDTH, shown_pair

LONG = "java -jar app.jar " + "--flag " * 20


@pytest.mark.parametrize("a, b, expect_a, expect_b", [
    ("short", "other", "short", "other"),
    (LONG + "--mode=prod", LONG + "--mode=dev", "--mode=prod", "--mode=dev"),
    ("x\ny\nz\n", "x\nY\nz\n", "line 2: y", "line 2: Y"),
    (None, "set", "unset", "set"),
    (["a", "b"], ["a", "c"], '["a","b"]', '["a","c"]'),
])
def test_each_side_shows_its_own_difference(a: object, b: object, expect_a: str, expect_b: str) -> None:
    one, two = shown_pair(a, b)
    assert expect_a in one and expect_b in two


@given(st.text(min_size=1), st.text(min_size=1), st.text(min_size=1))
def test_different_values_never_read_the_same(prefix: str, a: str, b: str) -> None:
    left, right = prefix * 30 + a, prefix * 30 + b
    one, two = shown_pair(left, right)
    assert (one == two) == (left == right)
    assert max(len(one.split(" (")[0]), len(two.split(" (")[0])) <= SHOWN_WIDTH + 20
