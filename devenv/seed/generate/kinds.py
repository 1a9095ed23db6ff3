"""The catalogue of value kinds (email, phone, money, timestamp...): for each, the column types it
fits and how to build its generator for one column. `inference` picks a kind; a spec may name one
with `kind = "..."`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import types as sqltypes

from devenv.errors import InputError
from devenv.seed.generate import generators as g
from devenv.seed.generate.patterns import RegexPattern
from devenv.seed.generate.pools import Pools
from devenv.seed.schema.model import Column, Table, type_kind

STR = frozenset({"string", "text"})
NUM = frozenset({"int", "decimal", "float"})
TIME = frozenset({"date", "datetime"})


@dataclass
class ColumnContext:
    """Everything a kind needs to build one column's generator."""

    table: Table
    column: Column
    rows: int
    seed: int
    now: dt.datetime
    pools: Pools
    unique: bool = False  # the plan needs distinct values in this column
    low: Any = None  # inclusive bounds from check constraints (already typed)
    high: Any = None
    max_length: int | None = None  # the type's length, narrowed by length checks
    where: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str, str]:
        """Seed parts naming this column, for keyed permutations."""
        return (self.seed, self.table.name, self.column.name)

    def unique_key(self) -> tuple[int, str, str] | None:
        return self.key if self.unique else None


@dataclass(frozen=True)
class Kind:
    types: frozenset[str]
    build: Callable[[ColumnContext], g.Generator]
    natural: tuple[Any, Any] | None = None  # the usual range of a numeric or time kind


def _pool(provider: str) -> Callable[[ColumnContext], g.Generator]:
    return lambda ctx: g.PoolChoice(ctx.pools.get(provider), ctx.max_length)


def _short_or(provider: str, short: str, limit: int) -> Callable[[ColumnContext], g.Generator]:
    """A pool of `provider`, or of its abbreviation `short` when the column holds `limit` chars."""
    def build(ctx: ColumnContext) -> g.Generator:
        chosen = short if ctx.max_length is not None and ctx.max_length <= limit else provider
        return g.PoolChoice(ctx.pools.get(chosen), ctx.max_length)
    return build


def _int_range(ctx: ColumnContext, low: int, high: int) -> g.Generator:
    low, high = clamp_range(ctx, low, high)
    if ctx.unique and high - low + 1 >= ctx.rows:
        return g.UniqueInt(int(low), int(high), ctx.key)
    return g.IntRange(int(low), int(high))


def _numeric(ctx: ColumnContext, low: Any, high: Any, scale: int = 2) -> g.Generator:
    """A number in [low, high] of the column's own type (int, decimal or float)."""
    kind = ctx.column.kind
    if kind == "int":
        return _int_range(ctx, int(low), int(high))
    low, high = clamp_range(ctx, low, high)
    if kind == "decimal":
        col_scale = ctx.column.precision_scale[1]
        scale = col_scale if isinstance(col_scale, int) else scale
        return g.DecimalRange(Decimal(str(low)), Decimal(str(high)), scale, ctx.unique_key())
    return g.FloatRange(float(low), float(high))


def clamp_range(ctx: ColumnContext, low: Any, high: Any) -> tuple[Any, Any]:
    """The natural [low, high] of a kind narrowed by the column's bounds; when they do not
    overlap, the column's bounds win (a check constraint is law, a name is a hint). A partition
    key takes its partitions' whole range."""
    c_low, c_high = ctx.low, ctx.high
    if ctx.column.name == ctx.table.partition_key and c_low is not None and c_high is not None:
        return c_low, c_high  # span every partition, not only those the kind's usual range meets
    new_low = low if c_low is None else max(low, c_low)
    new_high = high if c_high is None else min(high, c_high)
    if new_low <= new_high:
        return new_low, new_high
    span = high - low
    if c_low is not None and c_high is not None:
        return c_low, c_high
    if c_low is not None:
        return c_low, c_low + span
    return c_high - span, c_high


def _time(ctx: ColumnContext, back: dt.timedelta, forward: dt.timedelta = dt.timedelta(0)) -> g.Generator:
    """Dates or datetimes in [now - back, now + forward], narrowed by the column's bounds."""
    as_date = ctx.column.kind == "date"
    now = ctx.now
    if as_date:
        low, high = (now - back).date(), (now + forward).date()
    else:
        now = now if ctx.column.timezone else now.replace(tzinfo=None)
        low, high = now - back, now + forward
    low, high = clamp_range(ctx, low, high)
    return g.TimeRange(low, high, as_date, ctx.unique_key())


def _email(ctx: ColumnContext) -> g.Generator:
    return g.Email(ctx.pools, ctx.unique_key(), ctx.rows, ctx.max_length)


def _phone(ctx: ColumnContext) -> g.Generator:
    return g.Phone(ctx.unique_key(), ctx.rows, ctx.max_length)


