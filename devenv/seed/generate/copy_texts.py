"""Columns made directly as PostgreSQL COPY text: when nothing else in the row reads a column's
values (no key another table copies, no check, no e-mail made from it...), a generator that
draws from a finite table (numbers 1..n, a small integer range, tabulated decimals, choices, a
pool, a parent's 1..n keys) picks the value's text from a table made once, instead of making the
value and printing it for every row. The text is exactly what the COPY formatter would print
(`str` of the value, and nothing needing an escape), so the rows written do not change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # only for types: the builder imports this module
    from devenv.seed.generate.table import TableBuilder

# Column kinds whose COPY text is `str(value)`: only these are made as text.
TEXT_KINDS = frozenset({"int", "decimal", "string", "text", "enum"})
_SPECIALS = ("\\", "\t", "\n", "\r")


def texts_of(values: list[Any]) -> list[str] | None:
    """The COPY texts of `values` (`str` of each), or None when one would need an escape."""
    texts = list(map(str, values))
    joined = "".join(texts)
    return None if any(special in joined for special in _SPECIALS) else texts


def make_text_columns(builder: TableBuilder) -> frozenset[str]:
    """Switch every column of `builder` that can be made as COPY text to it; returns them."""
    table = builder.table
    read = set(builder.data.keys) | set(builder.email_names or ())
    for check in builder.checks:
        read |= {getattr(check, name) for name in ("left", "right", "column") if hasattr(check, name)}
    for ordinal in builder.ordinals:
        read |= {ordinal.column, *ordinal.group}
    for _, finite in builder.joints:
        read |= {name for name, _ in finite}
    for picker in builder.pickers:
        read |= set(picker.given)
        if len(picker.fk.columns) > 1 or picker.mode == "given":
            read |= set(picker.fk.columns)
    for self_picker in builder.self_pickers:
        read |= set(self_picker.fk.columns)
    for fk in builder.deferred:
        read |= set(fk.columns)
    made: set[str] = set()
    pools = builder.pools
    for name, gen in builder.generators.items():
        if name not in read and table.column(name).kind in TEXT_KINDS and gen.as_copy_text(pools):
            made.add(name)
    for picker in builder.pickers:
        column = picker.fk.columns[0]
        if len(picker.fk.columns) == 1 and column not in read and table.column(column).kind == "int" \
                and picker.as_copy_text(pools):
            made.add(column)
    return frozenset(made)
