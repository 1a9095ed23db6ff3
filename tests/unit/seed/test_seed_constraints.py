"""Check constraints as PostgreSQL, MariaDB and SQLite reflect them."""

import pytest

from devenv.seed.schema.constraints import Bound, Compare, InSet, LengthBound, parse_check

CASES = [
    ("price >= 0::numeric", [Bound("price", ">=", 0)]),
    ("(price > (0)::numeric)", [Bound("price", ">", 0)]),
    ("((status)::text = ANY ((ARRAY['new'::character varying, 'paid'::character varying])::text[]))",
     [InSet("status", ("new", "paid"))]),
    ("(rating >= 1) AND (rating <= 5)", [Bound("rating", ">=", 1), Bound("rating", "<=", 5)]),
    ("`rating` between 1 and 5", [Bound("rating", ">=", 1), Bound("rating", "<=", 5)]),
    ("(`tier` in (_utf8mb4'gold',_utf8mb4'silver'))", [InSet("tier", ("gold", "silver"))]),
    ("kind = 'a' OR kind = 'b'", [InSet("kind", ("a", "b"))]),
    ("0 < qty", [Bound("qty", ">", 0)]),
    ("ends_at > starts_at", [Compare("ends_at", ">", "starts_at")]),
    ("char_length((code)::text) = 8", [LengthBound("code", "=", 8)]),
    ("((discount IS NULL) OR ((discount >= (0)::numeric) AND (discount <= (100)::numeric)))",
     [Bound("discount", ">=", 0), Bound("discount", "<=", 100)]),
    ("x IS NOT NULL AND x <> ''", [Bound("x", "<>", "")]),
    ("json_valid(`prefs`)", []),
    ("ts >= '2020-01-01 00:00:00'::timestamp without time zone", [Bound("ts", ">=", "2020-01-01 00:00:00")]),
    ("weight > 0.5", [Bound("weight", ">", __import__("decimal").Decimal("0.5"))]),
]

UNSUPPORTED = ["lower(email) = email", "a IS NULL", "a + b > 3", "a ~ '^[a-z]+$'", "NOT (a > 1)"]


@pytest.mark.parametrize("text,expected", CASES)
def test_parsed(text, expected):
    assert parse_check(text) == expected


@pytest.mark.parametrize("text", UNSUPPORTED)
def test_unsupported_is_none_never_a_guess(text):
    assert parse_check(text) is None
