"""Check constraints the generators can follow, parsed from the text the database reflects.

Handled: conjunctions (AND) of `col >= N` (and >, <=, <, =, <>), `N <= col`, `col BETWEEN a AND b`,
`col IN (...)`, PostgreSQL's `col = ANY (ARRAY[...])`, ORs of equalities on one column,
`col IS NOT NULL`, `length(col) op N`, and `col_a op col_b`. Casts (`::numeric`), quoting and
redundant parentheses are stripped first. Anything else is reported as unparsed, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any


@dataclass(frozen=True)
class Bound:
    """`column op value` with op one of >=, >, <=, <, =, <>."""

    column: str
    op: str
    value: Any


@dataclass(frozen=True)
class InSet:
    column: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class LengthBound:
    column: str
    op: str
    value: int


@dataclass(frozen=True)
class Compare:
    """`left op right` between two columns of one row."""

    left: str
    op: str
    right: str


Constraint = Bound | InSet | LengthBound | Compare


@dataclass(frozen=True)
class _IsNull:
    """`col IS NULL`: only meaningful as an OR branch that the generators need not take."""

    column: str


_Found = Constraint | _IsNull  # what the parser collects before `parse_check` rules out IS NULL

_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "=", "<>": "<>"}
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>'(?:[^']|'')*')
      | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      | (?P<op>>=|<=|<>|!=|=|>|<)
      | (?P<punct>[(),\[\]])
      | (?P<word>[A-Za-z_][A-Za-z_0-9$]*)
    )""",
    re.VERBOSE,
)
_CAST = re.compile(
    r"::\s*(?:\"[^\"]+\"|character\s+varying|double\s+precision|bit\s+varying"
    r"|(?:timestamp|time)(?:\s*\(\d+\))?(?:\s+with(?:out)?\s+time\s+zone)?|[A-Za-z_]\w*)"
    r"(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\[\])*",
    re.IGNORECASE,
)
_LENGTH_FUNCS = {"length", "char_length", "character_length", "octet_length"}


class _Unsupported(Exception):
    pass


def parse_check(sqltext: str) -> list[Constraint] | None:
    """The constraints in `sqltext`, or None when any part of it is beyond this parser."""
    text = _CAST.sub("", sqltext)
    text = re.sub(r"\b_[a-z0-9]+(?=')", "", text)  # MySQL charset introducers: _utf8mb4'x'
    text = re.sub(r'[`"]', "", text)
    tokens = _tokenize(text)
    if tokens is None:
        return None
    parser = _Parser(tokens)
    try:
        found = parser.conjunction()
        if parser.pos != len(tokens) or any(isinstance(c, _IsNull) for c in found):
            return None
    except (_Unsupported, IndexError):
        return None
    return [c for c in found if not isinstance(c, _IsNull)]


