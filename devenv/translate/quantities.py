"""Kubernetes resource quantities (`500m`, `1.5`, `64Mi`, `1G`) as numbers."""

from __future__ import annotations

import re
from decimal import Decimal

_SUFFIXES = {
    "": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
    "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60, "m": 0.001,
}
_QUANTITY_RE = re.compile(r"^([0-9.]+(?:[eE][-+]?[0-9]+)?)([a-zA-Z]*)$")


def _parse(text: str) -> float:
    match = _QUANTITY_RE.match(text.strip())
    if not match or match.group(2) not in _SUFFIXES:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    return float(match.group(1)) * _SUFFIXES[match.group(2)]


def cpu_cores(text: str) -> float:
    return _parse(text)


def memory_bytes(text: str) -> int:
    return int(round(_parse(text)))


def exact(text: str) -> Decimal:
    """A quantity as an exact decimal (`250m` is 0.25, `64Mi` is 67108864): for arithmetic that must round
    as Kubernetes rounds, where floats would turn 0.1 core into 100.00000000000001 millicores."""
    match = _QUANTITY_RE.match(text.strip())
    if not match or match.group(2) not in _SUFFIXES:
        raise ValueError(f"not a Kubernetes quantity: {text!r}")
    factor = _SUFFIXES[match.group(2)]
    return Decimal(match.group(1)) * (Decimal("0.001") if match.group(2) == "m" else Decimal(int(factor)))
