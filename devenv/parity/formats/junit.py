"""JUnit XML for CI test reports: one testcase per object and code."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

from devenv import __version__
from devenv.k8s.manifest import ObjectRef
from devenv.model.delta import Delta
from devenv.parity.formats.common import failing_testcase, labels, title


def _testcases(deltas: list[Delta]) -> list[tuple[ObjectRef, str, list[Delta]]]:
    grouped: dict[tuple[ObjectRef, str], list[Delta]] = defaultdict(list)
    for item in deltas:
        grouped[(item.object, item.code)].append(item)
    return sorted(((obj, code, items) for (obj, code), items in grouped.items()),
                  key=lambda t: (str(t[0]), t[1]))


def _describe(item: Delta, prod: str, local: str) -> str:
    lines = [f"{item.severity} {item.code} at {item.field or '(object)'}"]
    if item.prod or item.local:
        lines.append(f"  {prod}: {item.prod}")
        lines.append(f"  {local}: {item.local}")
    lines.append(f"  reason: {item.reason}")
    lines.append(f"  hint: {item.hint}")
    if item.accepted:
        lines.append(f"  accepted by {item.accepted_by}: {item.accepted_reason}")
    return "\n".join(lines)


def as_junit(deltas: list[Delta], meta: dict[str, Any]) -> str:
    """One testcase per object and code: failure when it fails the gate (or, without one, is a warning or
    an error), skipped when accepted, passed otherwise (the details in system-out)."""
    prod, local = labels(meta)
    fail_on = meta.get("fail_on")
    cases = _testcases(deltas)
    suite = ET.Element("testsuite", name=title(meta))
    properties = ET.SubElement(suite, "properties")
    for key, value in (("fail_on", fail_on or ""), ("project", meta.get("project", "")),
                       ("devenv_version", __version__)):
        ET.SubElement(properties, "property", name=key, value=str(value))
    failures = skipped = 0
    for obj, code, items in cases:
        case = ET.SubElement(suite, "testcase", classname=str(obj), name=code)
        text = "\n".join(_describe(d, prod, local) for d in sorted(items, key=lambda d: d.sort_key()))
        failing = [d for d in items if failing_testcase(d, fail_on)]
        if failing:
            failures += 1
            worst = max(failing, key=lambda d: d.rank)
            element = ET.SubElement(case, "failure", type=worst.severity,
                                    message=f"{worst.severity} {code}: {worst.reason}")
            element.text = text
        elif all(d.accepted for d in items):
            skipped += 1
            ET.SubElement(case, "skipped", message=f"accepted by {items[0].accepted_by}: {items[0].accepted_reason}")
        else:
            ET.SubElement(case, "system-out").text = text
    for key, value in (("tests", len(cases)), ("failures", failures), ("errors", 0), ("skipped", skipped)):
        suite.set(key, str(value))
    root = ET.Element("testsuites", name="devenv", tests=str(len(cases)), failures=str(failures), errors="0",
                      skipped=str(skipped))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
