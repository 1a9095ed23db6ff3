"""The pieces behind seeding real schemas, without a database: partition bounds read into
constraints, integer masking inside a column's range with no fixed point, the batch-making
thread, COPY text, key names, the draft's database name and password-free source line."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.seed.generate.inference import infer_kind
from devenv.seed.load.copy_text import copy_text, formatters
from devenv.seed.load.prefetch import prefetched
from devenv.seed.mask.rules import FeistelPermutation, FormatPreserving, Keyed
from devenv.seed.mask.suggest import _without_password, database_name
from devenv.seed.schema.constraints import Bound, InSet
from devenv.seed.schema.postgres import bound_constraints, key_column

BOUNDS = [
    ("RANGE (paid)", ["FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')",
                      "FOR VALUES FROM ('2022-02-01') TO ('2022-03-01')"],
     [Bound("paid", ">=", "2022-01-01"), Bound("paid", "<", "2022-03-01")], ""),
    ("RANGE (n)", ["FOR VALUES FROM (MINVALUE) TO (10)", "FOR VALUES FROM (10) TO (20)"],
     [Bound("n", "<", "20")], ""),
    ("RANGE (n)", ["FOR VALUES FROM (0) TO (10)", "FOR VALUES FROM (10) TO (MAXVALUE)"],
     [Bound("n", ">=", "0")], ""),
    ("RANGE (n)", ["FOR VALUES FROM (0) TO (10)", "FOR VALUES FROM (50) TO (60)", "FOR VALUES FROM (60) TO (70)"],
     [Bound("n", ">=", "50"), Bound("n", "<", "70")], "not contiguous"),
    ('LIST ("Kind")', ["FOR VALUES IN ('a', 'b''c')", "FOR VALUES IN ('d', NULL)"],
     [InSet("Kind", ("a", "b'c", "d"))], ""),
    ("LIST (kind)", ["FOR VALUES IN ('a')", "DEFAULT"], [], ""),
    ("HASH (id)", ["FOR VALUES WITH (modulus 2, remainder 0)", "FOR VALUES WITH (modulus 2, remainder 1)"], [], ""),
    ("RANGE (a, b)", ["FOR VALUES FROM (1, 1) TO (2, 2)"], [], "not one plain column"),
    ("RANGE (date_trunc('day', at))", ["FOR VALUES FROM ('2024-01-01') TO ('2024-01-02')"], [], "not one plain column"),
]


@pytest.mark.parametrize("key,bounds,expected,note", BOUNDS)
def test_partition_bounds_become_constraints(key, bounds, expected, note):
    found, said = bound_constraints(key, bounds)
    assert found == expected
    assert (note in said) if note else said == ""


def test_partition_key_column():
    assert key_column("RANGE (payment_date)") == "payment_date"
    assert key_column('LIST ("Kind")') == "Kind"
    assert key_column("RANGE (a, b)") is None


@settings(max_examples=300, deadline=None)
@given(low=st.integers(-10**6, 10**6), span=st.integers(0, 10**6), data=st.data())
def test_masked_integers_stay_in_range_keep_their_digits_and_move(low, span, data):
    high = low + span
    value = data.draw(st.integers(low, high))
    fpe = FormatPreserving(Keyed(b"k" * 32))
    masked = fpe.integer(value, low, high)
    assert low <= masked <= high
    assert len(str(abs(masked))) == len(str(abs(value))) and (masked < 0) == (value < 0)
    digits = len(str(abs(value)))
    if value > 9:  # the value's digit class, cut by the column's range, has other members: it moves
        members = range(max(low, 10 ** (digits - 1)), min(high, 10**digits - 1) + 1)
        assert masked != value or len(members) == 1


@pytest.mark.parametrize("low,high", [(-32768, 32767), (1, 5), (10_000, 32_767), (0, 9), (2_147_483_000, 2**31 - 1)])
def test_masked_integers_are_a_bijection_without_fixed_points(low, high):
    fpe = FormatPreserving(Keyed(b"k" * 32))
    sample = range(low, min(high, low + 3000) + 1)
    masked = [fpe.integer(v, low, high) for v in sample]
    assert len(set(masked)) == len(masked)
    assert all(low <= m <= high for m in masked)
    assert sum(1 for v, m in zip(sample, masked) if v == m) == 0


@pytest.mark.parametrize("size", [2, 3, 10, 97, 1000])
def test_feistel_inverse_and_moved(size):
    perm = FeistelPermutation(Keyed(b"k" * 32), size, "t")
    assert [perm.inverse(perm(x)) for x in range(size)] == list(range(size))
    moved = [perm.moved(x) for x in range(size)]
    assert sorted(moved) == list(range(size)) and all(m != x for x, m in enumerate(moved))


def test_format_preserving_text_never_returns_its_input():
    fpe = FormatPreserving(Keyed(b"k" * 32))
    codes = [f"{n:05d}" for n in range(0, 100_000, 7)]
    masked = [fpe.text(c) for c in codes]
    assert all(m != c and len(m) == 5 and m.isdigit() for c, m in zip(codes, masked))
    assert len(set(masked)) == len(masked)


def test_prefetched_keeps_order_and_runs_in_another_thread():
    seen: list[str] = []

    def made():
        for n in range(50):
            seen.append(threading.current_thread().name)
            yield n

    with prefetched(made(), depth=2) as ready:
        assert list(ready) == list(range(50))
    assert set(seen) == {"devenv-seed-batches"}


def test_prefetched_raises_the_workers_error_in_the_consumer():
    def failing():
        yield 1
        raise ValueError("generator broke")

    with pytest.raises(ValueError, match="generator broke"), prefetched(failing()) as ready:
        list(ready)


def test_prefetched_stops_the_worker_when_the_consumer_leaves():
    made: list[int] = []

    def endless():
        n = 0
        while True:
            made.append(n)
            yield n
            n += 1

    with pytest.raises(RuntimeError), prefetched(endless(), depth=2) as ready:
        next(iter(ready))
        raise RuntimeError("COPY failed")
    count = len(made)
    time.sleep(0.3)
    assert len(made) == count <= 5


COLUMNS = [("int", 7, "7"), ("bool", True, "t"), ("decimal", Decimal("12.50"), "12.50"), ("float", 0.5, "0.5"),
           ("text", "tab\there\nnew\\line\r", "tab\\there\\nnew\\\\line\\r"), ("text", None, "\\N"),
           ("text", "\\N", "\\\\N"), ("datetime", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
                                        "2024-01-02T03:04:05+00:00"),
           ("date", dt.date(2024, 2, 29), "2024-02-29"), ("uuid", uuid.UUID(int=1), str(uuid.UUID(int=1))),
           ("json", {"b": 1, "a": "x\ty"}, '{"a": "x\\\\ty", "b": 1}'), ("bytes", b"\x00\xff", "\\\\x00ff"),
           ("array", ["a", 'b"c', None, "d\\e"], '{"a","b\\\\"c",NULL,"d\\\\\\\\e"}')]


@pytest.mark.parametrize("kind,value,text", COLUMNS)
def test_copy_text_formats_each_kind(kind, value, text):
    from sqlalchemy import types as sqltypes

    from devenv.seed.schema.model import Column, Table

    types = {"int": sqltypes.Integer(), "bool": sqltypes.Boolean(), "decimal": sqltypes.Numeric(10, 2),
             "float": sqltypes.Float(), "text": sqltypes.Text(), "datetime": sqltypes.DateTime(timezone=True),
             "date": sqltypes.Date(), "uuid": sqltypes.Uuid(), "json": sqltypes.JSON(),
             "bytes": sqltypes.LargeBinary(), "array": sqltypes.ARRAY(sqltypes.Text())}
    table = Table("t", (Column("c", types[kind]), Column("n", sqltypes.Integer())))
    assert copy_text([(value, 1), (None, None)], formatters(table, ["c", "n"])) == f"{text}\t1\n\\N\t\\N\n".encode()


def test_copy_text_leaves_types_it_does_not_know_to_psycopg():
    from sqlalchemy import types as sqltypes

    from devenv.seed.schema.model import Column, Table

    table = Table("t", (Column("i", sqltypes.Interval()),))
    assert formatters(table, ["i"]) is None


@pytest.mark.parametrize("table,column,kind", [
    ("payment", "payment_id", "integer"), ("orders", "customer_id", "integer"), ("t", "id", "integer"),
    ("refund", "amount", "money"), ("payment", "payment_uuid", "uuid"),
])
def test_key_columns_are_keys_whatever_their_name_says(table, column, kind):
    assert infer_kind(table, column, "int" if kind != "uuid" else "uuid") == kind


def test_draft_names_the_database_and_never_a_password():
    assert database_name("postgresql://u:secret@localhost:5432/shop") == "shop"
    assert database_name("dumps/prod.sql") == "prod"
    for url in ("postgresql://u:secret@localhost:5432/shop", "postgresql://u@localhost/shop?password=secret&sslmode=require"):
        shown = _without_password(url)
        assert "secret" not in shown and "u@localhost" in shown and shown.endswith(("shop", "sslmode=require"))


@settings(max_examples=100, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
       seconds=st.integers(0, 10**9), as_date=st.booleans(), zoned=st.booleans(), unique=st.booleans())
def test_moments_as_text_are_the_same_moments(start, seconds, as_date, zoned, unique):
    """Dates and datetimes a table never reads come as ISO text: the very values the datetime
    path makes, as the loaders would write them (zoned ones in UTC)."""
    import random as _random

    from devenv.seed.generate.generators import Batch, TimeRange

    start = start.replace(microsecond=0)
    low = start.date() if as_date else start.replace(tzinfo=dt.timezone.utc) if zoned else start
    high = low + dt.timedelta(seconds=seconds) if not as_date else low + dt.timedelta(days=seconds // 86_400)
    made = TimeRange(low, high, as_date, ("k",) if unique else None)
    texts = TimeRange(low, high, as_date, ("k",) if unique else None)
    texts.as_text = True
    assert texts.text_ok()
    batch = Batch(7, 300, _random.Random(3))
    values = made.generate(batch)
    assert texts.generate(Batch(7, 300, _random.Random(3))) == [v.isoformat(" ") if not as_date else v.isoformat()
                                                               for v in values]
