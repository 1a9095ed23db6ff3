"""What every renderer shares: the names of the two sides, the totals, the gate, the title."""

from __future__ import annotations

from collections import Counter
from typing import Any

from devenv.model.delta import SEVERITIES, Delta, at_or_above


def labels(meta: dict[str, Any]) -> tuple[str, str]:
    """How the two sides are called: ("prod", "local") for a report, the environment names for a diff."""
    given = meta.get("labels") or {}
    return str(given.get("prod", "prod")), str(given.get("local", "local"))


def counts(deltas: list[Delta]) -> dict[str, Any]:
    """Totals per severity, open and accepted apart (what every format summarises)."""
    open_by = Counter(d.severity for d in deltas if not d.accepted)
    accepted_by = Counter(d.severity for d in deltas if d.accepted)
    return {
        "total": len(deltas),
        "open": sum(open_by.values()),
        "accepted": sum(accepted_by.values()),
        "open_by_severity": {s: open_by.get(s, 0) for s in SEVERITIES},
        "accepted_by_severity": {s: accepted_by.get(s, 0) for s in SEVERITIES},
    }


def gate(deltas: list[Delta], fail_on: str | None) -> dict[str, Any]:
    """The `--fail-on` verdict: the threshold, whether it failed, and how many open deltas fail it."""
    failing = at_or_above(deltas, fail_on) if fail_on else []
    return {"fail_on": fail_on, "failed": bool(failing), "failing": len(failing)}


def failing_testcase(item: Delta, fail_on: str | None) -> bool:
    """For CI formats: an open delta fails at or above the gate, or (without a gate) when warning or error."""
    if item.accepted:
        return False
    threshold = SEVERITIES.index(fail_on) if fail_on else SEVERITIES.index("warning")
    return item.rank >= threshold


def title(meta: dict[str, Any]) -> str:
    """The command line that produced the deltas, in words (a heading, a test suite's name)."""
    command = meta.get("command", "report")
    if command == "diff":
        return f"devenv diff {meta.get('environment_a')} {meta.get('environment_b')}"
    if command == "verify":
        return f"devenv verify: project {meta.get('project')}"
    return f"devenv report: environment {meta.get('environment')}"
