"""The bundled example (repository root devenv.toml): `devenv report` lists every difference with a reason."""

from __future__ import annotations

from typing import Callable

import jsonschema
import pytest

from tests.unit.parity.conftest import REPO, Run
from tests.unit.parity.test_diff import _bundled_example_renders
from tests.unit.parity.test_report_formats import REPORT_SCHEMA

pytestmark = pytest.mark.skipif(bool(_bundled_example_renders()), reason=_bundled_example_renders() or "n/a")

# what the prod overlay cannot reproduce locally, whatever else the example grows
EXPECTED = {
    ("replicas-reduced", "Deployment/shop/web"), ("replicas-reduced", "Deployment/shop/api"),
    ("autoscaling", "HorizontalPodAutoscaler/shop/api"), ("disruption-budget", "PodDisruptionBudget/shop/api"),
    ("network-policy", "NetworkPolicy/shop/db-allow-app"), ("ingress", "Ingress/shop/shop"),
    ("secret-value-local", "Secret/shop/shop-db"), ("storage-class", "StatefulSet/shop/db"),
    ("cronjob-not-scheduled", "CronJob/shop/cleanup-sessions"), ("service-account", "ServiceAccount/shop/api"),
}


def test_report_lists_every_difference_with_a_reason(devenv_cli: Callable[..., Run]) -> None:
    result = devenv_cli("--config", str(REPO / "devenv.toml"), "report", "--format", "json")
    assert result.exit_code == 0
    document = result.json()
    jsonschema.validate(document, REPORT_SCHEMA)
    found = {(d["code"], f"{d['object']['kind']}/{d['object']['namespace']}/{d['object']['name']}")
             for d in document["deltas"]}
    assert EXPECTED <= found
    for item in document["deltas"]:
        assert item["reason"] and item["hint"], item
        assert item["source"], item
    table = devenv_cli("--config", str(REPO / "devenv.toml"), "report").output
    assert "hint:" in table and "Deployment/shop/api" in table
