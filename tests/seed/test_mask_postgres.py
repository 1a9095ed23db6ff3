"""Masking into a real PostgreSQL 15 from a planted pg_dump-style dump and from a database: no
planted value survives in any text column, joins survive across tables and runs, strict mode
refuses unclassified columns before writing anything."""

from __future__ import annotations

import psycopg
import pytest

from devenv.errors import InputError
from devenv.seed.api import mask
from devenv.seed.spec.parse import parse_spec
from tests.support.pg_checks import execute, fetch, plain

pytestmark = pytest.mark.postgres

DDL = """
CREATE TABLE customers (
    id integer PRIMARY KEY,
    email varchar(120) NOT NULL UNIQUE,
    first_name varchar(40),
    last_name varchar(40),
    phone varchar(30),
    ssn char(11),
    notes text,
    created_at timestamptz NOT NULL
);
CREATE TABLE orders (
    id integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers (id),
    customer_email varchar(120) NOT NULL,
    total numeric(10, 2) NOT NULL
);
"""

PLANTED = {
    "emails": ["alice.planted@corp.test", "bob.planted@corp.test", "carol.planted@corp.test"],
    "phones": ["+1 (202) 555-0143", "+44 20 7946 0958", "+49 30 901820"],
    "names": ["Alice", "Plantedsen", "Bobbington", "Carolyne"],
    "ssns": ["123-45-6789", "987-65-4321", "555-12-3456"],
}

DUMP = r"""--
-- PostgreSQL database dump
--
SET statement_timeout = 0;
SET standard_conforming_strings = on;
COPY public.customers (id, email, first_name, last_name, phone, ssn, notes, created_at) FROM stdin;
1	alice.planted@corp.test	Alice	Plantedsen	+1 (202) 555-0143	123-45-6789	VIP, call +1 (202) 555-0143	2024-01-02 10:00:00+00
2	bob.planted@corp.test	Bob	Bobbington	+44 20 7946 0958	987-65-4321	\N	2024-02-03 11:30:00+00
3	carol.planted@corp.test	Carolyne	Plantedsen	+49 30 901820	555-12-3456	wrote from carol.planted@corp.test	2024-03-04 12:45:00+00
\.
COPY public.orders (id, customer_id, customer_email, total) FROM stdin;
10	1	alice.planted@corp.test	19.99
11	1	alice.planted@corp.test	5.00
12	3	carol.planted@corp.test	120.50
13	2	bob.planted@corp.test	7.25
\.
"""

MASK = {
    "source": "prod.sql",
    "safe": ["customers.id", "customers.created_at", "orders.id", "orders.customer_id", "orders.total"],
    "rules": {
        "customers": {"email": "fake", "first_name": "fake", "last_name": "fake", "phone": "format-preserving",
                      "ssn": "hash", "notes": "fake"},
        "orders": {"customer_email": "fake"},
    },
}
KEY = b"local key of exactly 32 bytes!!!"


def text_columns(url: str) -> list[tuple[str, str]]:
    return fetch(url, "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
                      "AND data_type IN ('text', 'character varying', 'character', 'json', 'jsonb')")


def leaks(url: str) -> list[str]:
    """Every planted value found anywhere in a text column of the target (case-insensitive)."""
    found = []
    for table, column in text_columns(url):
        for values in PLANTED.values():
            for value in values:
                count = fetch(url, f"SELECT COUNT(*) FROM {table} WHERE {column}::text ILIKE "
                                   f"'%' || {_literal(value)} || '%'")[0][0]
                if count:
                    found.append(f"{table}.{column}: {value}")
    return found


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def spec(folder, section=None):
    (folder / "prod.sql").write_text(DUMP)
    return parse_spec({"database": "shop", "seed": 1, "mask": section or MASK}, folder / "shop.toml")


@pytest.fixture()
def target(pg_url):
    execute(pg_url, DDL)
    return pg_url


def test_planted_values_never_reach_the_target(target, tmp_path):
    summary = mask(target, spec(tmp_path), key=KEY)
    assert {t.name: t.rows for t in summary.tables} == {"customers": 3, "orders": 4}
    assert leaks(target) == []
    assert len(text_columns(target)) == 7
    formats = fetch(target, "SELECT phone, ssn FROM customers ORDER BY id")
    assert [len(p) for p, _ in formats] == [len(p) for p in PLANTED["phones"]]
    assert fetch(target, "SELECT COUNT(DISTINCT email) FROM customers") == [(3,)]


def test_joins_survive_across_tables_and_runs(target, tmp_path, postgres_server):
    mask(target, spec(tmp_path), key=KEY)
    joined = fetch(target, "SELECT o.customer_email, c.email FROM orders o JOIN customers c ON c.id = o.customer_id")
    assert len(joined) == 4 and all(a == b for a, b in joined)
    twin = postgres_server.create_database("mask_twin")
    execute(twin, DDL)
    mask(twin, spec(tmp_path), key=KEY)
    query = "SELECT * FROM customers ORDER BY id"
    assert fetch(twin, query) == fetch(target, query)
    assert fetch(twin, "SELECT * FROM orders ORDER BY id") == fetch(target, "SELECT * FROM orders ORDER BY id")


def test_strict_mode_refuses_before_writing(target, tmp_path):
    partial = {**MASK, "rules": {"customers": {"email": "fake", "first_name": "fake"}}}
    with pytest.raises(InputError) as caught:
        mask(target, spec(tmp_path, partial), key=KEY)
    message = caught.value.what
    assert message.startswith("5 column(s) are neither masked nor declared safe")
    for column in ("customers.last_name", "customers.phone", "customers.ssn", "customers.notes",
                   "orders.customer_email"):
        assert column in message
    assert fetch(target, "SELECT COUNT(*) FROM customers") == [(0,)]


def test_masking_from_a_database_source(target, tmp_path, postgres_server):
    production = postgres_server.create_database("prod_like")
    execute(production, DDL)
    with psycopg.connect(plain(production)) as conn:
        with conn.cursor() as cursor:
            for table in ("customers", "orders"):
                block = DUMP.split(f"COPY public.{table} ")[1].split("\\.\n")[0]
                header, _, data = block.partition("\n")
                with cursor.copy(f"COPY {table} {header.split(' FROM')[0]} FROM STDIN") as copy:
                    copy.write(data)
        conn.commit()
    mask(target, spec(tmp_path), key=KEY, source=production)
    assert leaks(target) == []
    from_dump = postgres_server.create_database("from_dump")
    execute(from_dump, DDL)
    mask(from_dump, spec(tmp_path), key=KEY)
    assert fetch(target, "SELECT email, phone, ssn FROM customers ORDER BY id") == \
        fetch(from_dump, "SELECT email, phone, ssn FROM customers ORDER BY id")
    assert fetch(production, "SELECT COUNT(*) FROM customers WHERE email LIKE '%planted%'") == [(3,)]
