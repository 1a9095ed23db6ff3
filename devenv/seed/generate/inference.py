"""Which generator a column gets: the spec's override, else a kind inferred from the column's name
(read with its table's name) and type, narrowed by the table's check constraints and lengths."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from devenv.errors import InputError
from devenv.seed.generate import generators as g
from devenv.seed.generate.kinds import KINDS, TYPE_DEFAULTS, ColumnContext
from devenv.seed.generate.patterns import PatternError, RegexPattern, Template
from devenv.seed.schema.constraints import Bound, InSet, LengthBound
from devenv.seed.spec.model import ColumnSpec

DEFAULT_NULL_RATIO = 0.1

_PERSON_TABLES = re.compile(r"user|customer|person|people|employee|member|author|contact|client|patient|"
                            r"student|staff|account|profile|owner|driver|guest|buyer|seller|teacher")
_COMPANY_TABLES = re.compile(r"compan|organi[sz]ation|vendor|supplier|merchant|tenant|partner|brand|"
                             r"store|shop|org$|orgs$|employer|firm|agency|publisher|manufacturer")
_PRODUCT_TABLES = re.compile(r"product|item|article|good|sku|catalog|inventory|book|course|listing")

# (pattern on the column name, kind); first match wins when the kind fits the column's type.
NAME_RULES: tuple[tuple[str, str], ...] = (
    (r"(^|_)(uuid|guid)$", "uuid"),
    (r"(^|_)id$", "integer"),  # a key, whatever else its name says (payment_id is not an amount)
    (r"(^|_)id$", "code"),
    (r"e_?mail", "email"),
    (r"phone|mobile|^cell|fax|(^|_)tel(ephone)?($|_)|msisdn", "phone"),
    (r"^(first_?name|given_?name|fore_?name|fname)$", "first_name"),
    (r"^(last_?name|sur_?name|family_?name|lname)$", "last_name"),
    (r"^(full_?name|display_?name|contact_?name|customer_?name|person_?name|author|owner_?name)$", "name"),
    (r"(user_?name|^login$|^handle$|nick_?name|screen_?name)", "username"),
    (r"password|passwd|pwd|secret|token|api_?key|salt|digest|(^|_)hash($|_)|checksum", "token"),
    (r"(^|_)ip(_?addr(ess)?|v4)?$", "ipv4"),
    (r"(^|_)(street|address_?line\d?|addr\d?|address\d?)$|street_?address", "street_address"),
    (r"(^|_)address$", "address"),
    (r"(^|_)(city|town)$", "city"),
    (r"(^|_)(state|province|region|county)$", "state"),
    (r"country_?(code|iso)", "country_code"),
    (r"(^|_)country$", "country"),
    (r"(zip|postal|post_?code)", "postcode"),
    (r"(^|_)(lat|latitude)$", "latitude"),
    (r"(^|_)(lng|lon|long|longitude)$", "longitude"),
    (r"(url|website|homepage|link|avatar|image|photo)", "url"),
    (r"(domain|host_?name)$", "domain"),
    (r"slug", "slug"),
    (r"(^|_)(sku|code|reference|ref|serial|barcode|ean|isbn|number|no)$", "code"),
    (r"currency", "currency_code"),
    (r"colou?r", "color"),
    (r"(^|_)(locale|language|lang)$", "locale"),
    (r"(^|_)(timezone|time_?zone|tz)$", "timezone"),
    (r"iban|account_?number", "iban"),
    (r"(credit_?)?card_?(number|no)|(^|_)pan$|(^|_)cc_?num", "credit_card"),
    (r"(^|_)(ssn|social_?security|national_?id|tax_?id)", "ssn"),
    (r"(^|_)(gender|sex)$", "gender"),
    (r"(company|organi[sz]ation|employer|vendor|supplier|merchant)(_?name)?$", "company"),
    (r"(job|occupation|position|role)_?title|^occupation$|^job$", "job"),
    (r"(^|_)title$|headline|subject", "title"),
    (r"description|(^|_)bio$|biography|notes?$|comment|(^|_)body$|content|summary|message|remarks?", "paragraph"),
    (r"birth|(^|_)dob$", "birthdate"),
    (r"(expires?|expiry|expiration|due|scheduled|valid_?until|ends?)(_?(at|on|date))?$", "future"),
    (r"(_at|_on|_date|_time|^date|timestamp|^time)$|^(created|updated|modified|deleted|published)$", "timestamp"),
    (r"price|amount|total|cost|balance|fee|salary|revenue|subtotal|tax|discount|payment|charge|wage", "money"),
    (r"percent|pct|ratio|(^|_)rate$", "percent"),
    (r"quantity|(^|_)qty$|_count$|^count$|^num_|number_of|stock", "quantity"),
    (r"(^|_)age$", "age"),
    (r"(^|_)year$", "year"),
    (r"rating|stars|(^|_)score$", "rating"),
    (r"^(is_|has_|can_)?(active|enabled|verified|confirmed|visible|published|available|subscribed)$", "flag_on"),
    (r"^(is_|has_)?(deleted|archived|banned|blocked|locked|disabled|suspended|flagged)$", "flag_off"),
    (r"(^|_)(json|metadata|meta|attributes|attrs|settings|preferences|prefs|payload|properties|extra|data)$", "json"),
)
_COMPILED = tuple((re.compile(pattern), kind) for pattern, kind in NAME_RULES)
_MOSTLY_NULL = re.compile(r"(deleted|archived|cancell?ed|banned|closed|removed)_(at|on)$")


def infer_kind(table_name: str, column_name: str, type_kind: str) -> str:
    """The kind for a column of `type_kind` named `column_name` in `table_name`."""
    name = column_name.lower()
    if type_kind == "enum":
        return "enum"
    if name == "name" and type_kind in ("string", "text"):
        table = table_name.lower()
        if _PERSON_TABLES.search(table):
            return "name"
        if _COMPANY_TABLES.search(table):
            return "company"
        if _PRODUCT_TABLES.search(table):
            return "product_name"
        return "label"
    for pattern, kind in _COMPILED:
        if pattern.search(name) and type_kind in KINDS[kind].types:
            return kind
    return TYPE_DEFAULTS.get(type_kind, "unsupported")


def default_null_ratio(column_name: str) -> float:
    """The share of NULLs a nullable column gets when the spec does not say."""
    return 0.9 if _MOSTLY_NULL.search(column_name.lower()) else DEFAULT_NULL_RATIO


def apply_constraints(ctx: ColumnContext) -> list[Any] | None:
    """Narrow `ctx` (bounds, length) by the table's checks on this column; return the allowed
    values when a check lists them (IN / = ANY / OR of equalities)."""
    column = ctx.column
    allowed = None
    if column.max_length:
        ctx.max_length = column.max_length
    low, high = _type_bounds(ctx)
    for constraint in ctx.table.constraints:
        if getattr(constraint, "column", None) != column.name:
            continue
        if isinstance(constraint, InSet):
            typed = [_typed(ctx, v) for v in constraint.values]
            allowed = typed if allowed is None else [v for v in allowed if v in typed]
        elif isinstance(constraint, Bound) and constraint.op in (">=", ">", "<=", "<", "="):
            value = _typed(ctx, constraint.value)
            if value is None:
                continue
            if constraint.op in (">=", ">", "="):
                value = _step(ctx, value, +1) if constraint.op == ">" else value
                low = value if low is None else max(low, value)
            if constraint.op in ("<=", "<", "="):
                value = _step(ctx, _typed(ctx, constraint.value), -1) if constraint.op == "<" else value
                high = value if high is None else min(high, value)
        elif isinstance(constraint, LengthBound) and constraint.op in ("<", "<=", "="):
            limit = constraint.value - (1 if constraint.op == "<" else 0)
            ctx.max_length = limit if ctx.max_length is None else min(ctx.max_length, limit)
        elif isinstance(constraint, LengthBound):
            minimum = constraint.value + (1 if constraint.op == ">" else 0)
            ctx.extras["min_length"] = max(ctx.extras.get("min_length", 0), minimum)
    ctx.low, ctx.high = low, high
    if allowed is not None and (low is not None or high is not None):
        allowed = [v for v in allowed if _within(v, low, high)]
    shortest, longest = ctx.extras.get("min_length", 0), ctx.max_length
    if allowed is not None and (shortest or longest):
        allowed = [v for v in allowed if not isinstance(v, str) or shortest <= len(v) <= (longest or len(v))]
    return allowed


def _within(value: Any, low: Any, high: Any) -> bool:
    try:
        return (low is None or value >= low) and (high is None or value <= high)
    except TypeError:
        return True


def check_feasible(ctx: ColumnContext, allowed: list[Any] | None, where: str) -> None:
    """InputError when the column's checks leave no value, or too few for a unique column."""
    name = f"{ctx.table.name}.{ctx.column.name}"
    if allowed is not None and not allowed:
        raise InputError(f"the check constraints on {name} leave no value to write", where,
                         "the CHECK's IN list and its bounds exclude each other: fix the schema, or skip the table")
    if ctx.low is not None and ctx.high is not None and _within(ctx.low, None, ctx.high) is False:
        raise InputError(f"the check constraints on {name} contradict each other: no value is at least {ctx.low} "
                         f"and at most {ctx.high} (type and checks together)", where,
                         "fix the schema's checks, or skip the table")
    if ctx.unique and allowed is not None and len(allowed) < ctx.rows:
        raise too_few(ctx, len(allowed), "values its check allows", where)


