"""The Compose emitter, property-tested with PyYAML (C and pure-Python readers) on many documents: any
string, as a key or a value, at any depth, reads back exactly (values with Compose's `$$` escape), so
no value can add or change a key."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.compose import yamlout
from devenv.compose.writer import compose_document
from devenv.errors import InputError
from devenv.model.interpolation import Interpolated, published_port, reference
from devenv.model.output import Output
from tests.unit.security.strategies import strings

READERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


def compose_reading(node: Any) -> Any:
    """What a reader must give back: values with each `$` doubled (Compose's escape), keys as they are,
    devenv's own references untouched."""
    if isinstance(node, dict):
        return {key: compose_reading(value) for key, value in node.items()}
    if isinstance(node, list):
        return [compose_reading(value) for value in node]
    if isinstance(node, str) and not isinstance(node, Interpolated):
        return node.replace("$", "$$")
    return node


scalars = st.one_of(strings(), st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.builds(reference, st.from_regex(r"DEVENV_[A-Z0-9_]{1,12}", fullmatch=True)),
                    st.builds(published_port, st.from_regex(r"DEVENV_PORT_[A-Z0-9_]{1,8}", fullmatch=True),
                              st.integers(1, 65535)))
documents = st.dictionaries(strings(), st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(strings(), inner, max_size=3), max_leaves=8),
    max_size=4)


@settings(max_examples=500, deadline=None)
@given(documents)
def test_any_document_reads_back_exactly(document: dict[str, Any]) -> None:
    text = yamlout.dump(document)
    expected = compose_reading(document)
    for reader in READERS:
        assert yaml.load(text, Loader=reader) == expected


@settings(max_examples=300, deadline=None)
@given(strings(60))
def test_a_string_is_one_value_in_every_position(text: str) -> None:
    """As a service's value, list item, nested value and key, beside keys it could try to imitate."""
    document = {"services": {"app": {"environment": {"A": text, text: "key"}, "command": [text, "after"],
                                     "labels": {"x": text}, "privileged": False}}}
    for reader in READERS:
        read = yaml.load(yamlout.dump(document), Loader=reader)
        assert read == compose_reading(document)
        assert list(read["services"]["app"]) == ["environment", "command", "labels", "privileged"]


@pytest.mark.parametrize("length", [1000, 1001, 1100, 5000])
def test_long_keys_are_written_as_explicit_keys(length: int) -> None:
    long = "K" * (length - 1) + "\u2028"
    document = {"environment": {long: "v\nw", "B": 1}, long: {"nested": [long, {long: None}]}, "after": [long]}
    for reader in READERS:
        assert yaml.load(yamlout.dump(document), Loader=reader) == compose_reading(document)


@settings(max_examples=200, deadline=None)
@given(strings(10), st.sampled_from("\ud800\udbff\udc00\udfff"), strings(10))
def test_a_lone_surrogate_is_refused_with_its_place(before: str, surrogate: str, after: str) -> None:
    with pytest.raises(yamlout.Unrepresentable):
        yamlout.dump({"k": [before + surrogate + after]})
    output = Output(services={"app": {"image": "x", "environment": {"BAD": before + surrogate + after},
                                      "labels": {"dev.devenv.object": "Pod/default/app"}}})
    with pytest.raises(InputError) as caught:
        compose_document(output, "")
    assert "services.app.environment.BAD (from Pod/default/app)" in str(caught.value)
    assert caught.value.exit_code == 2


def test_floats_that_yaml_spells_differently() -> None:
    document = {"a": float("inf"), "b": float("-inf"), "c": 1e300, "d": -0.0}
    for reader in READERS:
        assert yaml.load(yamlout.dump(document), Loader=reader) == document