def _tokenize(text: str) -> list[tuple[str, str]] | None:
    tokens: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            return None
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "word":
            value_l = value.lower()
            if value_l in ("and", "or", "in", "between", "any", "array", "is", "not", "null", "true", "false"):
                tokens.append(("kw", value_l))
            else:
                tokens.append(("word", value))
        elif kind == "op":
            tokens.append(("op", "<>" if value == "!=" else value))
        else:
            tokens.append((kind, value))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else ("end", "")

    def take(self, kind: str, value: str | None = None) -> str:
        token = self.peek()
        if token[0] != kind or (value is not None and token[1] != value):
            raise _Unsupported(token)
        self.pos += 1
        return token[1]

    def accept(self, kind: str, value: str | None = None) -> bool:
        token = self.peek()
        if token[0] == kind and (value is None or token[1] == value):
            self.pos += 1
            return True
        return False

    def conjunction(self) -> list[_Found]:
        found = self.disjunction()
        while self.accept("kw", "and"):
            found += self.disjunction()
        return found

    def disjunction(self) -> list[_Found]:
        """An OR holds when one branch does: equalities on one column become an InSet; otherwise
        the first branch that is not `col IS NULL` is kept (stricter than needed, never wrong)."""
        branches = [self.term()]
        while self.accept("kw", "or"):
            branches.append(self.term())
        if len(branches) == 1:
            return branches[0]
        branches = [b for b in branches if not any(isinstance(c, _IsNull) for c in b)]
        if not branches:
            raise _Unsupported("IS NULL")
        flat = [c for b in branches for c in b]
        equalities = [c for c in flat if isinstance(c, InSet) or isinstance(c, Bound) and c.op == "="]
        columns = {c.column for c in equalities}
        if len(equalities) == len(flat) and len(columns) == 1:
            values = [v for c in equalities for v in (c.values if isinstance(c, InSet) else (c.value,))]
            return [InSet(columns.pop(), tuple(values))]
        return branches[0]

    def term(self) -> list[_Found]:
        if self.peek() == ("punct", "(") and self._is_group():
            self.take("punct", "(")
            found = self.conjunction()
            self.take("punct", ")")
            return found
        return self.comparison()

    def _is_group(self) -> bool:
        """Whether the parenthesis at pos opens a boolean group rather than an operand."""
        depth = 0
        for kind, value in self.tokens[self.pos:]:
            if (kind, value) == ("punct", "("):
                depth += 1
            elif (kind, value) == ("punct", ")"):
                depth -= 1
                if depth == 0:
                    return False
            elif depth == 1 and (kind == "op" or kind == "kw" and value in ("and", "or", "in", "between", "is")):
                return True
        return False

    def operand(self) -> tuple[str, Any]:
        """('column', name) | ('length', name) | ('literal', value)."""
        if self.accept("punct", "("):
            inner = self.operand()
            self.take("punct", ")")
            return inner
        kind, value = self.peek()
        if kind == "word":
            self.pos += 1
            if self.accept("punct", "("):
                if value.lower() == "json_valid":  # MariaDB's JSON columns: generated JSON is valid
                    inner = self.operand()
                    self.take("punct", ")")
                    return ("predicate", inner[1])
                if value.lower() not in _LENGTH_FUNCS:
                    raise _Unsupported(value)
                inner = self.operand()
                self.take("punct", ")")
                if inner[0] != "column":
                    raise _Unsupported(inner)
                return ("length", inner[1])
            return ("column", value)
        return ("literal", self.literal())

    def literal(self) -> Any:
        kind, value = self.peek()
        self.pos += 1
        if kind == "number":
            try:
                number = Decimal(value)
            except InvalidOperation as exc:
                raise _Unsupported(value) from exc
            return int(number) if number == number.to_integral_value() and "." not in value else number
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if kind == "kw" and value in ("true", "false"):
            return value == "true"
        raise _Unsupported(value)

    def literal_list(self, close: str) -> tuple[Any, ...]:
        values = [self.operand_literal()]
        while self.accept("punct", ","):
            values.append(self.operand_literal())
        self.take("punct", close)
        return tuple(values)

    def operand_literal(self) -> Any:
        kind, value = self.operand()
        if kind != "literal":
            raise _Unsupported(value)
        return value

    def comparison(self) -> list[_Found]:
        left = self.operand()
        if left[0] == "predicate":
            return []
        if self.accept("kw", "is"):
            negated = self.accept("kw", "not")
            self.take("kw", "null")
            if left[0] != "column":
                raise _Unsupported(left)
            return [] if negated else [_IsNull(left[1])]
        negated = self.accept("kw", "not")
        if self.accept("kw", "between"):
            low = self.operand_literal()
            self.take("kw", "and")
            high = self.operand_literal()
            if negated or left[0] != "column":
                raise _Unsupported(left)
            return [Bound(left[1], ">=", low), Bound(left[1], "<=", high)]
        if self.accept("kw", "in"):
            self.take("punct", "(")
            values = self.literal_list(")")
            if negated or left[0] != "column":
                raise _Unsupported(left)
            return [InSet(left[1], values)]
        if negated:
            raise _Unsupported("not")
        op = self.take("op")
        if op == "=" and self.accept("kw", "any"):
            self.take("punct", "(")
            wrapped = self.accept("punct", "(")
            self.take("kw", "array")
            self.take("punct", "[")
            values = self.literal_list("]")
            if wrapped:
                self.take("punct", ")")
            self.take("punct", ")")
            if left[0] != "column":
                raise _Unsupported(left)
            return [InSet(left[1], values)]
        right = self.operand()
        return [_comparison(left, op, right)]


def _comparison(left: tuple[str, Any], op: str, right: tuple[str, Any]) -> Constraint:
    if left[0] == "literal" and right[0] != "literal":
        left, op, right = right, _FLIP[op], left
    if right[0] != "literal":
        if left[0] == right[0] == "column":
            return Compare(left[1], op, right[1])
        raise _Unsupported((left, right))
    if left[0] == "column":
        return Bound(left[1], op, right[1])
    if left[0] == "length" and isinstance(right[1], int):
        return LengthBound(left[1], op, right[1])
    raise _Unsupported(left)