def too_few(ctx: ColumnContext, count: int, what: str, where: str) -> InputError:
    return InputError(f"{ctx.table.name}.{ctx.column.name} is unique but has only {count} {what}, "
                      f"for {ctx.rows} rows", where.rsplit(".columns.", 1)[0] + ".rows",
                      f"give {ctx.table.name} at most {count} rows (tables.{ctx.table.name}.rows = {count})")


def _type_bounds(ctx: ColumnContext) -> tuple[Any, Any]:
    column = ctx.column
    if column.kind == "int":
        name = type(column.type).__name__.upper()
        bits = {"SMALLINT": 16, "SMALLINTEGER": 16, "TINYINT": 8, "MEDIUMINT": 24, "BIGINT": 64,
                "BIGINTEGER": 64, "YEAR": 16}.get(name, 32)
        if getattr(column.type, "unsigned", False):
            return 0, 2**bits - 1
        return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if column.kind == "decimal":
        precision, scale = column.precision_scale
        if isinstance(precision, int):
            scale = scale or 0
            top = Decimal(10) ** (precision - scale) - Decimal(1).scaleb(-scale)
            return -top, top
    return None, None


def _typed(ctx: ColumnContext, value: Any) -> Any:
    """A check literal as a value of the column's type (strings stay strings for text columns)."""
    kind = ctx.column.kind
    try:
        if kind == "int":
            return int(value)
        if kind == "decimal":
            return Decimal(str(value))
        if kind == "float":
            return float(value)
        if kind == "date" and isinstance(value, str):
            return dt.date.fromisoformat(value[:10])
        if kind == "datetime" and isinstance(value, str):
            parsed = dt.datetime.fromisoformat(value)
            if ctx.column.timezone and parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=dt.timezone.utc)
            return parsed
    except (ValueError, ArithmeticError):
        return None
    return value


