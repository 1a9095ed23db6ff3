"""devenv.k8s.redact: Secret values removed as manifests enter devenv, keys kept, everything else untouched.

Property-based (Hypothesis): any Secret-shaped object (Secret, SealedSecret, ExternalSecret, alone or in a
List, well-formed or not) loses every value and keeps every key the translation reads; any other object is
returned as it is; a YAML stream keeps its other documents byte for byte and its document numbering.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv.k8s.manifest import Manifest, Origin
from devenv.k8s.redact import (
    LAST_APPLIED,
    REDACTED,
    redact_manifests,
    redact_stream,
    redacted,
    scrub,
    scrub_schema_values,
)
from devenv.k8s.secrets import secret_keys
from devenv.k8s.yamlio import parse_manifests

#: every generated secret value carries this mark, and nothing else does: a mark found after redaction is a leak
MARK = "§ecret"
SECRET_KINDS = ("Secret", "SealedSecret", "ExternalSecret")

names = st.text("abcdefghijklmnopqrstuvwxyz0123456789-._", min_size=1, max_size=12)
#: any text but the mark's first character, with non-ASCII and YAML's awkward characters (line breaks of
#: every kind, quotes, '#', ': ', '---')
texts = st.text(st.characters(blacklist_characters="§", blacklist_categories=("Cs",)), max_size=20) | st.sampled_from(
    ["", "---", "# not a comment", "a: b", "'", '"', "\u2028", "\x85", "yes", "null", "0x1F", "é€😀"])
secret_values = st.one_of(
    st.builds(lambda t: f"{MARK}{t}", texts),
    st.builds(lambda n: f"{MARK}{n}", st.integers()).map(str),
    st.lists(st.builds(lambda t: f"{MARK}{t}", texts), min_size=1, max_size=2),  # malformed: not a string
)
value_maps = st.dictionaries(names, secret_values | st.none(), max_size=4)
#: a field meant to be a mapping of values, sometimes malformed (a string, a list)
value_fields = value_maps | st.builds(lambda t: f"{MARK}{t}", texts) | st.lists(secret_values, max_size=2)
plain = st.recursive(st.none() | st.booleans() | st.integers() | texts,
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
                     max_leaves=8)


def metadata(draw: st.DrawFn) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": draw(names)}
    annotations = draw(st.dictionaries(names, texts, max_size=2))
    if draw(st.booleans()):
        annotations[LAST_APPLIED] = f'{{"stringData": {{"a": "{MARK}{draw(texts)}"}}}}'
    if annotations:
        meta["annotations"] = annotations
    return meta


@st.composite
def secrets(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(SECRET_KINDS))
    body: dict[str, Any] = {"apiVersion": draw(names), "kind": kind, "metadata": metadata(draw),
                            "extra": draw(plain)}
    if kind == "Secret":
        for field in draw(st.sets(st.sampled_from(["data", "stringData"]))):
            body[field] = draw(value_fields | st.none())
        body["type"] = draw(texts)
    template = {"metadata": {"name": draw(names)}, "data": draw(value_fields)}
    if draw(st.booleans()):
        template["stringData"] = draw(value_maps)
    if kind == "SealedSecret":
        body["spec"] = {"encryptedData": draw(value_fields), **({"template": template} if draw(st.booleans()) else {})}
    if kind == "ExternalSecret":
        refs = draw(st.lists(st.fixed_dictionaries({"secretKey": names, "remoteRef": st.fixed_dictionaries(
            {"key": names})}), max_size=3))
        body["spec"] = {"data": refs, "target": {"name": draw(names), "template": template}}
    return body


@st.composite
def others(draw: st.DrawFn) -> dict[str, Any]:
    """Objects of any other kind, with fields named like a Secret's (data, stringData, spec.encryptedData)."""
    kind = draw(names.filter(lambda k: k not in SECRET_KINDS and not k.endswith("List")) | st.sampled_from(
        ["ConfigMap", "Deployment", "secret", "SecretStore", "Secrets"]))
    return {"apiVersion": "v1", "kind": kind, "metadata": {"name": draw(names)}, "data": draw(plain),
            "stringData": draw(plain), "spec": {"encryptedData": draw(plain)}}


