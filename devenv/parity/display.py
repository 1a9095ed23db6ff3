"""How a value reads in a delta: one short line whatever its size (`devenv diff` and `devenv verify`)."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

SHOWN_WIDTH = 100


def shown(value: Any) -> str:
    """A value as one short line: strings as they are, structures as compact JSON, a file as its size and
    digest, anything long cut with an ellipsis."""
    if value is None:
        return "unset"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
    if "\n" in text.rstrip("\n"):
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        digest = hashlib.sha256(text.encode()).hexdigest()[:12]
        return f"{len(text.encode())} bytes, {lines} lines, sha256 {digest}"
    text = text.rstrip("\n")
    return text if len(text) <= SHOWN_WIDTH else text[: SHOWN_WIDTH - 1] + "…"


def shown_pair(a: Any, b: Any) -> tuple[str, str]:
    """Both sides of a change, each one short line that shows where they differ: a long value is cut
    around its first difference, a multi-line one shows its first differing line."""
    one, two = shown(a), shown(b)
    one_text, two_text = _text(a), _text(b)
    if one_text == two_text:
        return one, two
    if "\n" in one_text.rstrip("\n") or "\n" in two_text.rstrip("\n"):
        return _line_window(a, one_text, two_text), _line_window(b, two_text, one_text)
    if one != two:
        return one, two
    return _window(one_text, two_text), _window(two_text, one_text)


def _text(value: Any) -> str:
    if value is None:
        return "unset"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))


def _window(text: str, other: str) -> str:
    """`text` cut to SHOWN_WIDTH around where it first differs from `other`."""
    same = len(os.path.commonprefix([text, other]))
    start = max(0, same - SHOWN_WIDTH // 4)
    end = start + SHOWN_WIDTH - 2
    return ("…" if start else "") + text[start:end] + ("…" if len(text) > end else "")


def _line_window(value: Any, text: str, other: str) -> str:
    """The first line of `text` that differs from `other`'s line at the same place, with the digest."""
    if value is None:
        return "unset"
    lines, others = text.split("\n"), other.split("\n")
    index = next((i for i, line in enumerate(lines) if i >= len(others) or others[i] != line), len(lines) - 1)
    line = lines[index] if index < len(lines) else ""
    other_line = others[index] if index < len(others) else ""
    return f"line {index + 1}: {_window(line, other_line)} ({shown(text)})"