def _step(ctx: ColumnContext, value: Any, direction: int) -> Any:
    """The next representable value after `value` (for strict bounds)."""
    kind = ctx.column.kind
    if kind == "int":
        return value + direction
    if kind == "decimal":
        scale = ctx.column.precision_scale[1]
        return value + direction * Decimal(1).scaleb(-(scale if isinstance(scale, int) else 2))
    if kind == "float":
        return value + direction * 1e-6 * max(1.0, abs(value))
    if kind == "date":
        return value + dt.timedelta(days=direction)
    if kind == "datetime":
        return value + dt.timedelta(seconds=direction)
    return value


def build_generator(ctx: ColumnContext, override: ColumnSpec | None) -> g.Generator:
    """The column's generator before nulls: from the override, else from the inferred kind."""
    allowed = apply_constraints(ctx)
    where = f"{ctx.where}: tables.{ctx.table.name}.columns.{ctx.column.name}"
    check_feasible(ctx, allowed, where)
    if override is not None and override.generator is not None:
        return _from_override(ctx, override, where)
    if allowed:
        return g.Nth(allowed, ctx.key) if ctx.unique and len(allowed) >= ctx.rows else g.Choice(allowed)
    kind = infer_kind(ctx.table.name, ctx.column.name, ctx.column.kind)
    return build_kind(ctx, kind, where)


