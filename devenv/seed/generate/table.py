"""Synthetic rows for one table, batch by batch: column generators, foreign keys, unique keys and
row-level check constraints combined. Every batch draws from RNGs seeded by (spec seed, table,
column, batch number), so the data never depends on the order or the machine it is made on."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from devenv.errors import InputError
from devenv.seed.generate import generators as g
from devenv.seed.generate.copy_texts import TEXT_KINDS
from devenv.seed.generate.inference import build_generator, default_null_ratio
from devenv.seed.generate.keys import Ordinal, plan_unique_keys
from devenv.seed.generate.kinds import ColumnContext
from devenv.seed.generate.pools import Pools
from devenv.seed.generate.references import (
    JointKey,
    ParentPicker,
    PerParentLayout,
    SelfPicker,
    TableData,
)
from devenv.seed.generate.rng import derive_seed
from devenv.seed.generate.row_checks import (
    align_emails,
    email_columns,
    repair,
    row_checks,
)
from devenv.seed.generate.shared import restrict_owners, share_columns
from devenv.seed.schema.constraints import Compare
from devenv.seed.schema.fill_order import Plan
from devenv.seed.schema.model import Column, ForeignKey, Table
from devenv.seed.spec.model import SeedSpec, TableSpec

BATCH = 10_000
_DERIVED = ("other", "tsvector")  # kinds a database default or trigger fills better than a guess


@dataclass(frozen=True)
class ColumnBatch:
    """A batch of `count` rows as one list of values per column (in `TableBuilder.columns` order)."""

    count: int
    columns: list[list[Any]]
    formatted: frozenset[str] = frozenset()  # columns given as COPY text already (see `copy_texts`)


class TableBuilder:
    """Plans one table (row count, foreign keys, uniqueness) and yields its rows batch by batch.
    `dry`: plan only, with parents known by their row counts (the check made before writing)."""

    def __init__(self, table: Table, spec: SeedSpec, plan: Plan, known: dict[str, TableData],
                 pools: Pools, needed: set[str], warnings: list[str], dry: bool = False) -> None:
        self.table, self.spec, self.plan, self.known = table, spec, plan, known
        self.pools, self.warnings, self.dry = pools, warnings, dry
        self.tspec = spec.tables.get(table.name, TableSpec())
        self.where = spec.where
        self.fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
        self._check_overrides()
        self.omitted = [c.name for c in table.writable if self._left_to_database(c)]
        self.columns = [c.name for c in table.writable if c.name not in self.omitted]
        self.data = TableData(table.name, 0, {name: [] for name in needed})
        self.pickers: list[ParentPicker] = []
        self.self_pickers: list[SelfPicker] = []
        self.deferred = [fk for fk in table.foreign_keys if plan.is_deferred(table.name, fk)]
        self.layout: PerParentLayout | None = None
        self.joints: list[tuple[JointKey, list[tuple[str, list[Any]]]]] = []
        self.ordinals: list[Ordinal] = []
        self._plan_references()
        self.rows = self._base_rows()
        for picker in self.pickers:
            picker.layout = self.layout
        picked = {c for p in self.pickers for c in p.writes}
        # a deferred key's columns another key fills already (a tenant): kept, and matched later
        self.deferred_given = {fk: tuple(c for c in fk.columns if c in picked) for fk in self.deferred}
        for given in self.deferred_given.values():
            for column in given:
                self.data.keys.setdefault(column, [])
        unique_columns = plan_unique_keys(self)
        self.data.rows = self.rows
        self.generators = self._build_generators(unique_columns)
        self.data.offsets = {name: gen.start for name, gen in self.generators.items()
                             if name in self.data.keys and type(gen) is g.Sequential}
        self.checks = row_checks(table, self.tspec, self.generators)
        self._moments_as_text()
        self.email_names = email_columns(table, self.tspec, self.generators)
        self.text_columns: frozenset[str] = frozenset()

    def prefer_copy_text(self) -> None:
        """Make the columns nothing else reads as COPY text (for a loader writing COPY text)."""
        self.text_columns = _text_columns(self)

    # planning
    def _left_to_database(self, column: Column) -> bool:
        """A column with no generator for its type (a tsvector, a geometry...) that a default,
        a BEFORE INSERT trigger or NULL fills: left out of the rows, for the database to fill."""
        if column.kind not in _DERIVED or column.name in self.tspec.columns:
            return False
        if column.has_default or self.table.insert_triggers:
            return True
        return column.nullable and column.kind == "other"  # a tsvector with nothing to fill it is made

    def _check_overrides(self) -> None:
        names = set(self.table.column_names)
        for name, override in self.tspec.columns.items():
            key = f"{self.where}: tables.{self.table.name}.columns.{name}"
            if name not in names:
                raise InputError(f"table {self.table.name} has no column '{name}'", key,
                                 "columns: " + ", ".join(self.table.column_names))
            if name in self.fk_columns and override.generator is not None:
                raise InputError(f"{self.table.name}.{name} is a foreign key: its values come from parent rows",
                                 key, "keep only null_ratio for it, or use per_parent for the distribution")

    def _base_rows(self) -> int:
        per_parent = self.tspec.per_parent
        if per_parent is None:
            return self.tspec.rows if self.tspec.rows is not None else self.spec.rows
        fk = self._fk_for(per_parent.columns)
        parent = self.known[fk.ref_table]
        cap = 1 if any(set(key) <= set(fk.columns) for key in self.table.unique_keys) else None
        for key in self.table.unique_keys:
            rest = set(key) - set(fk.columns)
            other = self._fk_covering(rest) if set(fk.columns) <= set(key) and rest else None
            if other is not None and other.ref_table in self.known:
                cap = self.known[other.ref_table].rows if cap is None else min(cap, self.known[other.ref_table].rows)
        picker = next((p for p in self.pickers if p.mode == "per_parent"), None)
        eligible = set(picker.pool) if picker is not None and picker.pool is not None else None
        self.layout = PerParentLayout(per_parent, parent.rows, cap, (self.spec.seed, self.table.name), eligible)
        return self.layout.rows

    def _fk_for(self, columns: tuple[str, ...]) -> ForeignKey:
        for fk in self.table.foreign_keys:
            if set(fk.columns) == set(columns):
                return fk
        raise InputError(f"per_parent.column {', '.join(columns)} is not a foreign key of {self.table.name}",
                         f"{self.where}: tables.{self.table.name}.per_parent.column",
                         "name the foreign-key column(s) that point at the parent table")

    def _fk_covering(self, columns: set[str]) -> ForeignKey | None:
        for fk in self.table.foreign_keys:
            if set(fk.columns) == columns and fk.ref_table != self.table.name:
                return fk
        return None

    def null_ratio(self, columns: tuple[str, ...], default: float) -> float:
        for name in columns:
            override = self.tspec.columns.get(name)
            if override is not None and override.null_ratio is not None:
                return override.null_ratio
        nullable = all(self.table.column(c).nullable for c in columns)
        return default if nullable else 0.0

    def _plan_references(self) -> None:
        per_parent_cols = set(self.tspec.per_parent.columns) if self.tspec.per_parent else set()
        for fk in self.table.foreign_keys:
            if fk in self.deferred:
                continue
            if fk.ref_table == self.table.name:
                nullable = all(self.table.column(c).nullable for c in fk.columns)
                self.self_pickers.append(SelfPicker(fk, self.data, nullable, self.null_ratio(fk.columns, 0.1)))
                continue
            parent = self.known[fk.ref_table]
            if parent.rows == 0 and not all(self.table.column(c).nullable for c in fk.columns):
                raise InputError(f"{fk.label(self.table.name)}: the parent table has no rows", self.where,
                                 f"give {fk.ref_table} rows, or skip {self.table.name}")
            mode = "per_parent" if set(fk.columns) == per_parent_cols else "random"
            picker = ParentPicker(fk, parent, mode, 0.0 if mode == "per_parent" else self.null_ratio(fk.columns, 0.1),
                                  (self.spec.seed, self.table.name, fk.columns))
            self.pickers.append(picker)
        share_columns(self.pickers, self.self_pickers)
        for picker in self.pickers:  # a key sharing a NOT NULL tenant column may still be NULL in its own
            if picker.given and picker.mode == "given":
                picker.null_ratio = self.null_ratio(picker.writes, 0.1) if picker.writes else 0.0
        for self_picker in self.self_pickers:
            own = [c for c in self_picker.fk.columns if c not in self_picker.given]
            self_picker.nullable = all(self.table.column(c).nullable for c in own)
            self_picker.null_ratio = self.null_ratio(tuple(own), 0.1)
        if not self.dry:
            restrict_owners(self.pickers)
        for picker in self.pickers:
            if picker.pool is not None and not picker.pool and not all(self.table.column(c).nullable for c in picker.fk.columns):
                raise InputError(f"{picker.fk.label(self.table.name)}: no {picker.fk.ref_table} row matches the rows of the "
                                 "tables sharing its columns", self.where, "give those tables more rows, or skip "
                                 f"{self.table.name}")

    def cap_rows(self, limit: int, why: str) -> None:
        """At most `limit` rows: an error for a per-parent distribution (say what to change), else
        the row count is lowered with a warning."""
        if self.rows <= limit:
            return
        if self.layout is not None:
            raise InputError(f"{self.table.name}: per_parent asks for {self.rows} rows but only {limit} {why} exist",
                             f"{self.where}: tables.{self.table.name}.per_parent", "lower max")
        self.warnings.append(f"{self.table.name}: {self.rows} rows asked, {limit} made (only {limit} {why})")
        self.rows = limit

    def _build_generators(self, unique: set[str]) -> dict[str, g.Generator]:
        out: dict[str, g.Generator] = {}
        skipped = {name for _, finite in self.joints for name, _ in finite} | {o.column for o in self.ordinals}
        single_pk = self.table.primary_key if len(self.table.primary_key) == 1 else ()
        for column in self.table.writable:
            name = column.name
            if name in self.fk_columns or name in skipped or name in self.omitted:
                continue
            override = self.tspec.columns.get(name)
            needs_unique = name in unique
            numbered = name in single_pk or column.autoincrement
            if numbered and column.kind == "int" and (override is None or override.generator is None):
                out[name] = g.Sequential(1)  # what the database's own sequence would give
                continue
            ctx = ColumnContext(self.table, column, self.rows, self.spec.seed, self.spec.now, self.pools,
                                unique=needs_unique, where=self.where)
            gen = build_generator(ctx, override)
            if needs_unique and not gen.unique:
                gen = self._uniquified(ctx, gen)
            ratio = override.null_ratio if override is not None and override.null_ratio is not None else (
                0.0 if needs_unique or not column.nullable or name in self.table.primary_key
                else default_null_ratio(name))
            if ratio > 0 and not column.nullable:
                raise InputError(f"{self.table.name}.{name} is NOT NULL: null_ratio must be 0",
                                 f"{self.where}: tables.{self.table.name}.columns.{name}.null_ratio")
            out[name] = g.WithNulls(gen, ratio) if ratio > 0 else gen
            self._length_checks(ctx, out, name)
        return out

    def _moments_as_text(self) -> None:
        """Dates and datetimes nothing in the row reads (no check, no child key) come as ISO
        text: every loader takes it, and it costs a third of making datetimes and printing them."""
        read = set(self.data.keys) | {c for check in self.checks
                                      for c in ((check.left, check.right) if isinstance(check, Compare) else (check.column,))}
        for name, gen in self.generators.items():
            inner = gen.inner if isinstance(gen, g.WithNulls) else gen
            if isinstance(inner, g.TimeRange) and name not in read and inner.text_ok():
                inner.as_text = True

    def _uniquified(self, ctx: ColumnContext, gen: g.Generator) -> g.Generator:
        kind = ctx.column.kind
        if kind in ("string", "text"):
            wrapped = g.IndexedText(gen, self.rows, ctx.key, ctx.max_length)
            if ctx.max_length is not None and ctx.max_length < wrapped.min_length:
                raise InputError(f"{self.table.name}.{ctx.column.name}: {self.rows} unique values do not fit "
                                 f"in {ctx.max_length} characters", f"{self.where}: tables.{self.table.name}",
                                 "lower the row count")
            return wrapped
        raise InputError(f"{self.table.name}.{ctx.column.name} must be unique but its generator repeats values "
                         f"for {self.rows} rows", f"{self.where}: tables.{self.table.name}.columns.{ctx.column.name}",
                         "widen its range, or use a template with {n}")

    def _length_checks(self, ctx: ColumnContext, out: dict[str, g.Generator], name: str) -> None:
        minimum = ctx.extras.get("min_length", 0)
        if minimum or (ctx.max_length and ctx.column.kind in ("string", "text")):
            out[name] = _Fit(out[name], minimum, ctx.max_length)

    # generation
    def batches(self) -> Iterator[list[tuple[Any, ...]]]:
        """The table's rows, BATCH at a time, as tuples in `self.columns` order (deferred
        foreign keys NULL)."""
        for batch in self.column_batches():
            yield list(zip(*batch.columns))

    def column_batches(self) -> Iterator[ColumnBatch]:
        """The same rows as `batches`, one list of values per column of `self.columns`."""
        seed, name = self.spec.seed, self.table.name
        deferred_cols = {c for fk in self.deferred for c in fk.columns if c not in self.deferred_given[fk]}
        counters: list[dict[tuple[Any, ...], int]] = [{} for _ in self.ordinals]
        for number, start in enumerate(range(0, self.rows, BATCH)):
            count = min(BATCH, self.rows - start)
            indices = range(start, start + count)
            cols: dict[str, list[Any]] = {}
            for column, gen in self.generators.items():
                cols[column] = gen.generate(g.Batch(start, count, random.Random(derive_seed(seed, name, column, number))))
            if self.email_names:
                align_emails(self.table, self.email_names, cols)
            for picker in self.pickers:
                rng = random.Random(derive_seed(seed, name, "fk", picker.fk.columns, number))
                cols.update(picker.values(picker.pick(indices, rng, cols)))
            for joint, finite in self.joints:
                for position, (column, domain) in enumerate(finite, start=len(joint.sizes) - len(finite)):
                    cols[column] = [domain[joint.digit(i, position)] for i in indices]
            for ordinal, counter in zip(self.ordinals, counters):
                cols[ordinal.column] = _count(counter, zip(*(cols[c] for c in ordinal.group)), ordinal.start)
            for column in deferred_cols:
                cols[column] = [None] * count
            self.data.append({k: cols[k] for k in self.data.keys if k in cols})
            for self_picker in self.self_pickers:
                rng = random.Random(derive_seed(seed, name, "self", self_picker.fk.columns, number))
                cols.update(self_picker.values(indices, rng, cols))
            repair(self.checks, cols, count, random.Random(derive_seed(seed, name, "repair", number)), self.fk_columns)
            yield ColumnBatch(count if self.columns else 0, [cols[c] for c in self.columns], self.text_columns)


def _count(counter: dict[tuple[Any, ...], int], groups: Iterator[tuple[Any, ...]], start: int) -> list[int]:
    """1..n (from `start`) within each group, continuing across batches through `counter`."""
    out = []
    for group in groups:
        number = counter.get(group, start - 1) + 1
        counter[group] = number
        out.append(number)
    return out


class _Fit(g.Generator):
    """Strings cut to the column length and padded to a checked minimum length."""

    def __init__(self, inner: g.Generator, minimum: int, maximum: int | None) -> None:
        self.inner, self.minimum, self.maximum = inner, minimum, maximum
        self.unique, self.domain = inner.unique, inner.domain

    def as_copy_text(self, pools: Pools) -> bool:
        return self.minimum == 0 and self.inner.as_copy_text(pools)  # strings only (a minimum pads numbers too)

    def generate(self, batch: g.Batch) -> list[Any]:
        values = self.inner.generate(batch)
        low, high = self.minimum, self.maximum
        if values and set(map(type, values)) == {str}:
            lengths = list(map(len, values))  # the usual case, every value fits, checked in C
            if min(lengths) >= low and (not high or max(lengths) <= high):
                return values
        out = []
        for v in values:
            if isinstance(v, str):
                if high and len(v) > high:
                    v = v[:high]
                if len(v) < low:
                    v = v + "x" * (low - len(v))
            out.append(v)
        return out


def _text_columns(builder: TableBuilder) -> frozenset[str]:
    """Switch every column of `builder` that can be made as COPY text to it; returns them."""
    table = builder.table
    read = set(builder.data.keys) | set(builder.email_names or ())
    for check in builder.checks:
        read |= {getattr(check, name) for name in ("left", "right", "column") if hasattr(check, name)}
    for ordinal in builder.ordinals:
        read |= {ordinal.column, *ordinal.group}
    for _, finite in builder.joints:
        read |= {name for name, _ in finite}
    for picker in builder.pickers:
        read |= set(picker.given)
        if len(picker.fk.columns) > 1 or picker.mode == "given":
            read |= set(picker.fk.columns)
    for self_picker in builder.self_pickers:
        read |= set(self_picker.fk.columns)
    for fk in builder.deferred:
        read |= set(fk.columns)
    made: set[str] = set()
    pools = builder.pools
    for name, gen in builder.generators.items():
        if name not in read and table.column(name).kind in TEXT_KINDS and gen.as_copy_text(pools):
            made.add(name)
    for picker in builder.pickers:
        column = picker.fk.columns[0]
        if len(picker.fk.columns) == 1 and column not in read and table.column(column).kind == "int" \
                and picker.as_copy_text(pools):
            made.add(column)
    return frozenset(made)
