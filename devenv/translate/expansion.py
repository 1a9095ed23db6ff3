"""Kubelet's `$(VAR)` expansion (Compose's own `${VAR}` interpolation is escaped by the Compose writer)."""

from __future__ import annotations

from typing import Callable


def expand(text: str, lookup: Callable[[str], str | None]) -> str:
    """Expand `$(VAR)` as the kubelet does: `$$` is a literal `$`, unknown variables stay as written."""
    out: list[str] = []
    checkpoint = 0
    cursor = 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            following = text[cursor + 1]
            if following == "$":
                out.append("$")
                advance = 1
            elif following == "(":
                close = text.find(")", cursor + 2)
                if close == -1:
                    out.append("$(")
                    advance = 1
                else:
                    name = text[cursor + 2:close]
                    value = lookup(name)
                    out.append(f"$({name})" if value is None else value)
                    advance = close - cursor
            else:
                out.append("$" + following)
                advance = 1
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


def references(text: str) -> set[str]:
    """The variable names `text` refers to with `$(VAR)` (escaped ones excluded)."""
    found: set[str] = set()

    def record(name: str) -> str | None:
        found.add(name)
        return None

    expand(text, record)
    return found

