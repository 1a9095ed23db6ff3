"""Values from patterns: a small regular-expression generator and `{n}` templates.

The regex subset: literals, escapes (\\d \\w \\s \\. ...), classes `[A-Z0-9_]` (negation not
supported), `.`, groups with alternatives `(a|bc)`, and the quantifiers ? * + {m} {m,} {m,n}
(unbounded ones stop at 8). A pattern without alternatives of varying shape can also enumerate its
language, which gives unique values that still match the pattern.
"""

from __future__ import annotations

import random
import string
from collections.abc import Sequence
from dataclasses import dataclass

_DIGITS = string.digits
_WORD = string.ascii_letters + string.digits + "_"
_SPACE = " "
_DOT = string.ascii_letters + string.digits
_ESCAPES = {"d": _DIGITS, "w": _WORD, "s": _SPACE}
_UNBOUNDED = 8


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class _Lit:
    text: str


@dataclass(frozen=True)
class _Cls:
    chars: str


@dataclass(frozen=True)
class _Alt:
    options: tuple[tuple[_Node, ...], ...]  # each a sequence of nodes


@dataclass(frozen=True)
class _Rep:
    node: _Node
    low: int
    high: int


_Node = _Lit | _Cls | _Alt | _Rep


class RegexPattern:
    """A compiled pattern: `sample(rng)` draws one matching string, `nth(k)` enumerates."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._pos = 0
        self.nodes = self._sequence()
        if self._pos != len(pattern):
            raise PatternError(f"unexpected ')' at position {self._pos}")
        self.positions = _flatten(self.nodes)

    # parsing
    def _peek(self) -> str:
        return self.pattern[self._pos] if self._pos < len(self.pattern) else ""

    def _sequence(self) -> tuple[_Node, ...]:
        nodes: list[_Node] = []
        while self._pos < len(self.pattern) and self._peek() not in "|)":
            atom = self._atom()
            if atom is not None:
                nodes.append(self._quantified(atom))
        return tuple(nodes)

    def _atom(self) -> _Node | None:
        ch = self._peek()
        self._pos += 1
        if ch in "^$":
            return None
        if ch == ".":
            return _Cls(_DOT)
        if ch == "\\":
            return self._escape()
        if ch == "[":
            return self._class()
        if ch == "(":
            if self.pattern.startswith("?:", self._pos):
                self._pos += 2
            options = [self._sequence()]
            while self._peek() == "|":
                self._pos += 1
                options.append(self._sequence())
            if self._peek() != ")":
                raise PatternError("unclosed group")
            self._pos += 1
            return _Alt(tuple(options))
        if ch in "*+?{":
            raise PatternError(f"nothing to repeat at position {self._pos - 1}")
        return _Lit(ch)

    def _escape(self) -> _Node:
        ch = self._peek()
        if not ch:
            raise PatternError("pattern ends with a backslash")
        self._pos += 1
        if ch in _ESCAPES:
            return _Cls(_ESCAPES[ch])
        if ch.isalnum():
            raise PatternError(f"unsupported escape \\{ch}")
        return _Lit(ch)

    def _class(self) -> _Cls:
        chars: list[str] = []
        if self._peek() == "^":
            raise PatternError("negated classes [^...] are not supported")
        while self._peek() and self._peek() != "]":
            ch = self._peek()
            self._pos += 1
            if ch == "\\":
                esc = self._peek()
                self._pos += 1
                chars.extend(_ESCAPES.get(esc, esc))
                continue
            if self._peek() == "-" and self.pattern[self._pos + 1:self._pos + 2] not in ("]", ""):
                end = self.pattern[self._pos + 1]
                self._pos += 2
                if ord(end) < ord(ch):
                    raise PatternError(f"bad range {ch}-{end}")
                chars.extend(chr(c) for c in range(ord(ch), ord(end) + 1))
            else:
                chars.append(ch)
        if self._peek() != "]":
            raise PatternError("unclosed [")
        self._pos += 1
        unique = "".join(dict.fromkeys(chars))
        if not unique:
            raise PatternError("empty character class")
        return _Cls(unique)

    def _quantified(self, atom: _Node) -> _Node:
        ch = self._peek()
        if ch == "?":
            self._pos += 1
            return _Rep(atom, 0, 1)
        if ch == "*":
            self._pos += 1
            return _Rep(atom, 0, _UNBOUNDED)
        if ch == "+":
            self._pos += 1
            return _Rep(atom, 1, _UNBOUNDED)
        if ch == "{":
            end = self.pattern.find("}", self._pos)
            body = self.pattern[self._pos + 1:end] if end > 0 else ""
            low_text, _, high_text = body.partition(",")
            if not low_text.isdigit() or (high_text and not high_text.isdigit()):
                raise PatternError(f"bad quantifier {{{body}}}")
            self._pos = end + 1
            low = int(low_text)
            high = low if "," not in body else (int(high_text) if high_text else low + _UNBOUNDED)
            if high < low:
                raise PatternError(f"bad quantifier {{{body}}}")
            return _Rep(atom, low, high)
        return atom

    # generation
    def sample(self, rng: random.Random) -> str:
        out: list[str] = []
        _emit(self.nodes, rng, out)
        return "".join(out)

    @property
    def size(self) -> int:
        """How many distinct strings `nth` enumerates (0 when the pattern cannot enumerate)."""
        if self.positions is None:
            return 0
        total = 1
        for options in self.positions:
            total *= len(options)
        return total

    def nth(self, k: int) -> str:
        """The k-th string of the (fixed-shape) language: distinct for k in range(size)."""
        assert self.positions is not None
        out = []
        for options in reversed(self.positions):
            k, digit = divmod(k, len(options))
            out.append(options[digit])
        return "".join(reversed(out))


def _emit(nodes: Sequence[_Node], rng: random.Random, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, _Lit):
            out.append(node.text)
        elif isinstance(node, _Cls):
            out.append(node.chars[int(rng.random() * len(node.chars))])
        elif isinstance(node, _Alt):
            _emit(node.options[int(rng.random() * len(node.options))], rng, out)
        else:
            for _ in range(rng.randint(node.low, node.high)):
                _emit((node.node,), rng, out)


def _flatten(nodes: Sequence[_Node]) -> list[tuple[str, ...]] | None:
    """Positions with their options, for enumeration; repetitions use their upper count; an
    alternative is allowed only between plain literals. None when the shape varies otherwise."""
    positions: list[tuple[str, ...]] = []
    for node in nodes:
        if isinstance(node, _Lit):
            positions.append((node.text,))
        elif isinstance(node, _Cls):
            positions.append(tuple(node.chars))
        elif isinstance(node, _Alt):
            words = []
            for option in node.options:
                literals = [n for n in option if isinstance(n, _Lit)]
                if len(literals) != len(option):
                    return None
                words.append("".join(n.text for n in literals))
            positions.append(tuple(dict.fromkeys(words)))
        else:
            inner = _flatten((node.node,))
            if inner is None:
                return None
            positions.extend(inner * node.high)
    return positions


class Template:
    """`str.format` text where `{n}` is the 1-based row number, `{i}` the 0-based index, and any
    other field is a Faker provider sampled from a pool (e.g. "{last_name} & Sons")."""

    def __init__(self, text: str) -> None:
        self.text = text
        fields = []
        try:
            for _, name, _, _ in string.Formatter().parse(text):
                if name is not None:
                    if not name or not name.isidentifier():
                        raise PatternError(f"bad placeholder '{{{name}}}'")
                    fields.append(name)
            text.format(**{name: 0 if name in ("n", "i") else "x" for name in fields})
        except (ValueError, IndexError, KeyError) as exc:
            raise PatternError(str(exc)) from exc
        self.fields = tuple(dict.fromkeys(fields))
        self.indexed = "n" in self.fields or "i" in self.fields
        self.providers = tuple(name for name in self.fields if name not in ("n", "i"))
