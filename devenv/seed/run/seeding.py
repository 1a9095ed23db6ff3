"""One synthetic seeding run inside an open transaction: check the spec against the schema, plan,
empty the tables if asked, fill them parents first, close foreign-key cycles, fix sequences."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from devenv.errors import InputError, RuntimeFailure
from devenv.seed.generate.deferred import complete_held, deferred_updates
from devenv.seed.generate.pools import Pools
from devenv.seed.generate.references import TableData
from devenv.seed.generate.table import ColumnBatch, TableBuilder
from devenv.seed.load.base import Loader, Row
from devenv.seed.load.dialect import loader_for
from devenv.seed.run.pipeline import Job, Progress, load_all
from devenv.seed.schema.fill_order import Plan, make_plan
from devenv.seed.schema.model import ForeignKey, Schema, identity_of
from devenv.seed.spec.model import SeedSpec


@dataclass(frozen=True)
class TableSummary:
    name: str
    rows: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        return {"table": self.name, "rows": self.rows, "seconds": round(self.seconds, 3)}


def seeded_tables(schema: Schema, spec: SeedSpec) -> list[str]:
    """The tables a spec fills: every table of the schema but the skipped ones. Names in the
    spec that the schema lacks are an InputError listing them all; so is a schema with no table."""
    if not schema.tables:
        where = f"schema {schema.schema}" if schema.schema else "the database's default schema"
        raise InputError(f"no table to fill in {where}", spec.where,
                         "migrate the database first, or set `schema` in the spec to the schema holding the tables")
    partitions = sorted((set(spec.tables) | set(spec.skip)) & set(schema.partitions))
    if partitions:
        raise InputError(f"the spec names partitions: {', '.join(partitions)}", spec.where,
                         "name the partitioned tables instead (rows go to their partitions): "
                         + ", ".join(sorted({schema.partitions[p] for p in partitions})))
    unknown = sorted((set(spec.tables) | set(spec.skip)) - set(schema.tables))
    if unknown:
        raise InputError(f"the spec names tables the database does not have: {', '.join(unknown)}",
                         spec.where, "tables found: " + ", ".join(sorted(schema.tables)))
    both = sorted(set(spec.tables) & set(spec.skip))
    if both:
        raise InputError(f"tables both configured and skipped: {', '.join(both)}", spec.where,
                         "remove them from skip, or drop their [tables] section")
    return sorted(set(schema.tables) - set(spec.skip))


def open_loader(conn: Connection, schema: Schema, plan: Plan, spec: SeedSpec, reset: bool, verb: str) -> Loader:
    """A loader ready for the plan's tables: emptied first with `reset`, else refused when any holds rows
    (a run never mixes its rows with existing ones)."""
    loader = loader_for(conn, schema)
    loader.masking = verb == "mask"
    if reset:
        loader.truncate(list(plan.order))
    else:
        filled = [name for name in plan.order if loader.has_rows(name)]
        if filled:
            raise RuntimeFailure(f"tables already hold rows: {', '.join(filled)}", f"database {spec.database}",
                                 f"{verb} again with reset (devenv seed --reset) to empty them first")
    loader.begin(list(plan.order))
    return loader


def run_seed(conn: Connection, schema: Schema, spec: SeedSpec, *, reset: bool, progress: Progress | None,
             warnings: list[str]) -> list[TableSummary]:
    tables = seeded_tables(schema, spec)
    protected = frozenset((name, t.per_parent.columns) for name, t in spec.tables.items() if t.per_parent)
    defer_not_null = loader_for(conn, schema).sets_foreign_keys_aside
    plan = make_plan(schema, tables, protected, spec.where, defer_not_null)
    warnings.extend(schema.notes)
    for name in schema.tables:
        for unparsed in schema.tables[name].unparsed_checks:
            if name in plan.order:
                warnings.append(f"{name}: check constraint not understood, values may violate it: {unparsed}")
    needed = _needed_keys(schema, plan)
    pools = Pools(spec.seed, spec.locale)
    external = {name: _read_external(loader_for(conn, schema), name, needed) for name in plan.external}
    counts = _check_before_writing(schema, spec, plan, external, pools.sampler(), needed)
    loader = open_loader(conn, schema, plan, spec, reset, "seed")
    changed_later = set(plan.held) | {name for name in plan.order if plan.deferred.get(name)}
    loader.rebuild_per_table(list(plan.order), changed_later)
    known: dict[str, TableData] = dict(external)
    builders: dict[str, TableBuilder] = {}
    held: dict[str, list[list[Row]]] = {}

    def job(name: str) -> Job:
        def start() -> tuple[list[str], Iterator[list[Row]] | Iterator[ColumnBatch], int]:  # in the worker, in order
            builder = TableBuilder(schema.tables[name], spec, plan, known, pools, needed.get(name, set()), warnings)
            known[name], builders[name] = builder.data, builder
            if name in plan.held:  # NOT NULL deferred keys need parents made later: made now, loaded last
                held[name] = list(builder.batches())
                return builder.columns, iter(()), 0
            if loader.takes_copy_text(schema.tables[name], builder.columns):
                builder.prefer_copy_text()
            return builder.columns, builder.column_batches(), builder.rows
        return Job(schema.tables[name], start)

    def completed(name: str) -> Job:
        def start() -> tuple[list[str], Iterator[list[Row]], int]:
            builder = builders[name]
            return builder.columns, iter(complete_held(builder, held[name])), builder.rows
        return Job(schema.tables[name], start)

    done = load_all(loader, [job(name) for name in load_order(schema, plan, counts)], progress)
    if plan.held:
        for name, (rows, seconds) in load_all(loader, [completed(name) for name in plan.held], progress).items():
            done[name] = (rows, done[name][1] + seconds)
    for name, builder in builders.items():
        if builder.deferred and name not in held:
            started = time.perf_counter()
            _close_cycles(loader, builder, warnings)
            done[name] = (done[name][0], done[name][1] + time.perf_counter() - started)
    loader.finish([schema.tables[name] for name in plan.order])
    return [TableSummary(name, *done[name]) for name in plan.order]


def _read_external(loader: Loader, name: str, needed: dict[str, set[str]]) -> TableData:
    """A table the spec skips, as its children see it: its row count and referenced keys."""
    keys = loader.read_keys(name, needed.get(name, ()))
    rows = len(next(iter(keys.values()))) if keys else loader.count(name)
    return TableData(name, rows, keys)


def _check_before_writing(schema: Schema, spec: SeedSpec, plan: Plan, external: dict[str, TableData],
                          pools: Pools, needed: dict[str, set[str]]) -> dict[str, int]:
    """Plan every table with row counts only, so a spec that cannot be satisfied (too few values
    for a unique column, contradictory checks, a bad override...) fails before any row is written.
    Returns the row count of every table of the plan."""
    known: dict[str, TableData] = {name: TableData(name, data.rows, {}) for name, data in external.items()}
    deferred: list[tuple[str, int, ForeignKey]] = []
    for name in plan.order:
        builder = TableBuilder(schema.tables[name], spec, plan, known, pools, set(), [], dry=True)
        known[name] = TableData(name, builder.rows, {})
        deferred += [(name, builder.rows, fk) for fk in builder.deferred if name in plan.held]
    for name, rows, fk in deferred:
        table = schema.tables[name]
        unique = any(set(key) <= set(fk.columns) for key in table.unique_keys)
        if unique and rows > known[fk.ref_table].rows:
            raise InputError(f"{fk.label(name)}: its {rows} rows need one {fk.ref_table} row each (NOT NULL, unique), "
                             f"but {fk.ref_table} gets {known[fk.ref_table].rows}", f"{spec.where}: tables.{name}.rows",
                             f"give {name} at most as many rows as {fk.ref_table}")
    return {name: known[name].rows for name in plan.order}


def load_order(schema: Schema, plan: Plan, rows: dict[str, int]) -> list[str]:
    """The plan's tables in an order that still makes every parent before its children, the
    tables with the most rows depending on them first: the small tables come last, so little is
    left to load, index and check once the last rows are made (the database builds and checks
    each table's keys while the next tables' rows are made). The data does not depend on it."""
    position = {name: i for i, name in enumerate(plan.order)}
    parents = {name: {fk.ref_table for fk in schema.tables[name].foreign_keys
                      if fk.ref_table in position and fk.ref_table != name and not plan.is_deferred(name, fk)}
               for name in plan.order}
    below: dict[str, set[str]] = {name: {name} for name in plan.order}  # a table and every table under it
    for name in reversed(plan.order):
        for parent in parents[name]:
            below[parent] |= below[name]
    weight = {name: sum(rows.get(t, 0) for t in below[name]) for name in plan.order}
    order: list[str] = []
    ready = [name for name in plan.order if not parents[name]]
    while ready:
        ready.sort(key=lambda t: (-weight[t], position[t]))
        name = ready.pop(0)
        order.append(name)
        ready += [t for t in plan.order if t not in order and t not in ready and parents[t] <= set(order)]
    return order if len(order) == len(plan.order) else list(plan.order)


def _needed_keys(schema: Schema, plan: Plan) -> dict[str, set[str]]:
    """Per table, the columns whose values later tables (or cycle updates) need."""
    needed: dict[str, set[str]] = {}
    for name in plan.order:
        table = schema.tables[name]
        for fk in table.foreign_keys:
            needed.setdefault(fk.ref_table, set()).update(fk.ref_columns)
        if plan.deferred.get(name):
            identity = identity_of(table)
            if identity:
                needed.setdefault(name, set()).update(identity)
    return needed


def _close_cycles(loader: Loader, builder: TableBuilder, warnings: list[str]) -> None:
    identity = identity_of(builder.table)
    if identity is None:
        for fk in builder.deferred:
            warnings.append(f"{fk.label(builder.table.name)}: left NULL (the table has no key to update rows by)")
        return
    pending: dict[tuple[str, ...], list[Row]] = {}
    for columns, rows in deferred_updates(builder, identity):
        pending.setdefault(columns, []).extend(rows)
    for columns, rows in pending.items():
        loader.update(builder.table, identity, columns[len(identity):], rows)
