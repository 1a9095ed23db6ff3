"""One masking run inside an open transaction: classify every column (strict: nobody's column
stops the run), check that joined columns mask alike, then copy the source's rows table by table,
each value through its column's rule, parents first, cycles closed by UPDATE."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.engine import Connection

from devenv.errors import InputError
from devenv.seed.generate.pools import Pools
from devenv.seed.generate.table import BATCH
from devenv.seed.load.base import Row
from devenv.seed.load.dialect import loader_for
from devenv.seed.mask.rules import FormatPreserving, Keyed, build_masker, shuffle_column
from devenv.seed.mask.sources.base import Source
from devenv.seed.run.pipeline import Job, Progress, load_all
from devenv.seed.run.seeding import TableSummary, open_loader
from devenv.seed.schema.fill_order import make_plan
from devenv.seed.schema.model import Column, ForeignKey, Schema, Table, identity_of
from devenv.seed.spec.model import MaskRule, MaskSpec, SeedSpec

_TRUE = {"t", "true", "1", "y", "yes", "on"}


def classify(schema: Schema, spec: SeedSpec, source: Source, warnings: list[str]) -> dict[str, dict[str, MaskRule]]:
    """The rule of every column that will carry data (source and target both have it), by
    target table (a source's partitions count as their partitioned table).
    Strict mode: InputError listing every column neither ruled nor declared safe."""
    mask = spec.mask or MaskSpec()
    where = f"{spec.where}: mask"
    skip = set(spec.skip)
    if not schema.tables:
        shown = f"schema {schema.schema}" if schema.schema else "the database's default schema"
        raise InputError(f"no table to mask into in {shown}", spec.where,
                         "migrate the local database first, or set `schema` in the spec to the schema holding the tables")
    _check_names(schema, mask, where)
    present = [t for t in source.tables() if t not in skip and schema.table_for(t) not in skip]
    for name in present:
        if schema.table_for(name) not in schema.tables:
            warnings.append(f"{name}: in the source but not in the local database, not copied")
    rules: dict[str, dict[str, MaskRule]] = {}
    missing: list[str] = []
    for name in sorted(t for t in present if schema.table_for(t) in schema.tables):
        target_name = schema.table_for(name)
        target = set(schema.tables[target_name].column_names)
        found = rules.setdefault(target_name, {})
        for column in source.columns(name):
            if column not in target:
                warnings.append(f"{name}.{column}: in the source but not in the local table, not copied")
                continue
            rule = mask.rule_for(target_name, column) or mask.rule_for(name, column)
            if rule is None:
                if f"{target_name}.{column}" not in missing and column not in found:
                    missing.append(f"{target_name}.{column}")
                rule = MaskRule("fake")
            found.setdefault(column, rule)
    if missing and mask.strict:
        raise InputError(
            f"{len(missing)} column(s) are neither masked nor declared safe: {', '.join(missing)}",
            where,
            "give each a rule under [mask.rules.<table>] or list it in mask.safe "
            "(devenv seed --suggest drafts both); strict = false fakes them instead",
        )
    if missing:
        warnings.append("not classified, faked: " + ", ".join(missing))
    _check_joins(schema, rules, where)
    return rules


def _check_names(schema: Schema, mask: MaskSpec, where: str) -> None:
    unknown = []
    for table, columns in mask.rules.items():
        if schema.table_for(table) not in schema.tables:
            unknown.append(f"{table} (table)")
            continue
        unknown += [f"{table}.{c}" for c in columns if c not in schema.tables[schema.table_for(table)].column_names]
    for item in mask.safe:
        table, _, column = item.partition(".")
        if schema.table_for(table) not in schema.tables:
            unknown.append(f"{item} (table)")
        elif column != "*" and column not in schema.tables[schema.table_for(table)].column_names:
            unknown.append(item)
    if unknown:
        raise InputError(f"the mask section names what the database lacks: {', '.join(unknown)}", where,
                         "fix the names, or migrate the local database first")


def _check_joins(schema: Schema, rules: dict[str, dict[str, MaskRule]], where: str) -> None:
    """A foreign key survives masking only if both ends mask the same way."""
    broken = []
    for name, table in schema.tables.items():
        for fk in table.foreign_keys:
            if name not in rules or fk.ref_table not in rules:
                continue
            for child, parent in zip(fk.columns, fk.ref_columns):
                a, b = rules[name].get(child), rules[fk.ref_table].get(parent)
                if a is not None and b is not None and (a.rule, a.value, a.kind) != (b.rule, b.value, b.kind) \
                        and {a.rule, b.rule} != {"keep"}:
                    broken.append(f"{name}.{child} ({a.rule}) -> {fk.ref_table}.{parent} ({b.rule})")
                elif a is not None and a.rule == "shuffle":
                    broken.append(f"{name}.{child} (shuffle) -> {fk.ref_table}.{parent}")
    if broken:
        raise InputError("foreign keys would break, their two ends are masked differently: " + "; ".join(broken),
                         where, "give both ends the same rule (same input, same output keeps joins)")


def run_mask(conn: Connection, schema: Schema, spec: SeedSpec, source: Source, key: bytes, *, reset: bool,
             progress: Progress | None, warnings: list[str]) -> list[TableSummary]:
    rules = classify(schema, spec, source, warnings)
    parts: dict[str, list[str]] = {}
    for name in source.tables():
        if schema.table_for(name) in rules:
            parts.setdefault(schema.table_for(name), []).append(name)
    aside = loader_for(conn, schema).sets_foreign_keys_aside  # then rows may come in any order: nothing deferred
    plan = make_plan(schema, list(rules), frozenset(), spec.where, defer_not_null=aside)
    loader = open_loader(conn, schema, plan, spec, reset, "mask")
    keyed = Keyed(key)
    fpe = FormatPreserving(keyed)
    pools = Pools(int.from_bytes(keyed.digest("pools", "v1")[:8], "big"), spec.locale)
    jobs: dict[str, _TableJob] = {}

    def job(name: str) -> Job:
        def start() -> tuple[list[str], Iterator[list[Row]], int]:  # in the worker, tables in order
            table = schema.tables[name]
            deferred = [] if aside else [fk for fk in table.foreign_keys
                                         if plan.is_deferred(name, fk) or fk.ref_table == name]
            jobs[name] = _TableJob(table, rules[name], source, parts[name], keyed, fpe, pools, deferred, spec.where)
            return jobs[name].columns, jobs[name].batches(), jobs[name].total()
        return Job(schema.tables[name], start)

    done = load_all(loader, [job(name) for name in plan.order], progress)
    updates: list[tuple[Table, tuple[str, ...], tuple[str, ...], list[Row]]] = []
    for name, masked in jobs.items():
        if masked.pending:
            identity = identity_of(masked.table)
            if identity is None or not set(identity) <= set(masked.columns):
                warnings.append(f"{name}: {', '.join(masked.pending_columns)} left NULL (no key to update rows by)")
            else:
                updates.append((masked.table, identity, masked.pending_columns, masked.pending))
    for table, identity, columns, rows in updates:
        filled = [r for r in rows if any(v is not None for v in r[len(identity):])]
        if filled:
            loader.update(table, identity, columns, filled)
    loader.finish([schema.tables[name] for name in plan.order])
    return [TableSummary(name, *done[name]) for name in plan.order]


class _TableJob:
    """Masked rows of one table, from the source rows, in the target's column order."""

    def __init__(self, table: Table, rules: dict[str, MaskRule], source: Source, parts: list[str], keyed: Keyed,
                 fpe: FormatPreserving, pools: Pools, deferred: list[ForeignKey], where: str) -> None:
        self.table, self.source, self.keyed, self.parts = table, source, keyed, parts
        self.columns = [c.name for c in table.writable if c.name in rules]
        self.positions = {part: [source.columns(part).index(c) if c in source.columns(part) else -1
                                 for c in self.columns] for part in parts}
        unique = {key[0] for key in table.unique_keys if len(key) == 1}
        self.maskers: list[Callable[[Any], Any]] = []
        self.coercers: list[Callable[[Any], Any]] = []
        for name in self.columns:
            column = table.column(name)
            rule = rules[name]
            key = f"{where}: mask.rules.{table.name}.{name}"
            self.maskers.append(build_masker(rule, table, column, keyed, fpe, pools, name in unique, key))
            self.coercers.append(_coercer(column))
        self.shuffled = [i for i, name in enumerate(self.columns) if rules[name].rule == "shuffle"]
        self.pending_columns = tuple(c for fk in deferred for c in fk.columns if c in self.columns)
        identity = identity_of(table) or ()
        self.identity_idx = [self.columns.index(c) for c in identity if c in self.columns]
        self.pending_idx = [self.columns.index(c) for c in self.pending_columns]
        self.pending: list[Row] = []

    def total(self) -> int:
        rows = getattr(self.source, "_rows", None)
        return sum(len(rows[part]) for part in self.parts) if isinstance(rows, dict) else 0

    def _masked(self) -> Iterator[list[Any]]:
        coercers, maskers = self.coercers, self.maskers
        for part in self.parts:  # the table itself, or each of its partitions in the source
            positions = self.positions[part]
            for raw in self.source.rows(part):
                yield [masker(coerce(raw[p] if p >= 0 else None))
                       for p, coerce, masker in zip(positions, coercers, maskers)]

    def batches(self) -> Iterator[list[Row]]:
        rows: Iterator[list[Any]] = self._masked()
        if self.shuffled:
            materialised = list(rows)
            for i in self.shuffled:
                column = shuffle_column([r[i] for r in materialised], self.keyed, self.table.name, self.columns[i])
                for row, value in zip(materialised, column):
                    row[i] = value
            rows = iter(materialised)
        batch: list[Row] = []
        for row in rows:
            if self.pending_idx:
                self.pending.append(tuple([row[i] for i in self.identity_idx] + [row[i] for i in self.pending_idx]))
                for i in self.pending_idx:
                    row[i] = None
            batch.append(tuple(row))
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


def _coercer(column: Column) -> Callable[[Any], Any]:
    """Text from a dump or CSV as a value of the target column's type (typed values pass)."""
    kind = column.kind
    textual = kind in ("string", "text", "enum")

    def coerce(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            return str(value) if textual and not isinstance(value, (bytes, dict, list)) else value
        if textual or kind in ("json", "other", "interval", "array", "inet"):
            return value
        if value == "":
            return None
        try:
            if kind == "int":
                return int(value)
            if kind == "decimal":
                return Decimal(value)
            if kind == "float":
                return float(value)
            if kind == "bool":
                return value.strip().lower() in _TRUE
            if kind == "date":
                return dt.date.fromisoformat(value[:10])
            if kind == "datetime":
                return _datetime(value)
            if kind == "time":
                return dt.time.fromisoformat(value)
            if kind == "uuid":
                return uuid.UUID(value)
            if kind == "bytes":
                return bytes.fromhex(value[2:]) if value.startswith("\\x") else value.encode()
        except (ValueError, InvalidOperation) as exc:
            raise InputError(f"value {value[:40]!r} is not a valid {kind} for {column.name}", "masking source",
                             "check that the dump matches the local schema") from exc
        return value

    return coerce


def _datetime(value: str) -> dt.datetime:
    text = value.strip().replace("T", " ")
    if len(text) > 3 and text[-3] in "+-" and text[-2:].isdigit() and ":" not in text[-3:]:
        text += ":00"  # PostgreSQL writes +00, Python wants +00:00
    return dt.datetime.fromisoformat(text)
