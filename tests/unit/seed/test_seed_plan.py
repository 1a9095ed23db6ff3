"""Table order: parents first, cycles broken on a nullable foreign key."""

import pytest
from sqlalchemy import Integer

from devenv.errors import InputError
from devenv.seed.schema.fill_order import make_plan
from devenv.seed.schema.model import Column, ForeignKey, Schema, Table


def table(name, fks=(), nullable=()):
    columns = {"id"} | {c for cols, _ in fks for c in cols}
    return Table(
        name,
        tuple(Column(c, Integer(), nullable=c in nullable) for c in sorted(columns)),
        ("id",),
        tuple(ForeignKey(tuple(cols), ref, ("id",) * len(cols)) for cols, ref in fks),
        (("id",),),
    )


def schema(*tables):
    return Schema("postgresql", {t.name: t for t in tables})


CASES = [
    ("chain", [table("c", [(("b_id",), "b")]), table("b", [(("a_id",), "a")]), table("a")], ("a", "b", "c"), {}),
    ("diamond", [table("d", [(("b_id",), "b"), (("c_id",), "c")]), table("b", [(("a_id",), "a")]),
                 table("c", [(("a_id",), "a")]), table("a")], ("a", "b", "c", "d"), {}),
    ("self reference is no dependency", [table("emp", [(("manager_id",), "emp")], {"manager_id"})], ("emp",), {}),
    ("two-table cycle, nullable side deferred",
     [table("dept", [(("head_id",), "emp")], {"head_id"}), table("emp", [(("dept_id",), "dept")])],
     ("dept", "emp"), {"dept": ("head_id",)}),
    ("three-table cycle",
     [table("a", [(("b_id",), "b")]), table("b", [(("c_id",), "c")]), table("c", [(("a_id",), "a")], {"a_id"})],
     ("c", "b", "a"), {"c": ("a_id",)}),
]


@pytest.mark.parametrize("label,tables,order,deferred", CASES, ids=[c[0] for c in CASES])
def test_order(label, tables, order, deferred):
    s = schema(*tables)
    plan = make_plan(s, s.tables)
    assert plan.order == order
    assert {t: fks[0].columns for t, fks in plan.deferred.items()} == deferred


def test_external_parents_are_listed():
    s = schema(table("orders", [(("currency_id",), "currencies")]), table("currencies"))
    plan = make_plan(s, ["orders"])
    assert plan.order == ("orders",) and plan.external == ("currencies",)


def test_cycle_without_nullable_column_is_an_input_error():
    s = schema(table("a", [(("b_id",), "b")]), table("b", [(("a_id",), "a")]))
    with pytest.raises(InputError, match="cycle with no nullable column"):
        make_plan(s, s.tables)


def test_protected_foreign_key_is_not_deferred():
    s = schema(table("a", [(("b_id",), "b")], {"b_id"}), table("b", [(("a_id",), "a")], {"a_id"}))
    plan = make_plan(s, s.tables, protected=frozenset({("a", ("b_id",))}))
    assert {t: fks[0].columns for t, fks in plan.deferred.items()} == {"b": ("a_id",)}
    assert plan.order == ("b", "a")
