"""How each unique key of a table is kept unique, decided before any row is made: a column unique
on its own, one child per parent, distinct parents within a per-parent group, numbers counted
per parent (`(order_id, line_no)` gets 1..n in each order), or distinct combinations of parents
and finite domains (`JointKey`, `GroupedJoint` when the parents share a tenant column)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from devenv.errors import InputError
from devenv.seed.generate.references import JointKey, ParentPicker, PerParentLayout
from devenv.seed.generate.rng import IndexPermutation
from devenv.seed.generate.shared import dependents, grouped_joint
from devenv.seed.schema.constraints import Bound, InSet
from devenv.seed.schema.model import ForeignKey, Table
from devenv.seed.spec.model import SeedSpec, TableSpec

_UNIQUABLE = {"string", "text", "int", "decimal", "uuid", "date", "datetime"}


@dataclass(frozen=True)
class Ordinal:
    """`column` counts rows per value of `group` (child columns filled by foreign keys): 1..n."""

    column: str
    group: tuple[str, ...]
    start: int = 1


class TableBuilder(Protocol):
    """What key planning reads and sets on the table's builder (`devenv.seed.generate.table`)."""

    table: Table
    spec: SeedSpec
    tspec: TableSpec
    where: str
    dry: bool
    pickers: list[ParentPicker]
    deferred: list[ForeignKey]
    fk_columns: set[str]
    layout: PerParentLayout | None
    ordinals: list[Ordinal]
    joints: list[tuple[JointKey, list[tuple[str, list[Any]]]]]

    def cap_rows(self, limit: int, why: str) -> None: ...


def plan_unique_keys(b: TableBuilder) -> set[str]:
    """Decide how each unique key of `b`'s table is kept unique; returns the columns that must
    be unique alone (per-parent numbers go to `b.ordinals`, joint keys to `b.joints`)."""
    unique: set[str] = set()
    by_columns = {frozenset(p.fk.columns): p for p in b.pickers}
    deferred_cols = {c for fk in b.deferred for c in fk.columns}
    picked_cols = {c for p in b.pickers for c in p.fk.columns}
    for key in b.table.unique_keys:
        if _satisfied(b, key, unique, by_columns) or set(key) <= deferred_cols:
            continue  # deferred foreign keys are kept unique when they are filled
        picker = by_columns.get(frozenset(key))
        if picker is not None and picker.mode in ("random", "per_parent"):  # a unique foreign key
            if picker.mode == "random":
                picker.mode, picker.null_ratio = "one_to_one", 0.0
                picker.perm = IndexPermutation(max(picker.size, 1), b.spec.seed, b.table.name,
                                               picker.fk.columns, "one_to_one")
                b.cap_rows(picker.size, f"one row per {picker.fk.ref_table} row")
            continue
        if len(key) == 1 and key[0] not in b.fk_columns:
            unique.add(key[0])
            continue
        ordinal = _ordinal(b, key, picked_cols)
        if ordinal is not None:
            b.ordinals.append(ordinal)
            continue
        per_parent = [p for p in b.pickers if p.mode == "per_parent" and set(p.fk.columns) <= set(key)]
        rest = set(key) - (set(per_parent[0].fk.columns) if per_parent else set())
        other = by_columns.get(frozenset(rest)) if per_parent else None
        if other is not None and other.mode == "random":
            other.mode, other.null_ratio, other.layout = "offset", 0.0, b.layout
            continue
        loose = [c for c in key if c not in b.fk_columns and _uniquable(b, c)]
        if loose:
            unique.add(loose[-1])
            continue
        _joint(b, key, deferred_cols)
    return unique


def _satisfied(b: TableBuilder, key: tuple[str, ...], unique: set[str],
               by_columns: dict[frozenset[str], ParentPicker]) -> bool:
    if any(c in unique for c in key) or any(set(o.group) | {o.column} <= set(key) for o in b.ordinals):
        return True
    for name in key:
        column = b.table.column(name)
        if column.autoincrement and column.kind == "int" and name not in b.fk_columns \
                and b.tspec.columns.get(name) is None:
            return True  # numbered 1..n like the database's own sequence
    for picker in by_columns.values():
        if picker.mode == "one_to_one" and set(picker.fk.columns) <= set(key):
            return True
    return False


