"""Seeding a real PostgreSQL 15: the database itself enforces the foreign keys, unique keys and
check constraints declared below, so a successful seed proves the data obeys them; the queries
after it say so explicitly too."""

from __future__ import annotations

import psycopg
import pytest

from devenv.errors import InputError, RuntimeFailure
from devenv.seed.api import has_data, seed
from devenv.seed.spec.parse import parse_spec

pytestmark = pytest.mark.postgres

DDL = """
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');
CREATE TABLE customers (
    id bigserial PRIMARY KEY,
    email varchar(80) NOT NULL UNIQUE,
    first_name varchar(40) NOT NULL,
    last_name varchar(40) NOT NULL,
    phone varchar(20),
    tier varchar(10) NOT NULL CHECK (tier IN ('gold', 'silver', 'bronze')),
    age integer CHECK (age >= 18 AND age < 100),
    credit numeric(8, 2) NOT NULL CHECK (credit BETWEEN 0 AND 5000),
    created_at timestamptz NOT NULL,
    updated_at timestamptz,
    prefs jsonb,
    public_id uuid NOT NULL UNIQUE,
    CHECK (updated_at >= created_at)
);
CREATE TABLE products (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku varchar(12) NOT NULL UNIQUE,
    name text NOT NULL,
    price numeric(10, 2) NOT NULL CHECK (price > 0),
    stock smallint NOT NULL CHECK (stock >= 0)
);
CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status order_status NOT NULL,
    placed_at timestamp NOT NULL,
    shipped_at timestamp,
    CHECK (shipped_at > placed_at)
);
CREATE TABLE order_items (
    order_id integer NOT NULL REFERENCES orders (id),
    product_id integer NOT NULL REFERENCES products (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, product_id)
);
CREATE TABLE departments (id serial PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, head_id integer);
CREATE TABLE employees (
    id serial PRIMARY KEY,
    full_name varchar(80) NOT NULL,
    department_id integer NOT NULL REFERENCES departments (id),
    manager_id integer REFERENCES employees (id),
    hired_on date NOT NULL
);
ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees (id);
CREATE TABLE regions (country char(2) NOT NULL, code varchar(4) NOT NULL, name text, PRIMARY KEY (country, code));
CREATE TABLE stores (
    id serial PRIMARY KEY,
    country char(2) NOT NULL,
    region_code varchar(4) NOT NULL,
    FOREIGN KEY (country, region_code) REFERENCES regions (country, code)
);
CREATE TABLE profiles (customer_id bigint PRIMARY KEY REFERENCES customers (id), bio text);
CREATE TABLE tags (id serial PRIMARY KEY, label varchar(30) NOT NULL UNIQUE);
CREATE TABLE product_tags (
    product_id integer NOT NULL REFERENCES products (id),
    tag_id integer NOT NULL REFERENCES tags (id),
    PRIMARY KEY (product_id, tag_id)
);
CREATE TABLE schema_migrations (version text PRIMARY KEY);
INSERT INTO schema_migrations VALUES ('001'), ('002');
"""

SPEC = {
    "database": "shop", "seed": 2024, "rows": 50, "skip": ["schema_migrations"],
    "tables": {
        "customers": {"rows": 2000},
        "orders": {"per_parent": {"column": "customer_id", "min": 0, "max": 6, "distribution": "poisson", "mean": 2}},
        "order_items": {"per_parent": {"column": "order_id", "min": 1, "max": 5}},
        "products": {"rows": 300, "columns": {"stock": {"range": [0, 200]}}},
        "departments": {"rows": 8}, "employees": {"rows": 120}, "regions": {"rows": 30}, "stores": {"rows": 200},
        "profiles": {"rows": 1500}, "tags": {"rows": 12}, "product_tags": {"rows": 1000},
    },
}

ORPHANS = {
    "orders -> customers": "SELECT COUNT(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL",
    "order_items -> orders": "SELECT COUNT(*) FROM order_items i LEFT JOIN orders o ON o.id = i.order_id WHERE o.id IS NULL",
    "employees -> managers": "SELECT COUNT(*) FROM employees e LEFT JOIN employees m ON m.id = e.manager_id "
                             "WHERE e.manager_id IS NOT NULL AND m.id IS NULL",
    "departments -> heads": "SELECT COUNT(*) FROM departments d LEFT JOIN employees e ON e.id = d.head_id "
                            "WHERE d.head_id IS NOT NULL AND e.id IS NULL",
    "stores -> regions": "SELECT COUNT(*) FROM stores s LEFT JOIN regions r ON (r.country, r.code) = (s.country, s.region_code) "
                         "WHERE r.code IS NULL",
}


def plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def execute(url: str, sql: str) -> None:
    with psycopg.connect(plain(url), autocommit=True) as conn:
        conn.execute(sql)


def scalar(url: str, sql: str):
    with psycopg.connect(plain(url)) as conn:
        return conn.execute(sql).fetchone()[0]


def checksums(url: str) -> dict[str, str]:
    with psycopg.connect(plain(url)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1").fetchall()]
        return {t: conn.execute(f"SELECT md5(COALESCE(string_agg(x::text, '|' ORDER BY x::text), '')) FROM {t} x")
                .fetchone()[0] for t in tables}


@pytest.fixture()
def shop(pg_url):
    execute(pg_url, DDL)
    return pg_url


def test_seeded_data_obeys_every_declared_constraint(shop):
    summary = seed(shop, parse_spec(SPEC))
    rows = {t.name: t.rows for t in summary.tables}
    assert rows["customers"] == 2000 and rows["orders"] > 2000 and rows["order_items"] >= rows["orders"]
    assert "schema_migrations" not in rows
    assert scalar(shop, "SELECT COUNT(*) FROM schema_migrations") == 2
    for label, sql in ORPHANS.items():
        assert scalar(shop, sql) == 0, label
    assert scalar(shop, "SELECT COUNT(*) FROM departments WHERE head_id IS NOT NULL") > 0  # the cycle closed
    assert scalar(shop, "SELECT COUNT(*) FROM employees WHERE manager_id IS NOT NULL") > 0
    assert scalar(shop, "SELECT MAX(n) FROM (SELECT COUNT(*) n FROM orders GROUP BY customer_id) x") <= 6
    assert scalar(shop, "SELECT COUNT(DISTINCT status) FROM orders") == 4
    assert scalar(shop, "SELECT COUNT(*) FROM customers WHERE email NOT LIKE '%@example.___'") == 0
    assert scalar(shop, "SELECT COUNT(*) FROM customers WHERE email NOT LIKE "
                        "lower(regexp_replace(first_name, '[^A-Za-z]', '', 'g')) || '.%'") == 0  # names match
    assert scalar(shop, "SELECT COUNT(*) FROM products WHERE stock > 200") == 0
    # sequences and identities continue after the seeded keys
    execute(shop, "INSERT INTO products (sku, name, price, stock) VALUES ('NEW-1', 'n', 1, 1)")
    assert scalar(shop, "SELECT MAX(id) FROM products") == 301
    execute(shop, "INSERT INTO customers (email, first_name, last_name, tier, credit, created_at, public_id) "
                  "VALUES ('x@y.z', 'a', 'b', 'gold', 1, now(), gen_random_uuid())")


def test_same_seed_gives_identical_data_in_two_databases(shop, postgres_server):
    other = postgres_server.create_database("determinism_twin")
    execute(other, DDL)
    seed(shop, parse_spec(SPEC))
    seed(other, parse_spec(SPEC))
    first, second = checksums(shop), checksums(other)
    assert first == second
    assert len(first) == 12
    seed(other, parse_spec({**SPEC, "seed": 2025}), reset=True)
    assert checksums(other)["customers"] != first["customers"]


def test_unique_keys_hold_at_200k_rows(pg_url):
    execute(pg_url, """
        CREATE TABLE accounts (
            id bigint PRIMARY KEY,
            email varchar(60) NOT NULL UNIQUE,
            username varchar(24) NOT NULL UNIQUE,
            phone varchar(20) NOT NULL UNIQUE,
            code varchar(10) NOT NULL UNIQUE,
            token char(16) NOT NULL UNIQUE,
            external_id uuid NOT NULL UNIQUE,
            seat integer NOT NULL UNIQUE CHECK (seat BETWEEN 1 AND 250000)
        )""")
    summary = seed(pg_url, parse_spec({"database": "x", "seed": 3, "tables": {"accounts": {"rows": 200_000}}}))
    assert summary.rows == 200_000
    for column in ("email", "username", "phone", "code", "token", "external_id", "seat"):
        assert scalar(pg_url, f"SELECT COUNT(DISTINCT {column}) FROM accounts") == 200_000, column


def test_reset_truncates_with_cascade_and_refill_is_identical(shop):
    spec = parse_spec(SPEC)
    seed(shop, spec)
    before = checksums(shop)
    assert has_data(shop, spec)
    with pytest.raises(RuntimeFailure, match="already hold rows"):
        seed(shop, spec)
    seed(shop, spec, reset=True)
    assert checksums(shop) == before


def test_failure_rolls_everything_back(pg_url):
    execute(pg_url, """
        CREATE TABLE parents (id integer PRIMARY KEY);
        CREATE TABLE items (id integer PRIMARY KEY, parent_id integer REFERENCES parents (id),
                            code text NOT NULL CHECK (code ~ '^[0-9]+$'))""")
    with pytest.raises(RuntimeFailure) as caught:
        seed(pg_url, parse_spec({"database": "x", "seed": 1, "rows": 10}))
    assert caught.value.where == "table items"
    assert "violates check constraint" in caught.value.what
    assert scalar(pg_url, "SELECT COUNT(*) FROM parents") == 0


def test_models_create_the_schema_when_there_are_no_migrations(pg_url, tmp_path, monkeypatch):
    (tmp_path / "shop_models.py").write_text(
        "from sqlalchemy import Column, ForeignKey, Integer, String\n"
        "from sqlalchemy.orm import DeclarativeBase\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class Author(Base):\n    __tablename__ = 'authors'\n    id = Column(Integer, primary_key=True)\n"
        "    name = Column(String(50), nullable=False)\n"
        "class Book(Base):\n    __tablename__ = 'books'\n    id = Column(Integer, primary_key=True)\n"
        "    author_id = Column(ForeignKey('authors.id'), nullable=False)\n    title = Column(String(120))\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    summary = seed(pg_url, parse_spec({"database": "x", "seed": 1, "rows": 25, "models": "shop_models:Base"}))
    assert {t.name for t in summary.tables} == {"authors", "books"}
    assert scalar(pg_url, "SELECT COUNT(*) FROM books") == 25


def test_guard_refuses_remote_and_passes_allowed_stack_hosts(shop):
    spec = parse_spec(SPEC)
    remote = shop.replace("127.0.0.1", "db.prod.invalid")
    with pytest.raises(InputError, match="refusing to write"):
        seed(remote, spec)
    # A stack host name passes the guard when allowed; here it does not resolve, so connecting fails.
    stack_host = shop.replace("127.0.0.1", "devenv-unresolvable-stack-host.invalid")
    with pytest.raises(InputError):
        seed(stack_host, spec)
    with pytest.raises(RuntimeFailure, match="cannot connect"):
        seed(stack_host, spec, allow_hosts=frozenset({"devenv-unresolvable-stack-host.invalid"}))


def test_the_drivers_environment_cannot_steer_the_connection(shop, monkeypatch):
    """libpq reads PGOPTIONS, PGDATABASE... when it connects: devenv connects with them hidden, so
    the URL alone decides (were PGOPTIONS read, every write would fail in a read-only transaction)."""
    monkeypatch.setenv("PGOPTIONS", "-c default_transaction_read_only=on")
    monkeypatch.setenv("PGDATABASE", "postgres")
    monkeypatch.setenv("PGHOST", "db.prod.invalid")  # not used: the URL names its host, as libpq would
    monkeypatch.setenv("PGPORT", "1")
    summary = seed(shop, parse_spec(SPEC))
    assert summary.rows > 0
    assert scalar(shop, "SELECT COUNT(*) FROM customers") == 2000


def test_foreign_keys_set_aside_for_copy_are_put_back_and_verified(shop, monkeypatch):
    count = "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f'"
    before = scalar(shop, count)
    seed(shop, parse_spec(SPEC))
    assert scalar(shop, count) == before
    seeded = checksums(shop)

    from devenv.seed.generate import references

    original = references.ParentPicker.values

    def dangling(self, picked):
        values = original(self, picked)
        if self.fk.ref_table == "customers":
            values["customer_id"][0] = 10**9  # a customer that does not exist
        return values

    monkeypatch.setattr(references.ParentPicker, "values", dangling)
    with pytest.raises(RuntimeFailure, match="violates foreign key constraint"):
        seed(shop, parse_spec(SPEC), reset=True)
    assert scalar(shop, count) == before
    assert checksums(shop) == seeded  # rolled back whole: the earlier rows are still there
