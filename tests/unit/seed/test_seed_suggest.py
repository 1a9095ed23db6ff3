"""Drafted specs: personal data flagged by name and by content, never quoting a sampled value."""

import tomllib

from devenv.seed.api import suggest
from devenv.seed.mask.suggest import classify_column
from devenv.seed.spec.parse import parse_spec

DUMP = """COPY public.people (id, contact, handle_text, score, remark, card) FROM stdin;
1	zoe.planted@corp.test	+1 202 555 0143	10	nothing to say here, really nothing at all today	4111 1111 1111 1111
2	yan.planted@corp.test	+1 202 555 0199	12	another long remark that mentions a few things	5500 0000 0000 0004
\\.
"""


def test_content_flags_columns_with_neutral_names(tmp_path):
    (tmp_path / "dump.sql").write_text(DUMP)
    draft = suggest(str(tmp_path / "dump.sql"), database="shop")
    spec = parse_spec(tomllib.loads(draft))
    rules = spec.mask.rules["people"]
    assert rules["contact"].rule == "fake"
    assert rules["handle_text"].rule == "format-preserving"
    assert rules["card"].rule == "format-preserving"
    assert rules["remark"].rule == "fake"
    assert spec.mask.rule_for("people", "id").rule == "keep"
    assert spec.mask.rule_for("people", "score").rule == "keep"
    assert "planted" not in draft and "555" not in draft and "4111" not in draft


def test_name_based_classification():
    assert classify_column("users", "email", []).rule == "fake"
    assert classify_column("users", "ssn", []).rule == "format-preserving"
    assert classify_column("users", "password_hash", []).rule == "hash"
    assert classify_column("users", "customer_id", ["a@b.test"]).rule is None
    assert classify_column("orders", "status", ["paid", "new"]).rule is None
