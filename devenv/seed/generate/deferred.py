"""Foreign keys deferred to break a cycle: loaded NULL first, then filled by an UPDATE once every
parent row exists; or, for NOT NULL keys when the loader sets foreign keys aside, the table's
rows are held back and completed before they are loaded. This module makes those values."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from devenv.seed.generate.references import ParentPicker
from devenv.seed.generate.rng import derive_seed
from devenv.seed.generate.table import BATCH, TableBuilder
from devenv.seed.schema.model import ForeignKey


def _deferred_values(builder: TableBuilder) -> Iterator[tuple[ForeignKey, int, dict[str, list[Any]]]]:
    """For each deferred foreign key and each batch: (fk, first row, values of the fk columns it
    fills). Columns the row shares with another key (a tenant) keep their values: the parent is
    picked among those that match them."""
    table, seed = builder.table, builder.spec.seed
    for fk in builder.deferred:
        parent = builder.known[fk.ref_table]
        given = builder.deferred_given.get(fk, ())
        unique = any(set(key) <= set(fk.columns) for key in table.unique_keys)
        mode = "one_to_one" if unique and not given else "random"
        if mode == "one_to_one" and builder.rows > parent.rows:
            builder.warnings.append(f"{fk.label(table.name)}: only {parent.rows} of {builder.rows} rows get a parent")
        picker = ParentPicker(fk, parent, mode, 0.0, (seed, table.name, fk.columns, "deferred"))
        if given:
            picker.condition(given)
            picker.groups = picker.group_parents(given)
        picker.null_ratio = 0.0 if unique else builder.null_ratio(picker.writes, 0.1)
        for number, start in enumerate(range(0, builder.rows, BATCH)):
            count = min(BATCH, builder.rows - start)
            indices = range(start, start + count)
            cols = {c: builder.data.keys[c][start:start + count] for c in given}
            picked = picker.pick(indices, random.Random(derive_seed(seed, table.name, "deferred", fk.columns, number)), cols)
            if mode == "one_to_one":
                picked = [p if i < parent.rows else None for p, i in zip(picked, indices)]
            yield fk, start, picker.values(picked)


def deferred_updates(builder: TableBuilder,
                     identity: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    """For each deferred foreign key of `builder`'s table, batches of (identity..., fk...) rows."""
    for _, start, values in _deferred_values(builder):
        if not values:
            continue  # every column of the key is filled by another key already
        columns = tuple(values)
        count = len(values[columns[0]])
        keys = [builder.data.keys[c][start:start + count] for c in identity]
        rows = [row for row in zip(*keys, *(values[c] for c in columns)) if any(v is not None for v in row[len(identity):])]
        if rows:
            yield identity + columns, rows


def complete_held(builder: TableBuilder, batches: list[list[tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
    """The held rows of `builder`'s table (made with deferred keys NULL) with those keys filled."""
    out = [[list(row) for row in batch] for batch in batches]
    for _, start, values in _deferred_values(builder):
        batch = out[start // BATCH]
        for column in values:
            position = builder.columns.index(column)
            for row, value in zip(batch, values[column]):
                row[position] = value
    return [[tuple(row) for row in batch] for batch in out]
