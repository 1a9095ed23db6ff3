"""The delta: one way the local stack differs from production, as a value every stage returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from devenv.model.refs import ObjectRef

SEVERITIES = ("info", "warning", "error")
REDACTED = "redacted"


@dataclass(frozen=True)
class Delta:
    """A difference between production and local, with reason and hint; secret values always redacted."""

    code: str
    severity: str
    category: str  # structural | behavioral
    object: ObjectRef
    field: str
    prod: str
    local: str
    reason: str
    hint: str
    accepted: bool = False
    accepted_by: str = ""
    accepted_reason: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def rank(self) -> int:
        return SEVERITIES.index(self.severity)

    def accept(self, rule: str, reason: str) -> "Delta":
        return replace(self, accepted=True, accepted_by=rule, accepted_reason=reason)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["object"] = {"kind": self.object.kind, "namespace": self.object.namespace, "name": self.object.name}
        return data

    def sort_key(self) -> tuple[Any, ...]:
        return (-self.rank, str(self.object), self.field, self.code)


def at_or_above(deltas: list[Delta], severity: str) -> list[Delta]:
    threshold = SEVERITIES.index(severity)
    return [d for d in deltas if d.rank >= threshold and not d.accepted]
