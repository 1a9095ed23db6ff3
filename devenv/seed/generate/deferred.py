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
    """For each deferred foreign key and each batch: (fk, first row, the fk columns' values)."""
    table, seed = builder.table, builder.spec.seed
    for fk in builder.deferred:
        parent = builder.known[fk.ref_table]
        unique = any(set(key) <= set(fk.columns) for key in table.unique_keys)
        mode = "one_to_one" if unique else "random"
        if unique and builder.rows > parent.rows:
            builder.warnings.append(f"{fk.label(table.name)}: only {parent.rows} of {builder.rows} rows get a parent")
        ratio = builder.null_ratio(fk.columns, 0.1) if not unique else 0.0
        picker = ParentPicker(fk, parent, mode, ratio, (seed, table.name, fk.columns, "deferred"))
        for number, start in enumerate(range(0, builder.rows, BATCH)):
            count = min(BATCH, builder.rows - start)
            indices = range(start, start + count)
            picked = picker.pick(indices, random.Random(derive_seed(seed, table.name, "deferred", fk.columns, number)))
            if mode == "one_to_one":
                picked = [p if i < parent.rows else None for p, i in zip(picked, indices)]
            yield fk, start, picker.values(picked)


def deferred_updates(builder: TableBuilder,
                     identity: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], list[tuple[Any, ...]]]]:
    """For each deferred foreign key of `builder`'s table, batches of (identity..., fk...) rows."""
    for fk, start, values in _deferred_values(builder):
        count = len(values[fk.columns[0]])
        keys = [builder.data.keys[c][start:start + count] for c in identity]
        rows = [row for row in zip(*keys, *(values[c] for c in fk.columns)) if any(v is not None for v in row[len(identity):])]
        if rows:
            yield identity + fk.columns, rows


def complete_held(builder: TableBuilder, batches: list[list[tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
    """The held rows of `builder`'s table (made with deferred keys NULL) with those keys filled."""
    out = [[list(row) for row in batch] for batch in batches]
    for fk, start, values in _deferred_values(builder):
        batch = out[start // BATCH]
        for column in fk.columns:
            position = builder.columns.index(column)
            for row, value in zip(batch, values[column]):
                row[position] = value
    return [[tuple(row) for row in batch] for batch in out]
