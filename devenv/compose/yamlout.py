"""A small, fast YAML emitter for Compose documents (dicts, lists, strings, numbers, booleans, None).

PyYAML's representer costs more than everything else in a big render; Compose files need none of its
generality. Strings are written plain only when no YAML 1.1 or 1.2 reader could take them for anything
but a string; otherwise double-quoted (a JSON string is a valid YAML scalar), and multi-line strings as
literal blocks so scripts and config files stay readable. A unit test round-trips every shape it emits.
"""

from __future__ import annotations

import json
import re
from typing import Any

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./@%+=-]*(?:[ :][A-Za-z0-9_./@%+=-]+)*")
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})


def scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and ": " not in text and not text.endswith(":"):
        return text
    return json.dumps(text, ensure_ascii=False)


def _block(text: str, indent: str) -> str | None:
    """A literal block for a multi-line string, or None when one cannot carry it exactly."""
    lines = text.split("\n")
    body = lines[:-1] if text.endswith("\n") else lines
    if not body or body[0].startswith((" ", "\t")) or any(line != line.rstrip() for line in body):
        return None
    if any(ord(c) < 32 and c not in "\t" for line in body for c in line) or "\r" in text:
        return None
    if text.endswith("\n\n"):
        return None
    chomp = "" if text.endswith("\n") else "-"
    return f"|{chomp}\n" + "\n".join(f"{indent}{line}" if line else "" for line in body)


def dump(document: dict[str, Any]) -> str:
    out: list[str] = []
    _mapping(document, "", out)
    return "\n".join(out) + "\n"


def _value(value: Any, indent: str) -> str:
    if isinstance(value, str) and "\n" in value:
        block = _block(value, indent + "  ")
        if block is not None:
            return " " + block
    return " " + scalar(value)


def _mapping(mapping: dict[str, Any], indent: str, out: list[str]) -> None:
    for key, value in mapping.items():
        name = scalar(key)
        if isinstance(value, dict) and value:
            out.append(f"{indent}{name}:")
            _mapping(value, indent + "  ", out)
        elif isinstance(value, list) and value:
            out.append(f"{indent}{name}:")
            _sequence(value, indent, out)
        elif isinstance(value, (dict, list)):
            out.append(f"{indent}{name}: {'{}' if isinstance(value, dict) else '[]'}")
        else:
            out.append(f"{indent}{name}:{_value(value, indent)}")


def _sequence(items: list[Any], indent: str, out: list[str]) -> None:
    for item in items:
        if isinstance(item, dict) and item:
            nested: list[str] = []
            _mapping(item, indent + "  ", nested)
            out.append(f"{indent}- {nested[0].lstrip()}")
            out.extend(nested[1:])
        elif isinstance(item, list) and item:
            nested = []
            _sequence(item, indent + "  ", nested)
            out.append(f"{indent}- {nested[0].lstrip()}")
            out.extend(nested[1:])
        else:
            out.append(f"{indent}-{_value(item, indent)}")
