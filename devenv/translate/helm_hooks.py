"""Helm hooks on a local stack: `devenv up` is an install, so only install hooks run on it.

- `pre-install` hooks run before the release's workloads, `post-install` hooks after them, each phase in
  Helm's order (weight, then name), one after another as Helm runs them;
- hooks whose events never happen to a local stack (upgrade, rollback, delete) and test hooks do not run
  on `up`: they run on demand with `devenv run NAME`;
- each hook's events, weight and delete policy are reported, with what the local stack does instead
  (a hook deleted after it succeeds leaves its exited container locally).
"""

from __future__ import annotations

from dataclasses import dataclass

from devenv.k8s.manifest import Manifest
from devenv.sources.helm.hooks import (
    DELETE_POLICY_ANNOTATION,
    HOOK_ANNOTATION,
    WEIGHT_ANNOTATION,
    hook_events,
    hook_weight,
    is_test_hook,
)

PRE, POST = 0, 1


@dataclass(frozen=True)
class Hook:
    """A workload's Helm hook annotations, read as Helm reads them."""

    events: tuple[str, ...]
    weight: int
    delete_policy: tuple[str, ...]

    @property
    def test(self) -> bool:
        return is_test_hook(self.events)

    @property
    def phase(self) -> int | None:
        """PRE or POST for a hook an install runs, None for one `up` never runs."""
        if "pre-install" in self.events:
            return PRE
        return POST if "post-install" in self.events else None

    def describe(self) -> str:
        policy = ",".join(self.delete_policy) or "before-hook-creation (default)"
        return f"{','.join(self.events)}, weight {self.weight}, delete policy {policy}"

    def local(self) -> str:
        if self.phase is None:
            return "not run on `devenv up`: run it with `devenv run`"
        when = "before the release's workloads" if self.phase == PRE else "after the release's workloads are ready"
        kept = "; its exited container stays" if "hook-succeeded" in self.delete_policy else ""
        return f"runs {when}, in weight order, on every `devenv up`{kept}"


def hook_of(manifest: Manifest) -> Hook | None:
    """The object's hook, None when it is not a hook (or names an event Helm does not know, as Helm skips it)."""
    annotation = manifest.annotations.get(HOOK_ANNOTATION)
    if annotation is None:
        return None
    events = hook_events(annotation)
    if events is None:
        return None
    policy = tuple(p.strip() for p in manifest.annotations.get(DELETE_POLICY_ANNOTATION, "").split(",") if p.strip())
    return Hook(events, hook_weight(manifest.annotations.get(WEIGHT_ANNOTATION, "").strip()), policy)