def _full_name(ctx: ColumnContext) -> g.Generator:
    return g.Joined("{0} {1}", [ctx.pools.first_names(), ctx.pools.last_names()], ctx.max_length)


def _username(ctx: ColumnContext) -> g.Generator:
    first, last = ctx.pools.email_locals()
    return g.Joined("{0}{1}", [first, [s[:1] for s in last]], ctx.max_length)


def _address(ctx: ColumnContext) -> g.Generator:
    return g.Joined("{0}, {1}", [ctx.pools.get("street_address"), ctx.pools.get("city")], ctx.max_length)


def _label(ctx: ColumnContext) -> g.Generator:
    words = ctx.pools.derived("label", lambda: [w.capitalize() for w in ctx.pools.get("word") if w.isalpha()])
    return g.Joined("{0} {1}", [words, words], ctx.max_length)


def _code(ctx: ColumnContext) -> g.Generator:
    length = ctx.max_length or 12
    if length < 4:
        return g.Letters(length, length)
    letters = min(3, length - 2)
    digits = min(8, length - letters - 1)
    return g.RegexGen(RegexPattern(f"[A-Z]{{{letters}}}-[0-9]{{{digits}}}"), ctx.unique_key(), ctx.rows)


def _text(ctx: ColumnContext) -> g.Generator:
    length = ctx.max_length
    if length is not None and length <= 12:
        return g.Letters(min(3, length), length)
    if length is not None and length <= 40:
        return g.PoolChoice(ctx.pools.get("word"), length)
    if length is not None and length <= 120:
        return g.PoolChoice(ctx.pools.get("sentence"), length)
    return g.PoolChoice(ctx.pools.get("paragraph", size=300), length)


def _uuid(ctx: ColumnContext) -> g.Generator:
    as_string = ctx.column.kind != "uuid"
    if as_string and ctx.max_length is not None and ctx.max_length < 36:
        return g.HexToken(ctx.max_length, ctx.unique_key())
    return g.Uuid(ctx.key, as_string)


def _token(ctx: ColumnContext) -> g.Generator:
    return g.HexToken(min(ctx.max_length or 64, 64), ctx.unique_key())


def _json(ctx: ColumnContext) -> g.Generator:
    return g.JsonDoc(ctx.pools, as_text=ctx.column.kind != "json")


def _enum(ctx: ColumnContext) -> g.Generator:
    values = ctx.column.enum_values
    if not values:
        return _text(ctx)
    if ctx.unique and len(values) < ctx.rows:
        raise InputError(f"{ctx.table.name}.{ctx.column.name} is unique but its enum has only {len(values)} values, "
                         f"for {ctx.rows} rows", f"{ctx.where}: tables.{ctx.table.name}.rows",
                         f"give {ctx.table.name} at most {len(values)} rows (tables.{ctx.table.name}.rows = {len(values)})")
    return g.Nth(values, ctx.key) if ctx.unique else g.Choice(values)


def _bool(p_true: float) -> Callable[[ColumnContext], g.Generator]:
    return lambda ctx: g.Boolean(p_true)


def _array(ctx: ColumnContext) -> g.Generator:
    """Lists of 0-3 items of the array's element type (words for text, small numbers...)."""
    item = type_kind(getattr(ctx.column.type, "item_type", None) or sqltypes.Text())
    samples: dict[str, list[Any]] = {
        "int": list(range(1, 101)), "bool": [False, True],
        "decimal": [Decimal(n).scaleb(-2) for n in range(100, 10_000, 37)],
        "float": [n / 8 for n in range(1, 400)],
    }
    return _ArrayOf(samples.get(item) or [w for w in ctx.pools.get("word") if w.isalpha()])


class _ArrayOf(g.Generator):
    def __init__(self, values: list[Any]) -> None:
        self.values = values

    def generate(self, batch: g.Batch) -> list[Any]:
        rng = batch.rng
        return [rng.choices(self.values, k=int(rng.random() * 4)) for _ in range(batch.count)]


def _tsvector(ctx: ColumnContext) -> g.Generator:
    """Text-search vectors in PostgreSQL's input form: 'word' 'other' 'third'."""
    words = [w.lower() for w in ctx.pools.get("word") if w.isalpha()]
    return g.Joined("'{0}' '{1}' '{2}'", [words, words, words])


def _bytes(ctx: ColumnContext) -> g.Generator:
    return g.Bytes(min(ctx.max_length or 16, 32))


_YEAR = dt.timedelta(days=365)

