"""`devenv report` on a stack with a planted set of deltas: exactly that set, in every format.

The fixture is tests/cases/parity/planted; its expected deltas are expected-report.json, its Markdown
golden report.golden.md (rewritten with `pytest --update-goldens`).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest

from tests.unit.parity.conftest import CASES, REPO, Run

REPORT_SCHEMA = json.loads((REPO / "docs" / "report-schema.json").read_text())
SARIF_SCHEMA = json.loads((CASES / "sarif-2.1.0-subset.schema.json").read_text())
FORMATS = ("table", "json", "markdown", "junit", "sarif")


def delta_set(document: dict[str, Any]) -> list[list[Any]]:
    return sorted([d["severity"], d["code"], f"{d['object']['kind']}/{d['object']['namespace']}/{d['object']['name']}",
                   d["field"], d["accepted"]] for d in document["deltas"])


def check_golden(text: str, golden: Path, update: bool) -> None:
    if update or not golden.exists():
        golden.write_text(text)
        if not update:
            pytest.fail(f"golden {golden.name} was missing and has been written: review and commit it")
    assert text == golden.read_text()


def test_json_lists_exactly_the_planted_deltas(devenv_cli: Callable[..., Run], case: Callable[[str], Path]) -> None:
    result = devenv_cli("--config", str(case("planted")), "report", "--format", "json")
    assert result.exit_code == 0
    document = result.json()
    jsonschema.validate(document, REPORT_SCHEMA)
    expected = json.loads((CASES / "planted" / "expected-report.json").read_text())
    assert delta_set(document) == sorted(expected)
    assert document["summary"] == {"total": 7, "open": 6, "accepted": 1,
                                   "open_by_severity": {"info": 4, "warning": 1, "error": 1},
                                   "accepted_by_severity": {"info": 0, "warning": 1, "error": 0}}
    accepted = [d for d in document["deltas"] if d["accepted"]]
    assert accepted[0]["accepted_by"] == "devenv.toml accept[0]"
    assert accepted[0]["accepted_reason"] == "policies are tested in staging"
    assert all(d["reason"] and d["hint"] for d in document["deltas"])
    sources = {d["code"]: d["source"] for d in document["deltas"]}
    assert sources["network-policy"] == "k8s/policy.yaml:1"
    assert sources["replicas-reduced"] == "k8s/app.yaml:15"
    assert sources["acceptance-unused"] == "devenv.toml:17"


def test_markdown_matches_golden(devenv_cli: Callable[..., Run], case: Callable[[str], Path],
                                 update_goldens: bool) -> None:
    result = devenv_cli("--config", str(case("planted")), "report", "--format", "markdown", "--fail-on", "error")
    assert result.exit_code == 1
    check_golden(result.output, CASES / "planted" / "report.golden.md", update_goldens)


def test_markdown_stays_short_for_a_big_stack() -> None:
    from devenv.k8s.manifest import ObjectRef
    from devenv.model.catalogue import delta
    from devenv.parity.formats import as_markdown

    deltas = [delta("resources", ObjectRef("Deployment", "ns", f"app-{i}"), "spec.template", "cpu=1", "none")
              for i in range(500)]
    deltas += [delta("network-policy", ObjectRef("NetworkPolicy", "ns", f"np-{i}"), "spec") for i in range(200)]
    text = as_markdown(deltas, {"command": "report", "environment": "prod", "project": "big"})
    assert len(text.splitlines()) < 90
    assert "… and 150 more" in text
    assert "<details><summary>500 info delta(s), by code</summary>" in text
    assert "+492 more" in text


def junit_cases(xml_text: str) -> dict[tuple[str, str], str]:
    """Strict structure of the JUnit XML devenv writes (the schema CI readers share): testsuites >
    testsuite > properties? testcase*; testcase has at most one of failure / skipped / system-out;
    every count attribute is an integer and matches the children."""
    root = ET.fromstring(xml_text)
    assert root.tag == "testsuites"
    assert set(root.attrib) == {"name", "tests", "failures", "errors", "skipped"}
    suites = list(root)
    assert [s.tag for s in suites] == ["testsuite"]
    suite = suites[0]
    assert set(suite.attrib) == {"name", "tests", "failures", "errors", "skipped"}
    children = list(suite)
    assert children[0].tag == "properties"
    for prop in children[0]:
        assert prop.tag == "property" and set(prop.attrib) == {"name", "value"}
    outcomes: dict[tuple[str, str], str] = {}
    for testcase in children[1:]:
        assert testcase.tag == "testcase"
        assert set(testcase.attrib) == {"classname", "name"}
        inner = list(testcase)
        assert len(inner) <= 1
        outcome = inner[0].tag if inner else "passed"
        assert outcome in {"failure", "skipped", "system-out", "passed"}
        if outcome == "failure":
            assert set(inner[0].attrib) == {"type", "message"} and inner[0].attrib["type"] in {"info", "warning", "error"}
            assert inner[0].text
        if outcome == "skipped":
            assert set(inner[0].attrib) == {"message"}
        key = (testcase.attrib["classname"], testcase.attrib["name"])
        assert key not in outcomes, f"one testcase per object and code: {key} twice"
        outcomes[key] = outcome
    for element in (root, suite):
        assert int(element.attrib["tests"]) == len(outcomes)
        assert int(element.attrib["failures"]) == sum(o == "failure" for o in outcomes.values())
        assert int(element.attrib["skipped"]) == sum(o == "skipped" for o in outcomes.values())
        assert element.attrib["errors"] == "0"
    return outcomes


@pytest.mark.parametrize("fail_on, failing", [
    (None, {"configmap-missing", "acceptance-unused"}),
    ("info", {"configmap-missing", "acceptance-unused", "replicas-reduced", "autoscaling", "secret-value-local",
              "image-not-pinned"}),
    ("warning", {"configmap-missing", "acceptance-unused"}),
    ("error", {"configmap-missing"}),
])
def test_junit_structure_and_outcomes(devenv_cli: Callable[..., Run], case: Callable[[str], Path],
                                      fail_on: str | None, failing: set[str]) -> None:
    gate = ["--fail-on", fail_on] if fail_on else []
    result = devenv_cli("--config", str(case("planted")), "report", "--format", "junit", *gate)
    assert result.output.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    outcomes = junit_cases(result.output)
    assert {name for (_, name), outcome in outcomes.items() if outcome == "failure"} == failing
    assert outcomes[("NetworkPolicy/shop/deny-all", "network-policy")] == "skipped"
    assert len(outcomes) == 7


def test_junit_groups_deltas_of_one_object_and_code() -> None:
    from devenv.k8s.manifest import ObjectRef
    from devenv.model.catalogue import delta
    from devenv.parity.formats import as_junit

    obj = ObjectRef("Deployment", "ns", "app")
    deltas = [delta("resources", obj, f"spec.template.spec.containers[{i}].resources") for i in range(3)]
    outcomes = junit_cases(as_junit(deltas, {"command": "report", "environment": "prod"}))
    assert outcomes == {("Deployment/ns/app", "resources"): "system-out"}


def test_sarif_is_valid_and_maps_levels(devenv_cli: Callable[..., Run], case: Callable[[str], Path]) -> None:
    result = devenv_cli("--config", str(case("planted")), "report", "--format", "sarif")
    document = result.json()
    jsonschema.validate(document, SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert {k: v["level"] for k, v in by_rule.items()} == {
        "configmap-missing": "error", "acceptance-unused": "warning", "network-policy": "warning",
        "replicas-reduced": "note", "autoscaling": "note", "secret-value-local": "note", "image-not-pinned": "note"}
    for result_item in run["results"]:
        assert rules[result_item["ruleIndex"]]["id"] == result_item["ruleId"]
    assert by_rule["network-policy"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "policies are tested in staging (devenv.toml accept[0])"}]
    assert "suppressions" not in by_rule["replicas-reduced"]
    physical = by_rule["replicas-reduced"]["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "k8s/app.yaml"}, "region": {"startLine": 15}}
    assert by_rule["acceptance-unused"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "devenv.toml"


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_states_the_gate_result(devenv_cli: Callable[..., Run], case: Callable[[str], Path], fmt: str) -> None:
    result = devenv_cli("--config", str(case("planted")), "report", "--format", fmt, "--fail-on", "warning")
    assert result.exit_code == 1
    assert result.output.strip()
