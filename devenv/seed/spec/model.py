"""What a seed specification says, as frozen dataclasses (`parse` reads them from the TOML files in
`seeds/`).

    database = "shop"            # the local stack's database this spec fills
    seed = 42                    # same seed, same data
    rows = 100                   # default rows for tables not listed
    skip = ["schema_migrations"] # left untouched; their existing rows may be referenced

    [tables.orders]
    per_parent = { column = "customer_id", min = 0, max = 8, distribution = "poisson", mean = 2 }

    [tables.customers.columns]
    email = { kind = "email" }
    tier = { choices = ["gold", "silver"], weights = [1, 9] }

    [mask]
    source = "dumps/shop.sql"          # or { csv = "dir" } or { url = "postgresql://..." }
    safe = ["orders.*", "customers.id"]
    [mask.rules.customers]
    email = "fake"
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_ANCHOR = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
GENERATOR_KEYS = ("kind", "faker", "choices", "range", "regex", "template", "constant")
DISTRIBUTIONS = ("uniform", "poisson", "geometric", "weights")
MASK_RULES = ("fake", "hash", "format-preserving", "keep", "null", "constant", "shuffle")


@dataclass(frozen=True)
class ColumnSpec:
    """A generator override for one column: exactly one generator key, plus options."""

    generator: str | None = None  # one of GENERATOR_KEYS, or None for "infer, only tune nulls"
    value: Any = None  # the generator key's value (provider name, choice list, range, pattern...)
    args: Mapping[str, Any] | tuple[Any, ...] = field(default_factory=dict)  # faker arguments
    weights: tuple[float, ...] | None = None  # for choices
    null_ratio: float | None = None


@dataclass(frozen=True)
class PerParent:
    """Rows of a child table generated per parent row (orders per customer)."""

    columns: tuple[str, ...]  # the child's foreign-key column(s) to the parent
    min: int = 0
    max: int = 5
    distribution: str = "uniform"
    mean: float | None = None
    weights: tuple[float, ...] | None = None  # P(min), P(min+1), ... for distribution "weights"


@dataclass(frozen=True)
class TableSpec:
    rows: int | None = None
    per_parent: PerParent | None = None
    columns: Mapping[str, ColumnSpec] = field(default_factory=dict)


@dataclass(frozen=True)
class MaskRule:
    rule: str  # one of MASK_RULES
    value: Any = None  # for "constant"
    kind: str | None = None  # for "fake": the generator kind (email, phone...), inferred if None


@dataclass(frozen=True)
class MaskSource:
    kind: str  # "dump", "csv" or "url"
    location: str  # a resolved path, or a URL


@dataclass(frozen=True)
class MaskSpec:
    source: MaskSource | None = None
    strict: bool = True
    safe: tuple[str, ...] = ()  # "table.column" or "table.*"
    rules: Mapping[str, Mapping[str, MaskRule]] = field(default_factory=dict)

    def rule_for(self, table: str, column: str) -> MaskRule | None:
        """The rule for `table.column`: an explicit rule, "keep" when declared safe, else None."""
        rule = self.rules.get(table, {}).get(column)
        if rule is not None:
            return rule
        if f"{table}.{column}" in self.safe or f"{table}.*" in self.safe:
            return MaskRule("keep")
        return None


@dataclass(frozen=True)
class SeedSpec:
    database: str
    seed: int
    path: Path | None = None
    schema: str | None = None
    models: str | None = None
    locale: str = "en_US"
    rows: int = 100
    now: dt.datetime = DEFAULT_ANCHOR  # the "present" of generated timestamps: fixed, never the clock
    skip: tuple[str, ...] = ()
    tables: Mapping[str, TableSpec] = field(default_factory=dict)
    mask: MaskSpec | None = None

    @property
    def where(self) -> str:
        return str(self.path) if self.path else "seed spec"
