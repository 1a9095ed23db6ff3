"""The order tables are filled in: parents before children, with foreign-key cycles broken by
inserting one nullable side empty and filling it with an UPDATE once its parent exists."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from devenv.errors import InputError
from devenv.seed.schema.model import ForeignKey, Schema


@dataclass(frozen=True)
class Plan:
    order: tuple[str, ...]  # tables to fill, parents first
    deferred: dict[str, tuple[ForeignKey, ...]] = field(default_factory=dict)  # filled by UPDATE
    external: tuple[str, ...] = ()  # referenced tables that are not filled: their rows are read
    held: tuple[str, ...] = ()  # tables whose deferred keys are NOT NULL: loaded whole, once their parents exist

    def is_deferred(self, table: str, fk: ForeignKey) -> bool:
        return fk in self.deferred.get(table, ())


def make_plan(schema: Schema, tables: Iterable[str],
              protected: frozenset[tuple[str, tuple[str, ...]]] = frozenset(), where: str = "",
              defer_not_null: bool = False) -> Plan:
    """Order `tables` of `schema`. `protected` foreign keys (table, columns) are never deferred
    (a per-parent distribution needs its parent first). With `defer_not_null` (the loader sets
    foreign keys aside, so rows may arrive in any order), a cycle of NOT NULL keys is broken too:
    that table's rows are held back until its parents' keys exist, then loaded whole."""
    chosen = sorted(set(tables))
    chosen_set = set(chosen)
    edges: dict[str, list[tuple[str, ForeignKey]]] = {name: [] for name in chosen}
    external: set[str] = set()
    for name in chosen:
        for fk in schema.tables[name].foreign_keys:
            if fk.ref_table == name:
                continue  # self-references are filled row by row, earlier rows first
            if fk.ref_table in chosen_set:
                edges[name].append((fk.ref_table, fk))
            else:
                external.add(fk.ref_table)
    deferred: dict[str, list[ForeignKey]] = {}
    for component in _strongly_connected(chosen, edges):
        if len(component) > 1:
            _break_cycles(schema, component, edges, deferred, protected, where, defer_not_null)
    held = sorted(t for t, fks in deferred.items()
                  if any(not schema.tables[t].column(c).nullable for fk in fks for c in fk.columns))
    return Plan(_topological(chosen, edges), {t: tuple(fks) for t, fks in deferred.items()},
                tuple(sorted(external)), tuple(held))


def _strongly_connected(nodes: list[str], edges: dict[str, list[tuple[str, ForeignKey]]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components come out in a deterministic order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, child_pos = work.pop()
            if child_pos == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = sorted({t for t, _ in edges[node]})
            for pos in range(child_pos, len(targets)):
                target = targets[pos]
                if target not in index:
                    work.append((node, pos + 1))
                    work.append((target, 0))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                if low[node] == index[node]:
                    component = []
                    while True:
                        item = stack.pop()
                        on_stack.discard(item)
                        component.append(item)
                        if item == node:
                            break
                    result.append(sorted(component))
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
    return result


def _break_cycles(schema: Schema, component: list[str], edges: dict[str, list[tuple[str, ForeignKey]]],
                  deferred: dict[str, list[ForeignKey]], protected: frozenset[tuple[str, tuple[str, ...]]],
                  where: str, defer_not_null: bool = False) -> None:
    members = set(component)
    while True:
        cycle = _find_cycle(component, members, edges)
        if cycle is None:
            return
        candidates = []
        for table, fk in cycle:
            columns = schema.tables[table].columns
            nullable = all(c.nullable for c in columns if c.name in fk.columns)
            if nullable and (table, fk.columns) not in protected:
                candidates.append((table, fk))
        if not candidates and defer_not_null:
            candidates = [(table, fk) for table, fk in cycle if (table, fk.columns) not in protected]
        if not candidates:
            path = " -> ".join(f"{t}({', '.join(fk.columns)})" for t, fk in cycle) + f" -> {cycle[0][0]}"
            raise InputError(
                f"foreign-key cycle with no nullable column to break it: {path}",
                where or "database schema",
                "make one of these foreign-key columns nullable (or DEFERRABLE and nullable), or skip a table",
            )
        table, fk = min(candidates, key=lambda item: (_is_unique(schema, *item), item[0], item[1].columns))
        deferred.setdefault(table, []).append(fk)
        edges[table] = [(t, f) for t, f in edges[table] if f is not fk]


def _is_unique(schema: Schema, table: str, fk: ForeignKey) -> bool:
    """Whether `fk` is one-to-one: deferring another key leaves its rows free to be capped."""
    return any(set(key) <= set(fk.columns) for key in schema.tables[table].unique_keys)


def _find_cycle(component: list[str], members: set[str],
                edges: dict[str, list[tuple[str, ForeignKey]]]) -> list[tuple[str, ForeignKey]] | None:
    """One cycle inside `members` as (table, fk) steps, or None."""
    for start in component:
        path: list[tuple[str, ForeignKey]] = []
        visited: set[str] = set()

        def walk(node: str) -> bool:
            visited.add(node)
            for target, fk in sorted(edges[node], key=lambda e: (e[0], e[1].columns)):
                if target not in members:
                    continue
                path.append((node, fk))
                if target == start:
                    return True
                if target not in visited and walk(target):
                    return True
                path.pop()
            return False

        if walk(start):
            return path
    return None


def _topological(nodes: list[str], edges: dict[str, list[tuple[str, ForeignKey]]]) -> tuple[str, ...]:
    """Kahn's algorithm; among ready tables the alphabetically first goes first."""
    import heapq

    waiting = {node: {t for t, _ in edges[node]} for node in nodes}
    dependants: dict[str, set[str]] = {node: set() for node in nodes}
    for node, parents in waiting.items():
        for parent in parents:
            dependants[parent].add(node)
    ready = [node for node, parents in waiting.items() if not parents]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for child in sorted(dependants[node]):
            waiting[child].discard(node)
            if not waiting[child]:
                heapq.heappush(ready, child)
    if len(order) != len(nodes):  # cannot happen once cycles are broken; guard anyway
        raise InputError("foreign-key cycle left after planning", "database schema",
                         "report this schema: " + ", ".join(sorted(set(nodes) - set(order))))
    return tuple(order)
