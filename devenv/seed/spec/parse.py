"""Seed specifications read from TOML and validated strictly: an unknown key is an error naming the
file and the key, never a silent default. The model is in `devenv.seed.spec.model`."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devenv.errors import InputError
from devenv.seed.spec.model import (
    DEFAULT_ANCHOR,
    DISTRIBUTIONS,
    GENERATOR_KEYS,
    MASK_RULES,
    ColumnSpec,
    MaskRule,
    MaskSource,
    MaskSpec,
    PerParent,
    SeedSpec,
    TableSpec,
)

_RULE_ALIASES = {"fpe": "format-preserving", "format_preserving": "format-preserving"}


class _Reader:
    """Walks the parsed TOML with the file name at hand, so every error says file and key."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, what: str, hint: str = "") -> InputError:
        return InputError(what, f"{self.where}: {key}" if key else self.where, hint)

    def table(self, value: Any, key: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(key, f"'{key}' must be a table", f"write [{key}] or {key} = {{ ... }}")
        return value

    def only(self, data: Mapping[str, Any], allowed: tuple[str, ...], key: str) -> None:
        for name in data:
            if name not in allowed:
                prefix = f"{key}." if key else ""
                raise self.fail(
                    f"{prefix}{name}", f"unknown key '{name}'", "allowed keys: " + ", ".join(allowed)
                )

    def integer(self, value: Any, key: str, minimum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"'{key}' must be an integer")
        if minimum is not None and value < minimum:
            raise self.fail(key, f"'{key}' must be at least {minimum}, not {value}")
        return value

    def number(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(key, f"'{key}' must be a number")
        return float(value)

    def ratio(self, value: Any, key: str) -> float:
        number = self.number(value, key)
        if not 0.0 <= number <= 1.0:
            raise self.fail(key, f"'{key}' must be between 0 and 1, not {value}")
        return number

    def string(self, value: Any, key: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"'{key}' must be a non-empty string")
        return value

    def strings(self, value: Any, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, f"'{key}' must be a list of strings")
        return tuple(value)

    def weights(self, value: Any, key: str, length: int | None) -> tuple[float, ...]:
        if not isinstance(value, list) or not value:
            raise self.fail(key, f"'{key}' must be a non-empty list of numbers")
        numbers = tuple(self.number(v, key) for v in value)
        if any(w < 0 for w in numbers) or sum(numbers) <= 0:
            raise self.fail(key, f"'{key}' must be non-negative with a positive sum")
        if length is not None and len(numbers) != length:
            raise self.fail(key, f"'{key}' has {len(numbers)} weights for {length} choices")
        return numbers


def load_spec(path: str | Path) -> SeedSpec:
    """Read and validate the seed spec at `path` (TOML)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the seed spec: {exc.strerror}", str(file),
                         "create it in seeds/ (see seeds/README.md)") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", str(file), "fix the syntax") from exc
    return parse_spec(data, file)


_TOP_KEYS = ("database", "seed", "schema", "models", "locale", "rows", "now", "skip", "tables", "mask")


def parse_spec(data: Mapping[str, Any], path: Path | None = None) -> SeedSpec:
    """Validate parsed TOML `data` (relative mask paths resolve against `path`'s folder)."""
    r = _Reader(str(path) if path else "seed spec")
    r.only(data, _TOP_KEYS, "")
    if "database" not in data:
        raise r.fail("database", "missing key 'database'", "name the local stack's database to fill")
    if "seed" not in data:
        raise r.fail("seed", "missing key 'seed'", "add seed = 1 (any integer; same seed, same data)")
    now = data.get("now", DEFAULT_ANCHOR)
    if isinstance(now, dt.date) and not isinstance(now, dt.datetime):
        now = dt.datetime(now.year, now.month, now.day)
    if not isinstance(now, dt.datetime):
        raise r.fail("now", "'now' must be a TOML date or datetime", "write now = 2025-01-01")
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    tables_data = r.table(data.get("tables", {}), "tables")
    base = path.parent if path else Path.cwd()
    return SeedSpec(
        database=r.string(data["database"], "database"),
        seed=r.integer(data["seed"], "seed"),
        path=path,
        schema=r.string(data["schema"], "schema") if "schema" in data else None,
        models=r.string(data["models"], "models") if "models" in data else None,
        locale=r.string(data.get("locale", "en_US"), "locale"),
        rows=r.integer(data.get("rows", 100), "rows", minimum=0),
        now=now,
        skip=r.strings(data.get("skip", []), "skip"),
        tables={name: _table(r, tables_data[name], f"tables.{name}") for name in tables_data},
        mask=_mask(r, data["mask"], base) if "mask" in data else None,
    )


def _table(r: _Reader, value: Any, key: str) -> TableSpec:
    data = r.table(value, key)
    r.only(data, ("rows", "per_parent", "columns"), key)
    if "rows" in data and "per_parent" in data:
        raise r.fail(key, "give either 'rows' or 'per_parent', not both")
    columns = r.table(data.get("columns", {}), f"{key}.columns")
    return TableSpec(
        rows=r.integer(data["rows"], f"{key}.rows", minimum=0) if "rows" in data else None,
        per_parent=_per_parent(r, data["per_parent"], f"{key}.per_parent") if "per_parent" in data else None,
        columns={name: _column(r, columns[name], f"{key}.columns.{name}") for name in columns},
    )


def _per_parent(r: _Reader, value: Any, key: str) -> PerParent:
    data = r.table(value, key)
    r.only(data, ("column", "min", "max", "distribution", "mean", "weights"), key)
    if "column" not in data:
        raise r.fail(f"{key}.column", "missing key 'column'", "name the foreign-key column to the parent")
    column = data["column"]
    columns = (r.string(column, f"{key}.column"),) if isinstance(column, str) else r.strings(column, f"{key}.column")
    low = r.integer(data.get("min", 0), f"{key}.min", minimum=0)
    high = r.integer(data.get("max", max(low, 5)), f"{key}.max", minimum=low)
    distribution = data.get("distribution", "weights" if "weights" in data else "uniform")
    if distribution not in DISTRIBUTIONS:
        raise r.fail(f"{key}.distribution", f"unknown distribution '{distribution}'",
                     "use one of: " + ", ".join(DISTRIBUTIONS))
    mean = r.number(data["mean"], f"{key}.mean") if "mean" in data else None
    if distribution in ("poisson", "geometric") and mean is None:
        mean = (low + high) / 2
    weights = r.weights(data["weights"], f"{key}.weights", high - low + 1) if "weights" in data else None
    if distribution == "weights" and weights is None:
        raise r.fail(f"{key}.weights", "distribution 'weights' needs a 'weights' list")
    return PerParent(columns, low, high, distribution, mean, weights)


def _column(r: _Reader, value: Any, key: str) -> ColumnSpec:
    data = r.table(value, key)
    r.only(data, GENERATOR_KEYS + ("args", "weights", "null_ratio"), key)
    chosen = [name for name in GENERATOR_KEYS if name in data]
    if len(chosen) > 1:
        raise r.fail(key, "give one generator per column, not " + " and ".join(chosen))
    generator = chosen[0] if chosen else None
    raw: Any = data.get(generator) if generator else None  # a TOML value, checked below per generator
    if generator in ("kind", "faker", "regex", "template"):
        raw = r.string(raw, f"{key}.{generator}")
    if generator == "template" and "{" not in raw:
        raise r.fail(f"{key}.template", "a template needs a placeholder such as {n}",
                     "write e.g. template = \"SKU-{n:06d}\" ({n} is the row number, from 1)")
    if generator == "choices":
        if not isinstance(raw, list) or not raw:
            raise r.fail(f"{key}.choices", "'choices' must be a non-empty list")
        raw = tuple(raw)
    if generator == "range":
        if not isinstance(raw, list) or len(raw) != 2 or type(raw[0]) is not type(raw[1]) \
                or not isinstance(raw[0], (int, float, dt.date, dt.time)) or isinstance(raw[0], bool):
            raise r.fail(f"{key}.range", "'range' must be two values of one type: [low, high]",
                         "numbers, dates or datetimes, e.g. range = [1, 100]")
        if raw[0] > raw[1]:
            raise r.fail(f"{key}.range", "'range' low is above high")
        raw = tuple(raw)
    args = data.get("args", {})
    if not isinstance(args, (Mapping, list)):
        raise r.fail(f"{key}.args", "'args' must be a table or a list")
    if "args" in data and generator != "faker":
        raise r.fail(f"{key}.args", "'args' goes with 'faker' only")
    weights = None
    if "weights" in data:
        if generator != "choices":
            raise r.fail(f"{key}.weights", "'weights' goes with 'choices' only")
        weights = r.weights(data["weights"], f"{key}.weights", len(raw))
    return ColumnSpec(
        generator=generator,
        value=raw,
        args=tuple(args) if isinstance(args, list) else dict(args),
        weights=weights,
        null_ratio=r.ratio(data["null_ratio"], f"{key}.null_ratio") if "null_ratio" in data else None,
    )


def _mask(r: _Reader, value: Any, base: Path) -> MaskSpec:
    data = r.table(value, "mask")
    r.only(data, ("source", "strict", "safe", "rules"), "mask")
    strict = data.get("strict", True)
    if not isinstance(strict, bool):
        raise r.fail("mask.strict", "'mask.strict' must be true or false")
    safe = r.strings(data.get("safe", []), "mask.safe")
    for item in safe:
        if item.count(".") != 1 or item.startswith(".") or item.endswith("."):
            raise r.fail("mask.safe", f"'{item}' is not table.column or table.*")
    rules_data = r.table(data.get("rules", {}), "mask.rules")
    rules: dict[str, dict[str, MaskRule]] = {}
    for table, columns in rules_data.items():
        columns = r.table(columns, f"mask.rules.{table}")
        rules[table] = {col: _rule(r, rule, f"mask.rules.{table}.{col}") for col, rule in columns.items()}
        for col in rules[table]:
            if f"{table}.{col}" in safe:
                raise r.fail(f"mask.rules.{table}.{col}", "column is both ruled and declared safe",
                             "keep one: a rule, or the entry in mask.safe")
    source = _source(r, data["source"], base) if "source" in data else None
    return MaskSpec(source, strict, safe, rules)


def _rule(r: _Reader, value: Any, key: str) -> MaskRule:
    if isinstance(value, str):
        value = {"rule": value}
    data = r.table(value, key)
    r.only(data, ("rule", "value", "kind"), key)
    name = _RULE_ALIASES.get(data.get("rule", ""), data.get("rule", ""))
    if name not in MASK_RULES:
        raise r.fail(key, f"unknown masking rule '{data.get('rule', '')}'", "use one of: " + ", ".join(MASK_RULES))
    if name == "constant" and "value" not in data:
        raise r.fail(key, "rule 'constant' needs a 'value'")
    if "value" in data and name != "constant":
        raise r.fail(f"{key}.value", "'value' goes with rule 'constant' only")
    if "kind" in data and name != "fake":
        raise r.fail(f"{key}.kind", "'kind' goes with rule 'fake' only")
    kind = r.string(data["kind"], f"{key}.kind") if "kind" in data else None
    return MaskRule(name, data.get("value"), kind)


def _source(r: _Reader, value: Any, base: Path) -> MaskSource:
    if isinstance(value, str):
        if "://" in value:
            return MaskSource("url", value)
        return MaskSource("dump", str((base / value).resolve()))
    data = r.table(value, "mask.source")
    r.only(data, ("dump", "csv", "url"), "mask.source")
    if len(data) != 1:
        raise r.fail("mask.source", "give exactly one of dump, csv, url")
    kind, location = next(iter(data.items()))
    location = r.string(location, f"mask.source.{kind}")
    if kind != "url":
        location = str((base / location).resolve())
    return MaskSource(kind, location)
