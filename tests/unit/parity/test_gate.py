"""Gating: `--fail-on` exits 1 when an unaccepted delta at or above exists, else 0; accepted deltas never
fail; an acceptance past its expiry no longer accepts (and is itself reported)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from tests.unit.parity.conftest import Run


# planted: open error + warning + infos; diff a b: open warnings + infos, no error
@pytest.mark.parametrize("command, fail_on, code", [
    ("report", None, 0), ("report", "info", 1), ("report", "warning", 1), ("report", "error", 1),
    ("diff", None, 0), ("diff", "info", 1), ("diff", "warning", 1), ("diff", "error", 0),
])
def test_exit_code_of_every_gate(devenv_cli: Callable[..., Run], case: Callable[[str], Path], command: str,
                                 fail_on: str | None, code: int) -> None:
    config = case("planted" if command == "report" else "diff")
    args = ["report"] if command == "report" else ["diff", "a", "b"]
    gate = ["--fail-on", fail_on] if fail_on else []
    assert devenv_cli("--config", str(config), *args, "--format", "json", *gate).exit_code == code


ACCEPT_ALL_DIFFS = """
[[accept]]
code = "diff-*"
reason = "b is ahead of a until the release"
expires = {expires}
"""


def test_accepted_deltas_never_fail_and_are_listed_apart(devenv_cli: Callable[..., Run],
                                                         case: Callable[[str], Path]) -> None:
    config = case("diff")
    config.write_text(config.read_text() + ACCEPT_ALL_DIFFS.format(expires="2999-01-01"))
    result = devenv_cli("--config", str(config), "diff", "a", "b", "--format", "json", "--fail-on", "info")
    assert result.exit_code == 0
    document = result.json()
    assert document["deltas"] and all(d["accepted"] for d in document["deltas"])
    assert document["gate"] == {"fail_on": "info", "failed": False, "failing": 0}
    table = devenv_cli("--config", str(config), "diff", "a", "b", "--fail-on", "info")
    assert table.exit_code == 0
    assert "accepted (15):" in table.output and "gate passed" in table.output


def test_an_expired_acceptance_fails_the_gate(devenv_cli: Callable[..., Run], case: Callable[[str], Path]) -> None:
    config = case("diff")
    config.write_text(config.read_text() + ACCEPT_ALL_DIFFS.format(expires="2020-01-01"))
    result = devenv_cli("--config", str(config), "diff", "a", "b", "--format", "json", "--fail-on", "warning")
    assert result.exit_code == 1
    document = result.json()
    assert not any(d["accepted"] for d in document["deltas"])
    expired = [d for d in document["deltas"] if d["code"] == "acceptance-expired"]
    assert len(expired) == 1 and expired[0]["prod"] == "expired 2020-01-01"


def test_an_expired_acceptance_fails_the_report_gate(devenv_cli: Callable[..., Run], case: Callable[[str], Path]) -> None:
    config = case("planted")
    config.write_text(config.read_text().replace("expires = 2999-12-31", "expires = 2021-06-30"))
    result = devenv_cli("--config", str(config), "report", "--format", "json", "--fail-on", "warning")
    assert result.exit_code == 1
    by_code = {d["code"]: d for d in result.json()["deltas"]}
    assert by_code["network-policy"]["accepted"] is False
    assert by_code["acceptance-expired"]["severity"] == "warning"


def test_annotation_accepts_a_delta(devenv_cli: Callable[..., Run], case: Callable[[str], Path]) -> None:
    config = case("planted")
    policy = config.parent / "k8s" / "policy.yaml"
    policy.write_text(policy.read_text().replace(
        "metadata: {name: app, namespace: shop}",
        'metadata: {name: app, namespace: shop, annotations: {devenv.dev/accept: "autoscaling: load-tested in staging"}}'))
    document = devenv_cli("--config", str(config), "report", "--format", "json").json()
    hpa = next(d for d in document["deltas"] if d["code"] == "autoscaling")
    assert hpa["accepted"] and hpa["accepted_reason"] == "load-tested in staging"


def test_bad_input_exits_2_with_one_clear_message(case: Callable[[str], Path]) -> None:
    config = case("diff")
    done = subprocess.run([sys.executable, "-m", "devenv", "--config", str(config), "diff", "a", "nope"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "no environment named 'nope'" in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run([sys.executable, "-m", "devenv", "--config", str(config), "report", "--fail-on", "fatal"],
                          capture_output=True, text=True)
    assert done.returncode == 2