def _ordinal(b: TableBuilder, key: tuple[str, ...], picked: set[str]) -> Ordinal | None:
    """A key of foreign-key columns and one integer column numbers that column per parent."""
    group = tuple(c for c in key if c in picked)
    rest = [c for c in key if c not in picked]
    if not group or len(rest) != 1 or any(c in b.fk_columns and c not in picked for c in key):
        return None
    column = b.table.column(rest[0])
    override = b.tspec.columns.get(column.name)
    if column.kind != "int" or (override is not None and override.generator is not None):
        return None
    start = 1
    for constraint in b.table.constraints:
        if isinstance(constraint, Bound) and constraint.column == column.name and isinstance(constraint.value, int) \
                and constraint.op in (">=", ">"):
            start = max(start, constraint.value + (constraint.op == ">"))
    return Ordinal(column.name, group, start)


def _uniquable(b: TableBuilder, name: str) -> bool:
    column = b.table.column(name)
    override = b.tspec.columns.get(name)
    if override is not None and override.generator in ("constant", "choices"):
        return False
    if any(isinstance(c, InSet) and c.column == name for c in b.table.constraints):
        return False
    return column.kind in _UNIQUABLE


def _joint(b: TableBuilder, key: tuple[str, ...], deferred_cols: set[str]) -> None:
    parts: list[tuple[int, ParentPicker]] = []
    covered: set[str] = set()
    for picker in b.pickers:
        if set(picker.fk.columns) <= set(key) and picker.mode == "random":
            parts.append((picker.size, picker))
            covered |= set(picker.fk.columns)
    followers = [f for owner in (p for _, p in parts) for f in dependents(owner, b.pickers)
                 if set(f.fk.columns) <= set(key)]
    if followers and len(parts) == 1 and set(key) == covered | {c for f in followers for c in f.fk.columns}:
        _grouped(b, key, parts[0][1], followers)
        return
    finite: list[tuple[str, list[Any]]] = []
    for name in key:
        if name in covered:
            continue
        domain = finite_domain(b, name)
        if domain is None or name in deferred_cols:
            raise InputError(
                f"cannot keep ({', '.join(key)}) of {b.table.name} unique: {name} has no finite domain",
                f"{b.where}: tables.{b.table.name}",
                "give one of these columns a generator with enough distinct values (template with {n}, range)")
        finite.append((name, domain))
    sizes = [size for size, _ in parts] + [len(d) for _, d in finite]
    joint = JointKey(sizes, (b.spec.seed, b.table.name, key))
    for position, (_, picker) in enumerate(parts):
        picker.mode, picker.null_ratio, picker.joint, picker.digit = "digit", 0.0, joint, position
    b.joints.append((joint, finite))
    b.cap_rows(joint.total, f"distinct ({', '.join(key)}) combinations")


def _grouped(b: TableBuilder, key: tuple[str, ...], owner: ParentPicker, followers: list[ParentPicker]) -> None:
    """Distinct combinations of an owner's and its followers' parents that agree on the shared columns."""
    if b.dry:
        return  # the parents' values are not made yet: counted when the table is filled
    joint = grouped_joint(owner, followers, (b.spec.seed, b.table.name, key))
    if joint is None:
        raise InputError(f"cannot keep ({', '.join(key)}) of {b.table.name} unique: its foreign keys share "
                         "different columns", f"{b.where}: tables.{b.table.name}", "skip the table, or report the schema")
    for position, picker in enumerate([owner, *followers]):
        picker.mode, picker.null_ratio, picker.joint, picker.digit = "grouped", 0.0, joint, position
    b.cap_rows(joint.total, f"distinct ({', '.join(key)}) combinations")


def finite_domain(b: TableBuilder, name: str) -> list[Any] | None:
    column = b.table.column(name)
    override = b.tspec.columns.get(name)
    if override is not None and override.generator == "choices":
        return list(override.value)
    if override is not None and override.generator == "constant":
        return [override.value]
    for constraint in b.table.constraints:
        if isinstance(constraint, InSet) and constraint.column == name:
            return list(constraint.values)
    if column.kind == "bool":
        return [False, True]
    if column.kind == "enum" and column.enum_values:
        return list(column.enum_values)
    return None
