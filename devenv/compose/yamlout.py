"""A small, fast YAML emitter for Compose documents (dicts, lists, strings, numbers, booleans, None).

PyYAML's representer costs several times more than everything else in a big render; Compose files need
none of its generality. What a string may contain is untrusted (it comes from manifests), so every string
is written in one of three forms, and only when every YAML 1.1 or 1.2 reader (PyYAML, and Go's yaml.v3
inside Compose) reads back exactly the same string:

- plain, for a short alphabet of ASCII characters no reader can take for anything but a string;
- a literal block, for multi-line text made only of printable characters that no reader treats as a
  line break (never U+0085, U+2028 or U+2029: yaml.v3 and PyYAML break lines on them);
- otherwise double-quoted, JSON-style, with an escape for every character outside YAML's printable set,
  every line-break-like character and the byte order mark.

A lone UTF-16 surrogate has no YAML form Compose accepts: `Unrepresentable` is raised. Compose
interpolates `$` in every value (never in keys): each `$` of a value is written `$$`, except in
`Interpolated` strings, which carry devenv's own `${DEVENV_...}` references. Property tests round-trip
any string through PyYAML and through `docker compose config`.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from devenv.model.interpolation import Interpolated

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./@%+=-]*(?:[ :][A-Za-z0-9_./@%+=-]+)*")
_RESERVED = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"})
#: characters a double-quoted scalar must escape after json.dumps (which escapes C0 controls, `"` and `\`)
_ESCAPE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: anything that keeps a string out of a literal block: every character but tab, newline and the printable
#: ones that no reader takes for a line break
_NOT_BLOCK = re.compile("[^\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_TRAILING_SPACE = re.compile(r"[ \t]\n|[ \t]$")
#: PyYAML and libyaml refuse an implicit key longer than 1024 characters; longer ones are written `? key`
_LONG_KEY = 1000


class Unrepresentable(ValueError):
    """A string Compose could not read back: it holds a lone UTF-16 surrogate."""

    def __init__(self, text: str) -> None:
        found = _SURROGATE.search(text)
        self.text = text
        self.character = found.group(0) if found else ""
        super().__init__(f"U+{ord(self.character):04X}, a lone UTF-16 surrogate")


def quoted(text: str) -> str:
    """A double-quoted scalar every YAML reader reads back as exactly `text`."""
    out = json.dumps(text, ensure_ascii=False)
    if _ESCAPE.search(out):
        out = _ESCAPE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", out)
    if _SURROGATE.search(out):
        raise Unrepresentable(text)
    return out


def key(value: Any) -> str:
    """A mapping key: never interpolated by Compose, so `$` stays as written."""
    if isinstance(value, str):
        return _string(value)
    return scalar(value)


def scalar(value: Any) -> str:
    """A value: numbers, booleans and None as YAML spells them, strings with `$` escaped for Compose."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return repr(value)
    if isinstance(value, float):
        return _float(value)
    text = str(value)
    if "$" in text and not isinstance(value, Interpolated):
        try:
            return _string(text.replace("$", "$$"))
        except Unrepresentable:
            raise Unrepresentable(text) from None
    return _string(text)


def _float(value: float) -> str:
    """A float YAML 1.1 readers take for one too: `.inf`, `.nan`, and always a dot before an exponent."""
    if not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    text = repr(value)
    return text.replace("e", ".0e", 1) if "e" in text and "." not in text else text


def _string(text: str) -> str:
    if _PLAIN.fullmatch(text) and text.lower() not in _RESERVED and ": " not in text and not text.endswith(":"):
        return text
    return quoted(text)


def _block(text: str, indent: str) -> str | None:
    """A literal block for a multi-line string, or None when one cannot carry it exactly."""
    if _NOT_BLOCK.search(text) or _TRAILING_SPACE.search(text) or text.endswith("\n\n"):
        return None
    lines = text.split("\n")
    body = lines[:-1] if text.endswith("\n") else lines
    first = next((line for line in body if line), None)
    if first is None or first.startswith((" ", "\t")):  # the first line with text sets the indentation
        return None
    chomp = "" if text.endswith("\n") else "-"
    return f"|{chomp}\n" + "\n".join(f"{indent}{line}" if line else "" for line in body)


def dump(document: dict[str, Any]) -> str:
    if not document:
        return "{}\n"
    out: list[str] = []
    _mapping(document, "", out)
    return "\n".join(out) + "\n"


def _value(value: Any, indent: str) -> str:
    if isinstance(value, str) and "\n" in value:
        text = value if isinstance(value, Interpolated) else value.replace("$", "$$")
        block = _block(text, indent + "  ")
        if block is not None:
            return " " + block
    return " " + scalar(value)


def _mapping(mapping: dict[str, Any], indent: str, out: list[str]) -> None:
    for name_value, value in mapping.items():
        name = key(name_value)
        if len(name) > _LONG_KEY:
            out.append(f"{indent}? {name}")
            name, inner = "", indent + "  "
        else:
            inner = indent
        if isinstance(value, dict) and value:
            out.append(f"{indent}{name}:")
            _mapping(value, inner + "  ", out)
        elif isinstance(value, list) and value:
            out.append(f"{indent}{name}:")
            _sequence(value, inner, out)
        elif isinstance(value, (dict, list)):
            out.append(f"{indent}{name}: {'{}' if isinstance(value, dict) else '[]'}")
        else:
            out.append(f"{indent}{name}:{_value(value, inner)}")


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
        elif isinstance(item, (dict, list)):
            out.append(f"{indent}- {'{}' if isinstance(item, dict) else '[]'}")
        else:
            out.append(f"{indent}-{_value(item, indent)}")
