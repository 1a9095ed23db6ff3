"""The order tables are loaded in: parents always before their children, and among the tables
ready, the one with the most rows depending on it first (so small tables come last)."""

import pytest
from sqlalchemy import Integer

from devenv.seed.run.seeding import load_order
from devenv.seed.schema.fill_order import make_plan
from devenv.seed.schema.model import Column, ForeignKey, Schema, Table


def table(name, fks=(), nullable=()):
    columns = {"id"} | {c for cols, _ in fks for c in cols}
    return Table(name, tuple(Column(c, Integer(), nullable=c in nullable) for c in sorted(columns)), ("id",),
                 tuple(ForeignKey(tuple(cols), ref, ("id",) * len(cols)) for cols, ref in fks), (("id",),))


SHOP = [table("categories"), table("customers"), table("addresses", [(("customer_id",), "customers")]),
        table("products", [(("category_id",), "categories")]), table("orders", [(("customer_id",), "customers")]),
        table("order_items", [(("order_id",), "orders"), (("product_id",), "products")]),
        table("payments", [(("order_id",), "orders")]),
        table("reviews", [(("product_id",), "products"), (("customer_id",), "customers")])]
SHOP_ROWS = {"categories": 200, "customers": 100_000, "addresses": 100_000, "products": 20_000, "orders": 250_000,
             "order_items": 400_000, "payments": 100_000, "reviews": 29_800}

CASES = [
    ("shop: the big leaf early, the small ones last", SHOP, SHOP_ROWS,
     ["customers", "orders", "categories", "products", "order_items", "addresses", "payments", "reviews"]),
    ("equal weights keep the plan's order", [table("b"), table("a"), table("c", [(("a_id",), "a")])],
     {"a": 10, "b": 10, "c": 0}, ["a", "b", "c"]),
    ("a small parent of a big child goes first", [table("big"), table("tiny"), table("child", [(("tiny_id",), "tiny")])],
     {"big": 1000, "tiny": 1, "child": 5000}, ["tiny", "child", "big"]),
    ("a deferred key is no dependency", [table("dept", [(("head_id",), "emp")], {"head_id"}),
                                         table("emp", [(("dept_id",), "dept")])],
     {"dept": 10, "emp": 1000}, ["dept", "emp"]),
    ("a self reference is no dependency", [table("emp", [(("manager_id",), "emp")], {"manager_id"})],
     {"emp": 5}, ["emp"]),
]


@pytest.mark.parametrize("label, tables, rows, expected", CASES, ids=[c[0] for c in CASES])
def test_load_order(label, tables, rows, expected):
    schema = Schema("postgresql", {t.name: t for t in tables})
    plan = make_plan(schema, schema.tables)
    order = load_order(schema, plan, rows)
    assert order == expected, label
    for name in order:  # every parent (but deferred keys' and itself) before the table
        for fk in schema.tables[name].foreign_keys:
            if fk.ref_table != name and not plan.is_deferred(name, fk):
                assert order.index(fk.ref_table) < order.index(name)
