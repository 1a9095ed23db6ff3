"""Columns made directly as PostgreSQL COPY text (`TableBuilder.prefer_copy_text` chooses them):
when nothing else in the row reads a column's values (no key another table copies, no check, no
e-mail made from it...), a generator that
draws from a finite table (numbers 1..n, a small integer range, tabulated decimals, choices, a
pool, a parent's 1..n keys) picks the value's text from a table made once, instead of making the
value and printing it for every row. The text is exactly what the COPY formatter would print
(`str` of the value, and nothing needing an escape), so the rows written do not change."""

from __future__ import annotations

from typing import Any

# Column kinds whose COPY text is `str(value)`: only these are made as text.
TEXT_KINDS = frozenset({"int", "decimal", "string", "text", "enum"})
_SPECIALS = ("\\", "\t", "\n", "\r")  # those seed.load.copy_text escapes (the two stages import neither)


def texts_of(values: list[Any]) -> list[str] | None:
    """The COPY texts of `values` (`str` of each), or None when one would need an escape."""
    texts = list(map(str, values))
    joined = "".join(texts)
    return None if any(special in joined for special in _SPECIALS) else texts
