"""Reading YAML as the API server does, safely: aliases cannot expand without bound nor refer to themselves,
timestamps stay strings, and every malformed stream is one InputError naming the file and document."""

from __future__ import annotations

import pytest

from devenv.errors import InputError
from devenv.k8s.yamlio import MAX_EXPANDED_NODES, parse_manifests

HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"


def laughs(levels: int, width: int = 9) -> str:
    """The "billion laughs": each level an alias list of the previous one, width**levels strings in all."""
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return HEAD + "data:\n" + "".join(f"  {line}\n" for line in lines)


def test_an_alias_bomb_is_refused_without_expanding_it() -> None:
    with pytest.raises(InputError) as caught:
        parse_manifests(laughs(12), "bomb.yaml")  # 9**12 = 282 billion strings if expanded
    assert caught.value.where == "bomb.yaml"
    assert f"more than {MAX_EXPANDED_NODES:,} values" in caught.value.what and caught.value.hint


def test_aliases_within_the_bound_are_read() -> None:
    manifests = parse_manifests(laughs(3), "ok.yaml")
    assert len(manifests[0].body["data"]["a3"]) == 9


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(InputError, match="alias inside its own anchor"):
        parse_manifests(HEAD + "data: &d {a: *d}\n", "loop.yaml")


def test_merge_keys_and_repeated_blocks_work() -> None:
    text = HEAD.replace("name: c", "name: c, labels: &l {app: web}") + "data: {<<: *l, b: x}\n"
    assert parse_manifests(text, "merge.yaml")[0].body["data"] == {"app": "web", "b": "x"}


def test_ampersands_in_values_are_not_anchors() -> None:
    text = HEAD + "data: {url: 'https://x.example/?a=1&b=2', note: 'R & D * 2'}\n"
    assert parse_manifests(text, "amp.yaml")[0].body["data"]["note"] == "R & D * 2"


@pytest.mark.parametrize("value, expected", [("2024-01-01", "2024-01-01"), ("2024-01-01T10:00:00Z", "2024-01-01T10:00:00Z"),
                                             ("=", "="), ("'yes'", "yes"), ("1.5", 1.5)])
def test_scalars_resolve_as_kubernetes_reads_them(value: str, expected: object) -> None:
    assert parse_manifests(HEAD + f"data: {{a: {value}}}\n", "s.yaml")[0].body["data"]["a"] == expected


@pytest.mark.parametrize("text, fragment", [
    ("[" * 2000 + "]" * 2000, "document 1 is a list, not a Kubernetes object"),
    (HEAD.replace("metadata: {name: c}", "metadata: [c]"), "metadata is list, not a mapping"),
    (HEAD.replace("metadata: {name: c}", "metadata: c"), "metadata is str, not a mapping"),
    ("apiVersion: v1\nkind: 7\nmetadata: {name: c}\n", "no 'kind'"),
    ("apiVersion: v1\nkind: List\nitems: [" + "{apiVersion: v1, kind: List, items: [" * 1200 + "]}" * 1200 + "]\n",
     "document 1 nests Lists too deeply"),
])
def test_malformed_streams_are_one_error(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_manifests(text, "bad.yaml")
    assert fragment in str(caught.value)
