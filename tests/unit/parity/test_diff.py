"""`devenv diff ENV_A ENV_B`: a planted set of differences, found exactly; hash suffixes; the bundled example."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import jsonschema
import pytest

from devenv.k8s.yamlio import parse_manifests
from devenv.parity.diff import base_name, diff_environments
from tests.unit.parity.conftest import CASES, REPO, Run
from tests.unit.parity.test_report_formats import REPORT_SCHEMA, check_golden, delta_set


def test_json_lists_exactly_the_planted_differences(devenv_cli: Callable[..., Run], case: Callable[[str], Path]) -> None:
    result = devenv_cli("--config", str(case("diff")), "diff", "a", "b", "--format", "json")
    assert result.exit_code == 0
    document = result.json()
    jsonschema.validate(document, REPORT_SCHEMA)
    expected = json.loads((CASES / "diff" / "expected-diff.json").read_text())
    assert delta_set(document) == sorted(expected)
    assert document["labels"] == {"prod": "b", "local": "a"}
    assert (document["environment_a"], document["environment_b"]) == ("a", "b")
    by_field = {d["field"]: d for d in document["deltas"]}
    assert (by_field["data.LOG_LEVEL"]["prod"], by_field["data.LOG_LEVEL"]["local"]) == ("warn", "debug")
    assert by_field["data.token"]["prod"] == "present, value redacted"
    assert "pinned by digest on one side only" in by_field["spec.template.spec.containers[worker].image"]["reason"]
    assert by_field["spec.replicas"]["source"] == "b/app.yaml:11"


def test_markdown_matches_golden(devenv_cli: Callable[..., Run], case: Callable[[str], Path],
                                 update_goldens: bool) -> None:
    result = devenv_cli("--config", str(case("diff")), "diff", "a", "b", "--format", "markdown")
    check_golden(result.output, CASES / "diff" / "diff.golden.md", update_goldens)


def test_identical_environments_have_no_differences(devenv_cli: Callable[..., Run], case: Callable[[str], Path]) -> None:
    result = devenv_cli("--config", str(case("diff")), "diff", "b", "b", "--fail-on", "info")
    assert result.exit_code == 0
    assert result.output.strip() == "no differences between 'b' and 'b'"


@pytest.mark.parametrize("kind, name, base", [
    ("ConfigMap", "api-config-7k2m9g4b5c", "api-config"),
    ("Secret", "db-creds-t5bd6fhg2m", "db-creds"),
    ("ConfigMap", "web-nginx", "web-nginx"),
    ("ConfigMap", "app-production", "app-production"),  # 'production' is not a Kustomize hash
    ("Deployment", "api-7k2m9g4b5c", "api-7k2m9g4b5c"),
])
def test_generator_hash_suffix_is_ignored_for_generated_kinds(kind: str, name: str, base: str) -> None:
    assert base_name(kind, name) == base


def test_references_to_hashed_names_compare_equal() -> None:
    template = """
apiVersion: v1
kind: ConfigMap
metadata: {{name: cfg-{hash}}}
data: {{A: "1"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app}}
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
          envFrom: [{{configMapRef: {{name: cfg-{hash}}}}}]
          volumeMounts: [{{name: cfg, mountPath: /etc/cfg}}]
      volumes: [{{name: cfg, configMap: {{name: cfg-{hash}}}}}]
"""
    a = parse_manifests(template.format(hash="7k2m9g4b5c"), "a.yaml")
    b = parse_manifests(template.format(hash="2h8f6d4c9t"), "b.yaml")
    assert diff_environments(a, b) == []


def test_a_key_missing_is_reported_once_on_its_configmap() -> None:
    """The env name and the mounted file a missing key implies are the same fact: one delta, on the key."""
    template = """
apiVersion: v1
kind: ConfigMap
metadata: {{name: cfg}}
data: {data}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app}}
spec:
  template:
    spec:
      containers:
        - name: app
          image: app:1
          envFrom: [{{configMapRef: {{name: cfg}}}}]
          volumeMounts: [{{name: cfg, mountPath: /etc/cfg}}]
      volumes: [{{name: cfg, configMap: {{name: cfg}}}}]
"""
    a = parse_manifests(template.format(data='{A: "1"}'), "a.yaml")
    b = parse_manifests(template.format(data='{A: "1", B: "2"}'), "b.yaml")
    found = [(d.code, str(d.object), d.field, d.prod, d.local) for d in diff_environments(a, b)]
    assert found == [("diff-config-key", "ConfigMap/default/cfg", "data.B", "2", "absent")]


def _bundled_example_renders() -> str:
    from devenv.sources.tools import find_kustomize

    return "" if find_kustomize() is not None else "neither kustomize nor kubectl is installed"


@pytest.mark.skipif(bool(_bundled_example_renders()), reason=_bundled_example_renders() or "n/a")
def test_bundled_example_staging_vs_prod_finds_the_prod_only_config_key(devenv_cli: Callable[..., Run]) -> None:
    """PGRST_DB_MAX_ROWS is planted in the prod overlay's api-config only (hash-suffixed in both)."""
    result = devenv_cli("--config", str(REPO / "devenv.toml"), "diff", "staging", "prod", "--format", "json",
                        "--fail-on", "warning")
    assert result.exit_code == 1
    deltas = result.json()["deltas"]
    key = [d for d in deltas if d["code"] == "diff-config-key" and d["field"] == "data.PGRST_DB_MAX_ROWS"]
    assert len(key) == 1
    assert key[0]["object"] == {"kind": "ConfigMap", "namespace": "shop", "name": "api-config"}
    assert (key[0]["prod"], key[0]["local"]) == ("1000", "absent")
    assert not [d for d in deltas if d["code"] == "diff-object" and d["object"]["kind"] == "ConfigMap"]
    assert all(d["reason"] and d["hint"] for d in deltas)
