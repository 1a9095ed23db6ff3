"""Columns made directly as COPY text (see devenv.seed.generate.copy_texts): exactly the columns
nothing else in the row reads, and the COPY text of every batch is byte for byte what formatting
the values gives. One case per table shape."""

from __future__ import annotations

import pytest
from sqlalchemy import Boolean, Date, Integer, Numeric, String, Text

from devenv.seed.generate.pools import Pools
from devenv.seed.generate.references import TableData
from devenv.seed.generate.table import TableBuilder
from devenv.seed.load.copy_text import copy_columns, formatters
from devenv.seed.schema.constraints import Compare
from devenv.seed.schema.fill_order import make_plan
from devenv.seed.schema.model import Column, ForeignKey, Schema, Table
from devenv.seed.spec.parse import parse_spec

PARENT = Table("parent", (Column("id", Integer(), nullable=False), Column("name", String(40), nullable=False),
                          Column("price", Numeric(8, 2), nullable=False), Column("qty", Integer()),
                          Column("active", Boolean()), Column("note", Text())), ("id",), (), (("id",),))


def child(*extra: Column, fks: tuple[ForeignKey, ...] = (ForeignKey(("parent_id",), "parent", ("id",)),),
          constraints: tuple = (), unique: tuple = ()) -> Table:
    columns = (Column("id", Integer(), nullable=False), Column("parent_id", Integer()), *extra)
    return Table("child", columns, ("id",), fks, (("id",), *unique), constraints)


# (case, child table, spec of the child, columns expected as text)
CASES = [
    ("plain child", child(Column("amount", Numeric(10, 2), nullable=False), Column("status", String(10))),
     {"rows": 25_000}, {"id", "parent_id", "amount"}),
    ("a big parent's keys are printed", child(Column("amount", Numeric(10, 2), nullable=False)),
     {"rows": 3000, "parent_rows": 5000}, {"id", "amount"}),  # a status of 10 letters: made as values
    ("a check reads both sides", child(Column("low", Integer()), Column("high", Integer()),
                                       constraints=(Compare("high", ">=", "low"),)),
     {"rows": 3000}, {"id", "parent_id"}),
    ("booleans and dates stay values", child(Column("flag", Boolean()), Column("day", Date())),
     {"rows": 3000}, {"id", "parent_id"}),
    ("per-parent line numbers", child(Column("line_no", Integer(), nullable=False), unique=(("parent_id", "line_no"),)),
     {"per_parent": {"column": "parent_id", "min": 1, "max": 4}}, {"id"}),
    ("a composite key is read", Table("child", (Column("id", Integer(), nullable=False), Column("a", Integer()),
                                                Column("b", Integer())), ("id",),
                                      (ForeignKey(("a", "b"), "parent", ("id", "qty")),), (("id",),)),
     {"rows": 3000}, {"id"}),
    ("choices with a tab stay values", child(Column("kind", String(10))),
     {"rows": 3000, "columns": {"kind": {"choices": ["a\tb", "c"]}}}, {"id", "parent_id"}),
    ("overridden choices as text", child(Column("kind", String(10))),
     {"rows": 3000, "columns": {"kind": {"choices": ["a", "b"], "weights": [3, 1]}}}, {"id", "parent_id", "kind"}),
]


def build(table: Table, tables: dict, copy_text: bool) -> tuple[TableBuilder, list[bytes]]:
    schema = Schema("postgresql", {"parent": PARENT, "child": table})
    tables = dict(tables)
    parent_rows = tables.pop("parent_rows", 2000)
    spec = parse_spec({"database": "x", "seed": 9, "tables": {"parent": {"rows": parent_rows}, "child": tables}})
    plan = make_plan(schema, list(schema.tables))
    known: dict[str, TableData] = {}
    pools = Pools(spec.seed, spec.locale)
    needed = {"parent": {"id", "qty"}}
    out: list[bytes] = []
    builder = None
    for name in plan.order:
        builder = TableBuilder(schema.tables[name], spec, plan, known, pools, needed.get(name, set()), [])
        known[name] = builder.data
        if copy_text:
            builder.prefer_copy_text()
        fast = formatters(schema.tables[name], builder.columns)
        assert fast is not None
        for batch in builder.column_batches():
            out.append(copy_columns(batch.columns, fast, [c in batch.formatted for c in builder.columns]))
    assert builder is not None
    return builder, out


@pytest.mark.parametrize("case, table, tables, expected", CASES, ids=[c[0] for c in CASES])
def test_text_columns_are_those_nothing_reads_and_the_copy_text_does_not_change(case, table, tables, expected):
    as_text, made = build(table, tables, copy_text=True)
    values, formatted = build(table, tables, copy_text=False)
    assert as_text.text_columns == expected, case
    assert values.text_columns == frozenset()
    assert made == formatted


def test_a_value_put_in_a_text_column_is_formatted_as_usual():
    fast = formatters(PARENT, ["id", "qty"])
    assert fast is not None
    assert copy_columns([["1", None, "3"], [4, None, 6]], fast, [True, False]) == b"1\t4\n\\N\t\\N\n3\t6\n"
    assert copy_columns([["1", 2], [4, 5]], fast, [True, False]) == b"1\t4\n2\t5\n"


def test_int_texts_grow_on_demand_and_stop_at_the_limit(monkeypatch):
    from devenv.seed.generate import pools as pools_module

    pools = Pools(1)
    assert pools.int_texts(5) == ["0", "1", "2", "3", "4"]
    assert pools.int_texts(12)[10:12] == ["10", "11"]
    monkeypatch.setattr(pools_module, "INT_TEXTS_MAX", 100)
    assert pools.int_texts(101) is None