def build_kind(ctx: ColumnContext, kind: str, where: str) -> g.Generator:
    if kind == "unsupported":
        if ctx.column.nullable:
            return g.Constant(None)
        raise InputError(f"cannot generate values of type {ctx.column.type} for {ctx.table.name}.{ctx.column.name}",
                         where, "give the column a generator in the spec (constant, choices, template...)")
    spec = KINDS.get(kind)
    if spec is None:
        raise InputError(f"unknown kind '{kind}'", where, "use one of: " + ", ".join(sorted(KINDS)))
    if ctx.column.kind not in spec.types:
        raise InputError(f"kind '{kind}' does not fit a column of type {ctx.column.type}", where,
                         "pick a kind for this type, or another generator")
    return spec.build(ctx)


def _from_override(ctx: ColumnContext, spec: ColumnSpec, where: str) -> g.Generator:
    kind, value = spec.generator, spec.value
    if kind == "kind":
        return build_kind(ctx, value, where)
    if kind == "constant":
        if ctx.unique and ctx.rows > 1:
            raise too_few(ctx, 1, "value (a constant)", where)
        return g.Constant(value)
    if kind == "choices" and ctx.unique and len(value) < ctx.rows:
        raise too_few(ctx, len(value), "choices", where)
    if kind == "choices":
        return g.Nth(value, ctx.key) if ctx.unique and len(value) >= ctx.rows and not spec.weights \
            else g.Choice(value, spec.weights)
    if kind == "faker":
        return g.PoolChoice(ctx.pools.get(value, spec.args, where=where), ctx.max_length)
    if kind == "range":
        return _range(ctx, value, where)
    try:
        if kind == "regex":
            return g.RegexGen(RegexPattern(value), ctx.unique_key(), ctx.rows)
        return g.TemplateGen(Template(value), ctx.pools, where)
    except PatternError as exc:
        raise InputError(f"bad {kind} '{value}': {exc}", where, "see seeds/README.md for the syntax") from exc


def _range(ctx: ColumnContext, bounds: tuple[Any, Any], where: str) -> g.Generator:
    low, high = bounds
    kind = ctx.column.kind
    unique_key = ctx.unique_key()
    if isinstance(low, int) and kind == "int":
        if unique_key is not None and high - low + 1 >= ctx.rows:
            return g.UniqueInt(low, high, ctx.key)
        return g.IntRange(low, high)
    if isinstance(low, (int, float)) and kind in ("decimal", "float"):
        if kind == "float":
            return g.FloatRange(low, high)
        scale = ctx.column.precision_scale[1]
        return g.DecimalRange(Decimal(str(low)), Decimal(str(high)), scale if isinstance(scale, int) else 2, unique_key)
    if isinstance(low, dt.datetime) and kind == "datetime":
        if not ctx.column.timezone:
            low, high = low.replace(tzinfo=None), high.replace(tzinfo=None)
        elif low.tzinfo is None:
            low, high = low.replace(tzinfo=dt.timezone.utc), high.replace(tzinfo=dt.timezone.utc)
        return g.TimeRange(low, high, False, unique_key)
    if isinstance(low, dt.date) and not isinstance(low, dt.datetime) and kind in ("date", "datetime"):
        if kind == "datetime":
            tz = dt.timezone.utc if ctx.column.timezone else None
            return g.TimeRange(dt.datetime.combine(low, dt.time(), tz), dt.datetime.combine(high, dt.time(23, 59, 59), tz),
                               False, unique_key)
        return g.TimeRange(low, high, True, unique_key)
    raise InputError(f"a range of {type(low).__name__} does not fit a column of type {ctx.column.type}",
                     f"{where}.range", "give bounds of the column's type")
