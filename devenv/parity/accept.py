"""Accepting deltas on purpose: rules in devenv.toml (with expiry) and annotations on the object.

A rule that matches nothing, or that has expired, is itself reported, so stale rules do not pile up.
Host-privilege deltas are never accepted here: only a `[local] allow` grant does (at translation), and
a manifest's own annotation must not vouch for itself; a grant that matches nothing is reported too.
"""

from __future__ import annotations

import datetime as dt
from fnmatch import fnmatchcase
from typing import Iterable

from devenv.config import Acceptance
from devenv.k8s.manifest import Manifest, ObjectRef
from devenv.model.catalogue import delta
from devenv.model.delta import Delta
from devenv.model.privileges import Grant, is_security_code

ANNOTATION = "devenv.dev/accept"
#: the delta codes of a command's own family: its rules apply there and nowhere else
COMMAND_FAMILIES = {"diff": "diff-", "verify": "runtime-"}


def rules_for_command(rules: Iterable[Acceptance], command: str) -> tuple[Acceptance, ...]:
    """Acceptance rules a command applies: `diff-*` codes to diff, `runtime-*` to verify, others to report,
    so a rule meant for one command is never reported unused by another."""
    prefix = COMMAND_FAMILIES.get(command)
    if prefix is None:
        return tuple(r for r in rules if not r.code.startswith(tuple(COMMAND_FAMILIES.values())))
    return tuple(r for r in rules if r.code.startswith(prefix))


def _matches(rule: Acceptance, item: Delta) -> bool:
    obj = item.object
    return (fnmatchcase(item.code, rule.code) and fnmatchcase(obj.kind, rule.kind)
            and fnmatchcase(obj.namespace, rule.namespace) and fnmatchcase(obj.name, rule.name)
            and fnmatchcase(item.field, rule.field))


def annotation_rules(manifests: list[Manifest]) -> dict[ObjectRef, dict[str, str]]:
    """`devenv.dev/accept: "code-a, code-b: reason"` on an object accepts those codes for that object."""
    rules: dict[ObjectRef, dict[str, str]] = {}
    for manifest in manifests:
        text = manifest.annotations.get(ANNOTATION)
        if not text:
            continue
        codes, _, reason = text.partition(":")
        rules[manifest.ref] = {code.strip(): reason.strip() or "accepted by annotation"
                               for code in codes.split(",") if code.strip()}
    return rules


def apply_acceptance(deltas: list[Delta], rules: tuple[Acceptance, ...], manifests: list[Manifest],
                     config_file: str, today: dt.date | None = None) -> list[Delta]:
    today = today or dt.date.today()
    by_annotation = annotation_rules(manifests)
    used: set[int] = set()
    result: list[Delta] = []
    for item in deltas:
        if is_security_code(item.code):
            result.append(item)
            continue
        annotated = by_annotation.get(item.object, {})
        if item.code in annotated or "*" in annotated:
            reason = annotated.get(item.code) or annotated.get("*", "")
            result.append(item.accept(f"annotation {ANNOTATION}", reason))
            continue
        for rule in rules:
            if _matches(rule, item):
                used.add(rule.index)
                if rule.expires is None or rule.expires >= today:
                    item = item.accept(f"{config_file} accept[{rule.index}]", rule.reason)
                break
        result.append(item)
    config_ref = ObjectRef("Config", "", config_file)
    for rule in rules:
        where = f"accept[{rule.index}]"
        if rule.expires is not None and rule.expires < today:
            result.append(delta("acceptance-expired", config_ref, where, prod=f"expired {rule.expires.isoformat()}",
                                local=f"code {rule.code}", reason=rule.reason))
        elif rule.index not in used:
            result.append(delta("acceptance-unused", config_ref, where, prod=f"code {rule.code}",
                                local=f"{rule.kind}/{rule.namespace}/{rule.name}"))
    return result


def unused_grants(deltas: list[Delta], grants: tuple[Grant, ...], config_file: str) -> list[Delta]:
    """An `allow` entry that granted nothing: stale, or a typo that leaves the workload refused."""
    used = {d.accepted_by for d in deltas if is_security_code(d.code) and d.accepted}
    config_ref = ObjectRef("Config", "", config_file)
    return [delta("allow-unused", config_ref, grant.where, prod=str(grant), local="grants nothing")
            for grant in grants if grant.rule not in used]
