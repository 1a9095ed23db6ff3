"""A plain SQL dump: pg_dump's COPY blocks or INSERT statements, mysqldump's multi-row INSERTs.
The dump is parsed for its data, never executed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from devenv.errors import InputError
from devenv.seed.mask.sources.base import Source

NULL = None

_COPY = re.compile(r"^COPY\s+(?P<table>[\w.\"`]+)\s*\((?P<cols>[^)]*)\)\s+FROM\s+stdin", re.IGNORECASE)
_INSERT = re.compile(r"^INSERT\s+INTO\s+(?P<table>[\w.\"`]+)\s*(?:\((?P<cols>[^)]*)\))?\s*VALUES\s*", re.IGNORECASE | re.DOTALL)
_CREATE = re.compile(r"^CREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<table>[\w.\"`]+)\s*\((?P<body>.*)\)",
                     re.IGNORECASE | re.DOTALL)
_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}
_CONSTRAINT_WORDS = {"constraint", "primary", "foreign", "unique", "check", "key", "index", "exclude", "fulltext"}


def _name(raw: str) -> str:
    """A table name without schema and quotes: public."orders" -> orders."""
    last = raw.strip().split(".")[-1]
    return last.strip('"`')


def _column_names(raw: str) -> list[str]:
    return [c.strip().strip('"`') for c in raw.split(",") if c.strip()]


class DumpSource(Source):
    """A plain SQL dump, parsed once into memory (table -> columns and rows)."""

    def __init__(self, path: Path) -> None:
        self.where = str(path)
        self._columns: dict[str, list[str]] = {}
        self._rows: dict[str, list[tuple[Any, ...]]] = {}
        self._declared: dict[str, list[str]] = {}
        try:
            with path.open(encoding="utf-8") as handle:
                self._parse(handle)
        except UnicodeDecodeError as exc:
            raise InputError("the dump is not UTF-8 text", self.where, "dump with UTF-8 encoding") from exc

    def tables(self) -> list[str]:
        return sorted(self._rows)

    def columns(self, table: str) -> list[str]:
        return list(self._columns[table])

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        yield from self._rows[table]

    def _parse(self, handle: Iterator[str]) -> None:
        dialect = _Dialect()
        for statement, line_number in _statements(handle, dialect):
            if re.match(r"SET\s+standard_conforming_strings\s*=\s*'?on'?", statement, re.IGNORECASE):
                dialect.backslashes = False
                continue
            copy = _COPY.match(statement)
            if copy:
                table = _name(copy.group("table"))
                self._add(table, _column_names(copy.group("cols")), line_number)
                rows = self._rows[table]
                for line in handle:
                    line = line.rstrip("\n").rstrip("\r")
                    if line == "\\.":
                        break
                    rows.append(tuple(_copy_value(v) for v in line.split("\t")))
                continue
            insert = _INSERT.match(statement)
            if insert:
                table = _name(insert.group("table"))
                columns = _column_names(insert.group("cols")) if insert.group("cols") else self._declared.get(table)
                if columns is None:
                    raise InputError(f"INSERT into {table} without a column list, and no CREATE TABLE before it",
                                     f"{self.where}:{line_number}", "dump with --column-inserts or with the schema")
                self._add(table, columns, line_number)
                try:
                    self._rows[table].extend(_values(statement[insert.end():], dialect.backslashes))
                except ValueError as exc:
                    raise InputError(f"cannot read the INSERT into {table}: {exc}", f"{self.where}:{line_number}",
                                     "the dump must be plain SQL (pg_dump --format=plain, mysqldump)") from exc
                continue
            create = _CREATE.match(statement)
            if create:
                self._declared[_name(create.group("table"))] = _declared_columns(create.group("body"))

    def _add(self, table: str, columns: list[str], line_number: int) -> None:
        if table in self._columns and self._columns[table] != columns:
            raise InputError(f"table {table} appears with different columns", f"{self.where}:{line_number}",
                             "dump each table's data once, with one column list")
        self._columns[table] = columns
        self._rows.setdefault(table, [])


class _Dialect:
    """How string literals escape: MySQL reads backslashes, PostgreSQL with
    standard_conforming_strings (pg_dump sets it) does not."""

    backslashes = True


_DOLLAR = re.compile(r"\$[A-Za-z_]*\$")


def _statements(handle: Iterator[str], dialect: _Dialect) -> Iterator[tuple[str, int]]:
    """SQL statements outside quotes (also $$-quoted bodies) and comments, with their first line
    number; a COPY statement is yielded as soon as it ends so the caller reads its data lines."""
    buffer: list[str] = []
    quote = ""
    start = 0
    for number, line in enumerate(handle, start=1):
        if not buffer and not quote:
            if not line.strip() or line.lstrip().startswith("--"):
                continue
            start = number
        i = 0
        chunk_start = 0
        while i < len(line):
            ch = line[i]
            if quote:
                if len(quote) > 1:
                    if line.startswith(quote, i):
                        i += len(quote)
                        quote = ""
                        continue
                elif ch == "\\" and quote == "'" and dialect.backslashes and i + 1 < len(line):
                    i += 2
                    continue
                elif ch == quote:
                    if i + 1 < len(line) and line[i + 1] == quote:
                        i += 2
                        continue
                    quote = ""
            elif ch in "'\"`":
                quote = ch
            elif ch == "$" and (dollar := _DOLLAR.match(line, i)):
                quote = dollar.group(0)
                i += len(quote)
                continue
            elif ch == "-" and line.startswith("--", i):
                buffer.append(line[chunk_start:i])
                chunk_start = len(line)
                break
            elif ch == ";":
                buffer.append(line[chunk_start:i])
                statement = "".join(buffer).strip()
                buffer = []
                chunk_start = i + 1
                if statement:
                    yield statement, start
                start = number
            i += 1
        rest = line[chunk_start:]
        if buffer or quote or rest.strip():
            buffer.append(rest)


def _copy_value(raw: str) -> Any:
    if raw == "\\N":
        return NULL
    if "\\" not in raw:
        return raw
    out = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt in _COPY_ESCAPES:
                out.append(_COPY_ESCAPES[nxt])
                i += 2
                continue
            hexadecimal = re.match(r"[0-9a-fA-F]{1,2}", raw[i + 2:i + 4]) if nxt == "x" else None
            if hexadecimal:
                digits = hexadecimal.group(0)
                out.append(chr(int(digits, 16)))
                i += 2 + len(digits)
                continue
            octal = re.match(r"[0-7]{1,3}", raw[i + 1:i + 4])  # matches when `nxt` is an octal digit
            if octal:
                digits = octal.group(0)
                out.append(chr(int(digits, 8)))
                i += 1 + len(digits)
                continue
            out.append(nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _value_tokens(string_pattern: str) -> re.Pattern[str]:
    return re.compile(
        r"\s*(?:(?P<estring>[eE]'(?:[^'\\]|\\.|'')*')|(?P<string>" + string_pattern + r")|(?P<null>NULL\b)"
        r"|(?P<bool>TRUE\b|FALSE\b)|(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)|(?P<punct>[(),])"
        r"|(?P<cast>::[\w ]+(?:\[\])?))",
        re.IGNORECASE,
    )


_TOKENS_BACKSLASH = _value_tokens(r"'(?:[^'\\]|\\.|'')*'")  # MySQL: 'it\'s'
_TOKENS_STANDARD = _value_tokens(r"'(?:[^']|'')*'")  # PostgreSQL: 'C:\dir', 'it''s'
_BACKSLASH = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "Z": "\x1a", "\\": "\\", "'": "'", '"': '"'}


def _unquote(body: str, backslashes: bool) -> str:
    text_value = body.replace("''", "'")
    if not backslashes or "\\" not in text_value:
        return text_value
    return re.sub(r"\\(.)", lambda m: _BACKSLASH.get(m.group(1), m.group(1)), text_value)


def _values(body: str, backslashes: bool) -> Iterator[tuple[Any, ...]]:
    """The tuples of `VALUES (...), (...)`. Strings keep their text; numbers stay text too (typed
    later by the target column); NULL is None. Backslash escapes are read as MySQL writes them."""
    tokens = _TOKENS_BACKSLASH if backslashes else _TOKENS_STANDARD
    pos = 0
    row: list[Any] | None = None
    expect_value = False
    while pos < len(body):
        match = tokens.match(body, pos)
        if not match:
            if body[pos:].strip() == "":
                break
            raise ValueError(f"unexpected text near '{body[pos:pos + 30]}'")
        pos = match.end()
        kind = match.lastgroup or ""
        token = match.group(kind)
        if kind == "punct":
            if token == "(" and row is None:
                row, expect_value = [], True
            elif token == "," and row is not None:
                expect_value = True
            elif token == ")" and row is not None:
                yield tuple(row)
                row = None
            continue
        if kind == "cast":
            continue
        if row is None or not expect_value:
            raise ValueError(f"unexpected value '{token[:30]}'")
        expect_value = False
        if kind == "null":
            row.append(None)
        elif kind == "string":
            row.append(_unquote(token[1:-1], backslashes))
        elif kind == "estring":
            row.append(_unquote(token[2:-1], backslashes=True))
        elif kind == "bool":
            row.append(token.lower())
        else:
            row.append(token)


def _declared_columns(body: str) -> list[str]:
    """Column names of a CREATE TABLE body, in order (constraints skipped)."""
    depth = 0
    parts: list[str] = []
    current: list[str] = []
    for ch in body:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    names = []
    for part in parts:
        words = part.strip().split()
        if words and words[0].lower().strip('"`') not in _CONSTRAINT_WORDS:
            names.append(words[0].strip('"`'))
    return names
