"""How a value reads in a delta: one short line whatever its size (`devenv diff` and `devenv verify`)."""

from __future__ import annotations

import hashlib
import json
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
