"""Helm hooks: which events a `helm.sh/hook` annotation names, and the order Helm runs them in.

Hooks follow the manifests by event (pre-install before post-install..., test hooks last), then
`helm.sh/hook-weight`, then name.
"""

from __future__ import annotations

import re

HOOK_ANNOTATION = "helm.sh/hook"
WEIGHT_ANNOTATION = "helm.sh/hook-weight"
DELETE_POLICY_ANNOTATION = "helm.sh/hook-delete-policy"
# Every hook event Helm knows, in the order an install, upgrade, rollback or delete runs them.
HOOK_PHASES = {event: phase for phase, event in enumerate((
    "pre-install", "post-install", "pre-upgrade", "post-upgrade", "pre-rollback", "post-rollback",
    "pre-delete", "post-delete", "test",
))}
HOOK_PHASES["test-success"] = HOOK_PHASES["test"]  # Helm 2's name, still accepted
TEST_EVENTS = frozenset({"test", "test-success"})

_INTEGER = re.compile(r"[+-]?\d+")


def hook_events(annotation: str) -> tuple[str, ...] | None:
    """The events of a `helm.sh/hook` annotation; None when one is unknown (Helm skips such a hook)."""
    events = tuple(event.strip().lower() for event in annotation.split(","))
    return events if all(event in HOOK_PHASES for event in events) else None


def hook_weight(annotation: str) -> int:
    """A `helm.sh/hook-weight` as Helm reads it: an integer, anything else 0."""
    return int(annotation) if _INTEGER.fullmatch(annotation) else 0


def is_test_hook(events: tuple[str, ...]) -> bool:
    return bool(TEST_EVENTS.intersection(events))


def run_order(events: tuple[str, ...], weight: int, name: str) -> tuple[int, int, str]:
    """The sort key of a hook: its first event's phase, then its weight, then its name."""
    return min(HOOK_PHASES[event] for event in events), weight, name