objects = st.recursive(secrets() | others(),
                       lambda inner: st.builds(lambda items, kind: {"apiVersion": "v1", "kind": kind, "items": items},
                                               st.lists(inner, max_size=3), st.sampled_from(["List", "SecretList"])),
                       max_leaves=5)


def leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in [k, *leaves(v)]]
    if isinstance(value, list):
        return [leaf for item in value for leaf in leaves(item)]
    return [value]


def flat(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A document's objects, Lists flattened as yamlio flattens them."""
    if str(document.get("kind", "")).endswith("List") and isinstance(document.get("items"), list):
        return [o for item in document["items"] for o in flat(item)]
    return [document]


def value_fields_of(body: dict[str, Any]) -> list[Any]:
    spec = body.get("spec") or {}
    template = spec.get("template") or (spec.get("target") or {}).get("template") or {}
    return [body.get("data"), body.get("stringData"), spec.get("encryptedData"), template.get("data"),
            template.get("stringData")]


def well_formed(body: dict[str, Any]) -> bool:
    return all(field is None or isinstance(field, dict) for field in value_fields_of(body))


def without_values(body: dict[str, Any]) -> dict[str, Any]:
    """What must survive redaction untouched: everything but the redacted fields."""
    out = {k: v for k, v in body.items() if k not in ("data", "stringData", "spec", "metadata")}
    meta = dict(body["metadata"])
    meta["annotations"] = {k: v for k, v in (meta.get("annotations") or {}).items() if k != LAST_APPLIED}
    return {**out, "metadata": meta}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(objects)
def test_every_secret_value_goes_and_every_key_stays(document: dict[str, Any]) -> None:
    before = repr(document)
    result = redacted(document)
    assert repr(document) == before, "the input is never modified"
    assert not [leaf for leaf in leaves(result) if isinstance(leaf, str) and MARK in leaf]
    for old, new in zip(flat(document), flat(result), strict=True):
        if old["kind"] in SECRET_KINDS:
            if well_formed(old):  # keys of a malformed field (a string, a list) mean nothing: it is replaced whole
                assert secret_keys(Manifest(new, Origin("t"))) == secret_keys(Manifest(old, Origin("t")))
            assert without_values(new) == without_values(old)
            if isinstance(old.get("data"), dict):
                assert set(new["data"]) == set(old["data"])
                assert all(v in (REDACTED, None) for v in new["data"].values())
        else:
            assert new is old, "another kind is returned as it is"
    assert redacted(result) == result, "redaction is idempotent"


@settings(max_examples=100)
@given(others())
def test_other_kinds_are_the_same_object(document: dict[str, Any]) -> None:
    assert redacted(document) is document


@st.composite
def streams(draw: st.DrawFn) -> tuple[str, list[tuple[str, Any]]]:
    """A YAML stream of objects in block or flow style, with comments, empty documents and non-ASCII text:
    the text, and each document's own text with the object it holds."""
    parts = []
    for document in draw(st.lists(objects | st.none(), min_size=1, max_size=5)):
        comment = draw(st.sampled_from(["", "# Source: chart/templates/x.yaml\n", "# é€ comment ---\n"]))
        if document is None:
            parts.append((comment, None))
            continue
        style = draw(st.sampled_from([False, True, None]))
        dumped = yaml.safe_dump(document, default_flow_style=style, allow_unicode=draw(st.booleans()),
                                sort_keys=False)
        parts.append((comment + dumped.removesuffix("...\n"), document))
    return "".join(f"---\n{part}" for part, _ in parts), parts


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(streams())
def test_a_stream_keeps_its_documents_and_loses_its_secret_values(stream: tuple[str, list[tuple[str, Any]]]) -> None:
    text, parts = stream
    result = redact_stream(text)
    assert result is not None
    assert MARK not in result
    loaded = list(yaml.safe_load_all(result))
    assert len(loaded) == len(list(yaml.safe_load_all(text))), "documents keep their numbers"
    assert loaded == [None if d is None else redacted(d) for d in yaml.safe_load_all(text)]
    for part, document in parts:
        if document is None or redacted(document) is document:
            assert f"---\n{part}" in result, "a document without Secret values is kept byte for byte"


def test_a_stream_without_secrets_is_returned_as_it_is() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {password: visible}\n"
    assert redact_stream(text) is text


@pytest.mark.parametrize("text", [
    'apiVersion: v1\nkind: "Secr\\x65t"\nmetadata: {name: a}\nstringData: {a: LEAK}\n',  # kind spelled by escapes
    'apiVersion: v1\nkind: "Sec\\\n  ret"\nmetadata: {name: a}\nstringData: {a: LEAK}\n',  # escaped line break
    'apiVersion: v1\nmetadata: {name: &k Secret}\nkind: *k\nstringData: {a: LEAK}\n',  # kind by an alias
    '<<: {kind: Secret, apiVersion: v1}\nmetadata: {name: a}\nstringData: {a: LEAK}\n',  # kind by a merge key
    'kind: ConfigMap\nkind: Secret\napiVersion: v1\nmetadata: {name: a}\ndata: {a: LEAK}\n',  # the last key wins
    ('apiVersion: v1\nkind: List\nitems:\n- &s {apiVersion: v1, kind: Secret, metadata: {name: a}, data: {a: LEAK}}\n'
     '- *s\n'),  # aliases
], ids=["escaped-kind", "folded-kind", "alias-kind", "merge-key", "duplicate-kind", "alias"])
def test_every_spelling_of_a_secret_is_found(text: str) -> None:
    result = redact_stream(text)
    assert result is not None and "LEAK" not in result
    assert [m.kind for m in parse_manifests(result, "t")] == [m.kind for m in parse_manifests(text, "t")]


def test_an_alias_bomb_is_redacted_in_linear_time() -> None:
    items = ["- &a0 {apiVersion: v1, kind: Secret, metadata: {name: s}, data: {k: LEAK}}"]
    for level in range(1, 12):  # 9**11 Secrets once expanded
        nested = ", ".join([f"*a{level - 1}"] * 9)
        items.append(f"- &a{level} {{apiVersion: v1, kind: List, items: [{nested}]}}")
    text = "apiVersion: v1\nkind: List\nitems:\n" + "\n".join(items) + "\n"
    started = time.perf_counter()
    result = redact_stream(text)
    assert time.perf_counter() - started < 2
    assert result is not None and "LEAK" not in result


def test_a_list_that_contains_itself_loses_that_item() -> None:
    result = redact_stream("&l {apiVersion: v1, kind: List, items: [*l, {apiVersion: v1, kind: Secret, "
                           "metadata: {name: s}, stringData: {k: LEAK}}]}\n")
    assert result is not None and "LEAK" not in result


def test_invalid_yaml_cannot_be_redacted() -> None:
    assert redact_stream("kind: Secret\ndata: {a: [}\n") is None


def test_plain_manifests_are_redacted_and_the_others_kept() -> None:
    secret = Manifest({"kind": "Secret", "metadata": {"name": "s"}, "stringData": {"k": "LEAK"}}, Origin("f", 3), "ns")
    config = Manifest({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "visible"}}, Origin("f", 4))
    clean, same = redact_manifests([secret, config])
    assert clean.body["stringData"] == {"k": REDACTED}
    assert (clean.origin, clean.default_namespace) == (secret.origin, secret.default_namespace)
    assert same is config


@pytest.mark.parametrize("message, values, expected", [
    ("key \"hunter2-x\" has no value", ["hunter2-x"], "key \"(redacted)\" has no value"),
    ("line 1: true is not on", ["1", "on", "true"], "line 1: true is not on"),  # too short, or a YAML word
    ("a=longer-secret b=longer", ["longer", "longer-secret"], "a=(redacted) b=(redacted)"),
])
def test_scrub(message: str, values: list[str], expected: str) -> None:
    assert scrub(message, values) == expected


@pytest.mark.parametrize("message, expected", [
    ("- at '/password': 'hunter2' does not match pattern '^[0-9]+$'",
     "- at '/password': (value redacted) does not match pattern '^[0-9]+$'"),
    ("- at '/a\\'b': 'it\\'s \\\\ x' is not valid 'email'", "- at '/a\\'b': (value redacted) is not valid 'email'"),
    ("- at '/port': got string, want integer", "- at '/port': got string, want integer"),
    ("- at '/tier': value must be one of 'a', 'b'", "- at '/tier': value must be one of 'a', 'b'"),
])
def test_scrub_schema_values(message: str, expected: str) -> None:
    assert scrub_schema_values(message) == expected
