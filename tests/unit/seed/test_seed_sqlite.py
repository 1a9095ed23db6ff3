"""Seeding end to end on SQLite: valid foreign keys (cycles, self-references, composite keys),
unique keys, checks, and identical data for the same seed."""

import hashlib

import pytest
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    create_engine,
    text,
)

from devenv.errors import InputError, RuntimeFailure
from devenv.seed.api import has_data, seed
from devenv.seed.spec.parse import parse_spec


def metadata() -> MetaData:
    md = MetaData()
    Table("customers", md, Column("id", Integer, primary_key=True),
          Column("email", String(60), unique=True, nullable=False), Column("name", String(40)),
          Column("age", Integer, CheckConstraint("age >= 21 AND age <= 30")),
          Column("tier", String(10), CheckConstraint("tier IN ('gold', 'silver')"), nullable=False),
          Column("created_at", DateTime, nullable=False), Column("updated_at", DateTime))
    Table("orders", md, Column("id", Integer, primary_key=True),
          Column("customer_id", ForeignKey("customers.id"), nullable=False),
          Column("total", Numeric(8, 2), CheckConstraint("total > 0"), nullable=False))
    Table("products", md, Column("id", Integer, primary_key=True), Column("sku", String(12), unique=True, nullable=False))
    Table("order_items", md, Column("order_id", ForeignKey("orders.id"), nullable=False),
          Column("product_id", ForeignKey("products.id"), nullable=False), Column("qty", Integer, nullable=False),
          PrimaryKeyConstraint("order_id", "product_id"))
    Table("departments", md, Column("id", Integer, primary_key=True), Column("name", String(30), unique=True),
          Column("head_id", Integer, ForeignKey("employees.id", use_alter=True, name="fk_head")))
    Table("employees", md, Column("id", Integer, primary_key=True), Column("full_name", String(60), nullable=False),
          Column("department_id", ForeignKey("departments.id"), nullable=False),
          Column("manager_id", ForeignKey("employees.id")), Column("birth_date", Date))
    Table("regions", md, Column("country", String(2)), Column("code", String(4)), Column("label", Text),
          PrimaryKeyConstraint("country", "code"))
    Table("stores", md, Column("id", Integer, primary_key=True), Column("country", String(2), nullable=False),
          Column("region", String(4), nullable=False),
          ForeignKeyConstraint(["country", "region"], ["regions.country", "regions.code"]))
    Table("profiles", md, Column("customer_id", ForeignKey("customers.id"), primary_key=True), Column("bio", Text))
    return md


SPEC = {
    "database": "app", "seed": 7, "rows": 40,
    "tables": {
        "customers": {"rows": 500},
        "orders": {"per_parent": {"column": "customer_id", "min": 0, "max": 5}},
        "order_items": {"per_parent": {"column": "order_id", "min": 1, "max": 4}},
        "products": {"rows": 30, "columns": {"sku": {"template": "SKU-{n:05d}"}}},
        "employees": {"rows": 60}, "departments": {"rows": 6}, "profiles": {"rows": 700},
    },
}


@pytest.fixture()
def url(tmp_path):
    path = tmp_path / "app.db"
    engine = create_engine(f"sqlite:///{path}")
    metadata().create_all(engine)
    engine.dispose()
    return f"sqlite:///{path}"


def query(url, sql):
    engine = create_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys = ON")
        rows = conn.execute(text(sql)).fetchall()
    engine.dispose()
    return rows


def checksum(url):
    digest = hashlib.sha256()
    for table in sorted(metadata().tables):
        for row in query(url, f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_foreign_keys_uniques_and_checks_hold(url):
    summary = seed(url, parse_spec(SPEC))
    assert query(url, "PRAGMA foreign_key_check") == []
    counts = {t.name: t.rows for t in summary.tables}
    assert counts["customers"] == 500
    assert counts["profiles"] == 500  # one per customer: capped, with a warning
    assert any("profiles" in w for w in summary.warnings)
    assert query(url, "SELECT COUNT(*) FROM customers WHERE age < 21 OR age > 30") == [(0,)]
    assert query(url, "SELECT COUNT(*) FROM customers WHERE tier NOT IN ('gold', 'silver')") == [(0,)]
    assert query(url, "SELECT COUNT(*) FROM orders WHERE total <= 0") == [(0,)]
    assert query(url, "SELECT COUNT(*) FROM customers WHERE updated_at < created_at") == [(0,)]
    assert query(url, "SELECT COUNT(*) FROM customers WHERE length(email) > 60") == [(0,)]
    assert query(url, "SELECT COUNT(DISTINCT email) FROM customers") == [(500,)]
    assert query(url, "SELECT COUNT(*) FROM customers WHERE email NOT LIKE '%@example.___'") == [(0,)]
    per_customer = query(url, "SELECT MAX(n) FROM (SELECT COUNT(*) n FROM orders GROUP BY customer_id)")[0][0]
    assert per_customer <= 5
    # the cycle: departments.head_id filled after employees exist
    assert query(url, "SELECT COUNT(*) FROM departments WHERE head_id IS NOT NULL")[0][0] > 0
    # the self-reference: a forest, managers exist
    assert query(url, "SELECT COUNT(*) FROM employees WHERE manager_id IS NOT NULL")[0][0] > 0
    assert query(url, "SELECT COUNT(*) FROM stores")[0][0] == 40


def test_same_seed_same_data_other_seed_other_data(url, tmp_path):
    seed(url, parse_spec(SPEC))
    first = checksum(url)
    seed(url, parse_spec(SPEC), reset=True)
    assert checksum(url) == first
    seed(url, parse_spec({**SPEC, "seed": 8}), reset=True)
    assert checksum(url) != first


def test_refuses_filled_tables_without_reset(url):
    spec = parse_spec(SPEC)
    assert not has_data(url, spec)
    seed(url, spec)
    assert has_data(url, spec)
    with pytest.raises(RuntimeFailure, match="already hold rows"):
        seed(url, spec)


def test_unknown_tables_and_columns_are_input_errors(url):
    with pytest.raises(InputError, match="tables the database does not have: nope"):
        seed(url, parse_spec({"database": "app", "seed": 1, "tables": {"nope": {"rows": 1}}}))
    with pytest.raises(InputError, match="no column 'colour'"):
        seed(url, parse_spec({"database": "app", "seed": 1, "tables": {"customers": {"columns": {"colour": {"constant": 1}}}}}))
    with pytest.raises(InputError, match="is a foreign key"):
        seed(url, parse_spec({"database": "app", "seed": 1, "tables": {"orders": {"columns": {"customer_id": {"constant": 1}}}}}))


def test_skipped_parent_rows_are_referenced(url):
    seed(url, parse_spec({"database": "app", "seed": 1, "rows": 5}))
    spec = parse_spec({"database": "app", "seed": 2, "rows": 20, "skip": ["regions"]})
    seed(url, spec, reset=True)
    assert query(url, "PRAGMA foreign_key_check") == []
    assert query(url, "SELECT COUNT(*) FROM regions") == [(5,)]


def test_progress_reports_every_table(url):
    calls = []
    seed(url, parse_spec(SPEC), progress=lambda table, done, total: calls.append((table, done, total)))
    finished = {table for table, done, total in calls if done == total}
    assert finished == set(metadata().tables)
