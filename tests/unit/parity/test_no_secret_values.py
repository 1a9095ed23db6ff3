"""No Secret value planted in the manifests appears in any format of `report` or `diff`: keys and "redacted" only."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Callable

import pytest

from tests.unit.parity.conftest import Run
from tests.unit.parity.test_report_formats import FORMATS

PLANTED = ("planted-prod-secret-4711", "planted-prod-token-4712", "planted-prod-apikey-4713",
           "planted-staging-secret-0815")
FORBIDDEN = PLANTED + tuple(base64.b64encode(v.encode()).decode() for v in PLANTED) + ("cGxhbnRlZC1wcm9k",)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", [("report",), ("diff", "a", "b"), ("diff", "b", "a")], ids=" ".join)
def test_no_secret_value_in_any_format(devenv_cli: Callable[..., Run], case: Callable[[str], Path],
                                       command: tuple[str, ...], fmt: str) -> None:
    config = case("planted" if command[0] == "report" else "diff")
    output = devenv_cli("--config", str(config), *command, "--format", fmt).output
    assert output.strip()
    for value in FORBIDDEN:
        assert value not in output, f"{value} leaked into {' '.join(command)} --format {fmt}"
    if command[0] == "diff":
        assert "data.token" in output  # the key is named; its value is not


def test_the_fixtures_really_carry_the_planted_values() -> None:
    from tests.unit.parity.conftest import CASES

    text = "".join(p.read_text() for p in CASES.rglob("*.yaml"))
    assert all(value in text for value in PLANTED[:2] + PLANTED[3:])
    assert base64.b64encode(PLANTED[2].encode()).decode() in text
