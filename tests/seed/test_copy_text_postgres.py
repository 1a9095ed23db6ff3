"""The COPY text devenv makes itself (instead of psycopg's per-value formatting) reads back as the
values it was made from, whatever they hold: tabs, newlines, backslashes, `\\N`, quotes, braces,
any Unicode. Checked by PostgreSQL 15 on arbitrary values (Hypothesis)."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import types as sqltypes

from devenv.seed.load.copy_text import copy_text, formatters
from devenv.seed.schema.model import Column, Table
from tests.support.pg_checks import plain

pytestmark = pytest.mark.postgres

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
ROW = st.tuples(st.none() | TEXT, st.none() | st.integers(-2**63, 2**63 - 1), st.none() | st.lists(st.none() | TEXT, max_size=4),
                st.none() | st.binary(max_size=12), st.none() | st.datetimes(min_value=dt.datetime(1, 1, 2),
                                                                              timezones=st.just(dt.timezone.utc)))
TABLE = Table("t", (Column("s", sqltypes.Text()), Column("n", sqltypes.BigInteger()),
                    Column("a", sqltypes.ARRAY(sqltypes.Text())), Column("b", sqltypes.LargeBinary()),
                    Column("d", sqltypes.DateTime(timezone=True))))


@pytest.fixture(scope="module")
def connection(postgres_server):
    url = postgres_server.create_database("copy_text")
    with psycopg.connect(plain(url), autocommit=True) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute("CREATE TABLE t (i serial, s text, n bigint, a text[], b bytea, d timestamptz)")
        yield conn


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(ROW, min_size=1, max_size=6))
def test_copy_text_round_trips_through_postgres(connection, rows):
    connection.execute("TRUNCATE t RESTART IDENTITY")
    data = copy_text(rows, formatters(TABLE, ["s", "n", "a", "b", "d"]))
    with connection.cursor().copy("COPY t (s, n, a, b, d) FROM STDIN") as copy:
        copy.write(data)
    back = connection.execute("SELECT s, n, a, b, d FROM t ORDER BY i").fetchall()
    assert back == [(s, n, a, None if b is None else bytes(b), d) for s, n, a, b, d in rows]