KINDS: dict[str, Kind] = {
    "email": Kind(STR, _email),
    "phone": Kind(STR, _phone),
    "first_name": Kind(STR, lambda c: g.PoolChoice(c.pools.first_names(), c.max_length)),
    "last_name": Kind(STR, lambda c: g.PoolChoice(c.pools.last_names(), c.max_length)),
    "name": Kind(STR, _full_name),
    "username": Kind(STR, _username),
    "company": Kind(STR, _pool("company")),
    "job": Kind(STR, _pool("job")),
    "product_name": Kind(STR, lambda c: g.PoolChoice(c.pools.product_names(), c.max_length)),
    "label": Kind(STR, _label),
    "street_address": Kind(STR, _pool("street_address")),
    "address": Kind(STR, _address),
    "city": Kind(STR, _pool("city")),
    "state": Kind(STR, _short_or("state", "state_abbr", 3)),
    "country": Kind(STR, _short_or("country", "country_code", 3)),
    "country_code": Kind(STR, _pool("country_code")),
    "postcode": Kind(STR, _pool("postcode")),
    "url": Kind(STR, _pool("url")),
    "domain": Kind(STR, _pool("domain_name")),
    "ipv4": Kind(STR | {"inet"}, _pool("ipv4")),
    "slug": Kind(STR, lambda c: g.Slug(c.pools, c.max_length)),
    "code": Kind(STR, _code),
    "currency_code": Kind(STR, _pool("currency_code")),
    "color": Kind(STR, _pool("color_name")),
    "locale": Kind(STR, _pool("locale")),
    "timezone": Kind(STR, _pool("timezone")),
    "iban": Kind(STR, _pool("iban")),
    "credit_card": Kind(STR, _pool("credit_card_number")),
    "ssn": Kind(STR, _pool("ssn")),
    "title": Kind(STR, lambda c: g.PoolChoice([s.rstrip(".") for s in c.pools.get("sentence")], c.max_length)),
    "paragraph": Kind(STR, lambda c: g.PoolChoice(c.pools.get("paragraph", size=300), c.max_length)),
    "text": Kind(STR, _text),
    "gender": Kind(STR, lambda c: g.Choice(["female", "male", "non-binary"], [48, 48, 4])),
    "token": Kind(STR, _token),
    "uuid": Kind(STR | {"uuid"}, _uuid),
    "latitude": Kind(frozenset({"float", "decimal"}), lambda c: _numeric(c, -90, 90, 6), (-90, 90)),
    "longitude": Kind(frozenset({"float", "decimal"}), lambda c: _numeric(c, -180, 180, 6), (-180, 180)),
    "money": Kind(NUM, lambda c: _numeric(c, 1, 500), (1, 500)),
    "percent": Kind(NUM, lambda c: _numeric(c, 0, 100), (0, 100)),
    "quantity": Kind(NUM, lambda c: _numeric(c, 1, 10), (1, 10)),
    "age": Kind(NUM, lambda c: _numeric(c, 18, 90), (18, 90)),
    "year": Kind(frozenset({"int"}), lambda c: _int_range(c, 1950, c.now.year), (1950, 2025)),
    "rating": Kind(NUM, lambda c: _numeric(c, 1, 5), (1, 5)),
    "integer": Kind(frozenset({"int"}), lambda c: _int_range(c, 0, max(1000, c.rows * 2 if c.unique else 0))),
    "float": Kind(frozenset({"float", "decimal"}), lambda c: _numeric(c, 0, 1000)),
    "decimal": Kind(frozenset({"decimal", "float"}), lambda c: _numeric(c, 0, 1000)),
    "timestamp": Kind(TIME, lambda c: _time(c, 2 * _YEAR)),
    "future": Kind(TIME, lambda c: _time(c, dt.timedelta(0), _YEAR)),
    "birthdate": Kind(TIME, lambda c: _time(c, 90 * _YEAR + dt.timedelta(days=22), -18 * _YEAR)),
    "date": Kind(TIME, lambda c: _time(c, 2 * _YEAR)),
    "time": Kind(frozenset({"time"}), lambda c: g.TimeOfDay()),
    "interval": Kind(frozenset({"interval"}), lambda c: g.IntervalGen()),
    "boolean": Kind(frozenset({"bool"}), _bool(0.5)),
    "flag_on": Kind(frozenset({"bool"}), _bool(0.85)),
    "flag_off": Kind(frozenset({"bool"}), _bool(0.05)),
    "json": Kind(frozenset({"json", "text"}), _json),
    "enum": Kind(frozenset({"enum", "string", "text"}), _enum),
    "array": Kind(frozenset({"array"}), _array),
    "tsvector": Kind(frozenset({"tsvector"}), _tsvector),
    "bytes": Kind(frozenset({"bytes"}), _bytes),
}

# The kind a column gets from its type alone, when its name says nothing.
TYPE_DEFAULTS = {
    "int": "integer", "float": "float", "decimal": "decimal", "bool": "boolean", "date": "date",
    "datetime": "timestamp", "time": "time", "interval": "interval", "uuid": "uuid", "json": "json",
    "bytes": "bytes", "enum": "enum", "string": "text", "text": "text", "inet": "ipv4", "array": "array",
    "tsvector": "tsvector",
}
