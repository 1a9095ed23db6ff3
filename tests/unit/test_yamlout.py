"""The fast YAML emitter round-trips every shape it meets: parsing its output gives the input back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from devenv.compose import yamlout
from devenv.compose.writer import compose_document
from tests.unit.translate_helpers import run

TRICKY = ["", " ", "yes", "No", "on", "null", "~", "true", "1", "1.0", "0o17", "0x1F", "1e3", "-1", ".5", "2026-11-22",
          "12:30", "a: b", "a:", ":a", "#x", "a #b", "- x", "[x]", "{x}", "*x", "&x", "!x", "|", ">", "%x", "@x", "`x",
          "'q'", '"q"', "tab\there", "trailing ", " leading", "ünïcode", "$${HOME}", "${VAR:-0}", "127.0.0.1::8080",
          "service:web-pod", "multi\nline", "multi\nline\n", "ends\n\n", " indented\nfirst", "trail \nspace",
          "a\r\nb", "\x07bell", "line1\n\n  line3\n", "{", "key=value", "/etc/nginx/conf.d/default.conf"]


def compose_escaped(node: Any) -> Any:
    """What Compose must read: every `$` of a value doubled (keys are never interpolated)."""
    if isinstance(node, dict):
        return {k: compose_escaped(v) for k, v in node.items()}
    if isinstance(node, list):
        return [compose_escaped(v) for v in node]
    return node.replace("$", "$$") if isinstance(node, str) else node


@pytest.mark.parametrize("text", TRICKY)
def test_strings_round_trip(text: str) -> None:
    document = {"k": text, text or "empty": [text, {"nested": text}], "list": [[text]]}
    assert yaml.safe_load(yamlout.dump(document)) == compose_escaped(document)


def test_scalars_round_trip() -> None:
    document = {"int": 3, "float": 0.5, "true": True, "false": False, "none": None, "empty": {}, "nothing": []}
    assert yaml.safe_load(yamlout.dump(document)) == document


@pytest.mark.parametrize("case", sorted((Path(__file__).parent.parent / "cases" / "translate").glob("*[!n].yaml")),
                         ids=lambda p: p.stem)
def test_every_translation_case_round_trips(case: Path) -> None:
    output = run(case.read_text())
    text = compose_document(output, "")
    parsed = yaml.safe_load(text)
    assert set(parsed["services"]) == set(output.services)
