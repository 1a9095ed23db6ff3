"""`devenv seed --suggest`: draft a masking spec from a database, dump or CSV folder. Each column is
classified by its name (read with its table's) and by a sample of its values; likely personal data
gets a masking rule and a comment saying why, everything else is declared safe for a human to
review. The sampled values are only looked at: none is ever written into the draft."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devenv.seed.generate.inference import infer_kind
from devenv.seed.mask.sources.base import Source
from devenv.seed.mask.sources.csv_folder import CsvSource
from devenv.seed.mask.sources.database import DatabaseSource
from devenv.seed.mask.sources.dump import DumpSource
from devenv.seed.schema.discovery import reflect_schema
from devenv.seed.schema.model import Schema

# kind -> (rule, reason)
_PERSONAL = {
    "email": ("fake", "e-mail address"),
    "phone": ("format-preserving", "phone number"),
    "first_name": ("fake", "person's name"),
    "last_name": ("fake", "person's name"),
    "name": ("fake", "person's name"),
    "username": ("fake", "user name"),
    "street_address": ("fake", "postal address"),
    "address": ("fake", "postal address"),
    "postcode": ("format-preserving", "postal code"),
    "ssn": ("format-preserving", "national identifier"),
    "iban": ("format-preserving", "bank account"),
    "credit_card": ("format-preserving", "card number"),
    "birthdate": ("fake", "date of birth"),
    "ipv4": ("fake", "IP address"),
    "token": ("hash", "secret or credential"),
    "paragraph": ("fake", "free text, may contain personal data"),
}
_CONTENT = (
    ("email", re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$"), "e-mail addresses"),
    ("ssn", re.compile(r"^\d{3}-\d{2}-\d{4}$"), "national identifiers"),
    ("iban", re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$"), "bank account numbers"),
    ("phone", re.compile(r"^\+?[\d\s().-]{7,20}$"), "phone numbers"),
)
_SHARE = 0.5
_PHOTO = re.compile(r"photo|picture|avatar|image|portrait|selfie|signature|face")


@dataclass(frozen=True)
class Finding:
    table: str
    column: str
    rule: str | None  # None: safe
    reason: str = ""


def draft_spec(url_or_source: str, *, database: str = "app", sample: int = 200, schema: str | None = None) -> str:
    """The drafted spec as TOML text (see the module docstring)."""
    source, reflected = _open(url_or_source, schema)
    findings = []
    with source:
        for table in source.tables():
            rows = source.sample(table, sample)
            for index, column in enumerate(source.columns(table)):
                values = [row[index] for row in rows if index < len(row) and row[index] is not None]
                findings.append(classify_column(table, column, values, reflected))
    return render(findings, url_or_source, database)


def _open(url_or_source: str, schema: str | None) -> tuple[Source, Schema | None]:
    if "://" in url_or_source:
        source = DatabaseSource(url_or_source, schema)
        return source, reflect_schema(source.conn, schema)
    path = Path(url_or_source)
    return (CsvSource(path) if path.is_dir() else DumpSource(path)), None


def classify_column(table: str, column: str, values: list[Any], schema: Schema | None = None) -> Finding:
    """Personal data by name, then by content; keys and everything else are safe."""
    type_kind, nullable = "string", True
    if schema is not None and schema.table_for(table) in schema.tables:
        info = schema.tables[schema.table_for(table)]
        if column in info.column_names:
            type_kind, nullable = info.column(column).kind, info.column(column).nullable
        if column in info.primary_key or any(column in fk.columns for fk in info.foreign_keys):
            return Finding(table, column, None, "key")
    if re.search(r"(^|_)id$", column.lower()):
        return Finding(table, column, None, "key")
    if type_kind == "bytes" and _PHOTO.search(column.lower()):
        return Finding(table, column, "null" if nullable else "hash", "name suggests a photo or a signature")
    if type_kind == "tsvector":
        return Finding(table, column, "fake", "search vector made from text that may hold personal data")
    kind = infer_kind(table, column, type_kind if type_kind in ("string", "text", "date", "datetime", "int") else "string")
    if kind in _PERSONAL and (kind != "birthdate" or type_kind in ("date", "datetime", "string")):
        rule, reason = _PERSONAL[kind]
        if type_kind == "int" and rule == "fake":
            rule = "hash"
        return Finding(table, column, rule, f"name suggests {reason}")
    texts = [v for v in values if isinstance(v, str) and v.strip()]
    if texts:
        for content_kind, pattern, label in _CONTENT:
            hits = sum(1 for v in texts if pattern.match(v.strip()))
            if content_kind == "phone":
                hits = sum(1 for v in texts if pattern.match(v.strip()) and sum(ch.isdigit() for ch in v) >= 7
                           and not _looks_like_date(v))
            if hits >= _SHARE * len(texts):
                rule, _ = _PERSONAL[content_kind]
                return Finding(table, column, rule, f"{hits} of {len(texts)} sampled values look like {label}")
        card_hits = sum(1 for v in texts if _luhn_card(v))
        if card_hits >= _SHARE * len(texts):
            return Finding(table, column, "format-preserving", f"{card_hits} of {len(texts)} sampled values look like card numbers")
        ip_hits = sum(1 for v in texts if _is_ip(v))
        if ip_hits >= _SHARE * len(texts):
            return Finding(table, column, "fake", f"{ip_hits} of {len(texts)} sampled values look like IP addresses")
        long_text = sum(1 for v in texts if len(v) > 40 and " " in v)
        if long_text >= _SHARE * len(texts):
            return Finding(table, column, "fake", "free text, may contain personal data")
    return Finding(table, column, None, "")


def _looks_like_date(value: str) -> bool:
    return bool(re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()))


def _luhn_card(value: str) -> bool:
    digits = [int(ch) for ch in value if ch.isdigit()]
    if not 13 <= len(digits) <= 19 or re.search(r"[^\d\s-]", value.strip()):
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip())
        return True
    except ValueError:
        return False


def _key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _without_password(url: str) -> str:
    """`url` with its password removed (not masked: removed), so it can be written down."""
    from sqlalchemy.engine import URL, make_url

    try:
        parsed = make_url(url)  # URL.set(password=None) would keep it: build the URL without one
        bare = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database,
                          {k: v for k, v in parsed.query.items() if "pass" not in k.lower()})
        return bare.render_as_string(hide_password=False)
    except Exception:  # noqa: BLE001 - an unparsable URL is not written at all
        return "..."


def database_name(url_or_source: str) -> str:
    """The database a draft is for: the URL's database name, or the dump's or folder's name."""
    if "://" in url_or_source:
        from sqlalchemy.engine import make_url

        try:
            return make_url(url_or_source).database or "app"
        except Exception:  # noqa: BLE001 - a bad URL fails later, when it is opened
            return "app"
    return Path(url_or_source).stem or "app"


def render(findings: list[Finding], origin: str, database: str) -> str:
    lines = [
        f"# Drafted by devenv seed --suggest from {'a database URL' if '://' in origin else origin}.",
        "# Review it: columns flagged as personal data carry a rule and the reason; all others are",
        "# declared safe (copied as they are). Sampled values were read, none is written here.",
        f"database = {json.dumps(database)}",
        "seed = 1",
        "",
        "[mask]",
    ]
    if "://" in origin:
        lines += ["# Without a source this file seeds synthetic rows. To mask instead, name where the data is:",
                  f"# source = {{ url = {json.dumps(_without_password(origin))} }}  (give the password through",
                  "# the URL you run with, or a .pgpass file; it is never written here)"]
    else:
        kind = "csv" if Path(origin).is_dir() else "dump"
        lines.append(f"source = {{ {kind} = {json.dumps(str(Path(origin).resolve()))} }}")
    safe = [f for f in findings if f.rule is None]
    lines.append("safe = [")
    lines += [f"  {json.dumps(f'{f.table}.{f.column}')}," for f in safe]
    lines.append("]")
    by_table: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule is not None:
            by_table.setdefault(finding.table, []).append(finding)
    for table in sorted(by_table):
        lines += ["", f"[mask.rules.{_key(table)}]"]
        for finding in by_table[table]:
            lines.append(f"{_key(finding.column)} = {json.dumps(finding.rule)}  # personal data: {finding.reason}")
    return "\n".join(lines) + "\n"
