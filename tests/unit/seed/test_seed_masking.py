"""Masking rules and runs: same input, same output everywhere; bijective rules keep uniqueness;
strict mode lists every unclassified column; planted values never come through."""

import re

import pytest
from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text, create_engine, text

from devenv.errors import InputError
from devenv.seed.api import load_or_create_key, mask
from devenv.seed.generate.pools import Pools
from devenv.seed.mask.rules import FeistelPermutation, FormatPreserving, Keyed, build_masker, shuffle_column
from devenv.seed.schema.model import Column as SColumn, Table as STable
from devenv.seed.spec.model import MaskRule
from devenv.seed.spec.parse import parse_spec

KEY = b"0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize("size", [1, 2, 10, 999, 4096, 10_007])
def test_feistel_is_a_bijection(size):
    perm = FeistelPermutation(Keyed(KEY), size, "t")
    assert sorted(perm(i) for i in range(size)) == list(range(size))


def test_format_preserving_keeps_shape_and_is_keyed():
    fpe = FormatPreserving(Keyed(KEY))
    for value in ["+1 (555) 123-4567", "AB12 cd34", "4111-1111-1111-1111", "anna.smith@corp.test"]:
        out = fpe.text(value)
        assert len(out) == len(value) and out != value
        for a, b in zip(value, out):
            assert (a.isdigit(), a.isupper(), a.islower()) == (b.isdigit(), b.isupper(), b.islower())
            if not a.isalnum():
                assert a == b
        assert fpe.text(value) == out
        assert FormatPreserving(Keyed(b"another key, 32 bytes long......")).text(value) != out


def test_format_preserving_integers_keep_digit_count_and_stay_distinct():
    fpe = FormatPreserving(Keyed(KEY))
    outputs = [fpe.integer(v) for v in range(0, 20_000)]
    assert len(set(outputs)) == len(outputs)
    assert all(len(str(o)) == len(str(v)) for v, o in zip(range(0, 20_000), outputs))
    assert fpe.integer(-1234) < 0


def _masker(rule, column, unique=False, table_name="t"):
    table = STable(table_name, (column,))
    keyed = Keyed(KEY)
    return build_masker(MaskRule(*rule) if isinstance(rule, tuple) else MaskRule(rule), table, column, keyed,
                        FormatPreserving(keyed), Pools(1), unique, "test")


def test_fake_is_consistent_across_tables_and_unique_for_emails():
    a = _masker("fake", SColumn("email", String(120)), table_name="customers")
    b = _masker("fake", SColumn("customer_email", String(120)), table_name="orders")
    values = [f"person{i}@corp.test" for i in range(5000)]
    masked = [a(v) for v in values]
    assert masked == [b(v) for v in values]
    assert len(set(masked)) == len(values)
    assert all(m.endswith(("@example.com", "@example.net", "@example.org")) for m in masked)
    assert not any("person" in m for m in masked)


def test_hash_on_integers_and_text():
    ints = _masker("hash", SColumn("n", Integer()))
    assert len({ints(i) for i in range(10_000)}) == 10_000
    assert ints("42") == ints(42)  # text from a dump and an int from a database mask alike
    texts = _masker("hash", SColumn("s", String(64)))
    assert re.fullmatch(r"[0-9a-f]{32}", texts("secret"))
    assert texts(None) is None


def test_rules_that_do_not_fit_the_column():
    with pytest.raises(InputError, match="NOT NULL"):
        _masker("null", SColumn("s", String(10), nullable=False))
    with pytest.raises(InputError, match="format-preserving"):
        _masker("format-preserving", SColumn("d", DateTime()))


def test_shuffle_keeps_the_values():
    values = list(range(100))
    shuffled = shuffle_column(values, Keyed(KEY), "t", "c")
    assert sorted(shuffled) == values and shuffled != values
    assert shuffle_column(values, Keyed(KEY), "t", "c") == shuffled


PLANTED = ["anna.planted@corp.test", "bob.planted@corp.test", "+1 (555) 123-4567", "+44 20 7946 0958",
           "Anna Planted", "Bob Planted"]
DUMP = """SET standard_conforming_strings = on;
COPY public.customers (id, email, name, phone, created_at, notes) FROM stdin;
1	anna.planted@corp.test	Anna Planted	+1 (555) 123-4567	2024-01-02 10:00:00+00	call Anna Planted
2	bob.planted@corp.test	Bob Planted	+44 20 7946 0958	\\N	\\N
\\.
INSERT INTO public.orders (id, customer_id, customer_email) VALUES (10, 1, 'anna.planted@corp.test'), (11, 2, 'bob.planted@corp.test');
"""
RULES = {
    "source": "prod.sql",
    "safe": ["customers.id", "customers.created_at", "orders.id", "orders.customer_id"],
    "rules": {"customers": {"email": "fake", "name": "fake", "phone": "format-preserving", "notes": "null"},
              "orders": {"customer_email": "fake"}},
}


@pytest.fixture()
def target(tmp_path):
    md = MetaData()
    Table("customers", md, Column("id", Integer, primary_key=True), Column("email", String(120), unique=True),
          Column("name", String(80)), Column("phone", String(30)), Column("created_at", DateTime), Column("notes", Text))
    Table("orders", md, Column("id", Integer, primary_key=True), Column("customer_id", ForeignKey("customers.id")),
          Column("customer_email", String(120)))
    (tmp_path / "prod.sql").write_text(DUMP)
    path = tmp_path / "local.db"
    engine = create_engine(f"sqlite:///{path}")
    md.create_all(engine)
    engine.dispose()
    return f"sqlite:///{path}", tmp_path


def rows(url, sql):
    engine = create_engine(url)
    with engine.connect() as conn:
        out = conn.execute(text(sql)).fetchall()
    engine.dispose()
    return out


def spec_in(folder, mask_section):
    return parse_spec({"database": "app", "seed": 1, "mask": mask_section}, folder / "spec.toml")


def test_planted_values_never_reach_the_target_and_joins_survive(target):
    url, folder = target
    summary = mask(url, spec_in(folder, RULES), key=KEY)
    assert summary.rows == 4
    everything = " ".join(str(v) for table in ("customers", "orders") for row in rows(url, f"SELECT * FROM {table}")
                          for v in row)
    for planted in PLANTED:
        assert planted not in everything
    joined = rows(url, "SELECT c.email, o.customer_email FROM orders o JOIN customers c ON c.id = o.customer_id")
    assert len(joined) == 2 and all(a == b for a, b in joined)


def test_same_key_same_output_on_every_run(target):
    url, folder = target
    mask(url, spec_in(folder, RULES), key=KEY)
    first = rows(url, "SELECT * FROM customers ORDER BY id")
    mask(url, spec_in(folder, RULES), key=KEY, reset=True)
    assert rows(url, "SELECT * FROM customers ORDER BY id") == first
    mask(url, spec_in(folder, RULES), key=b"another key of thirty-two bytes!", reset=True)
    assert rows(url, "SELECT * FROM customers ORDER BY id") != first


def test_strict_mode_lists_every_unclassified_column(target):
    url, folder = target
    partial = {**RULES, "rules": {"customers": {"email": "fake"}}}
    with pytest.raises(InputError) as caught:
        mask(url, spec_in(folder, partial), key=KEY)
    assert "4 column(s) are neither masked nor declared safe" in caught.value.what
    for missing in ("customers.name", "customers.phone", "customers.notes", "orders.customer_email"):
        assert missing in caught.value.what
    assert rows(url, "SELECT COUNT(*) FROM customers") == [(0,)]


def test_non_strict_mode_fakes_the_rest(target):
    url, folder = target
    partial = {**RULES, "strict": False, "rules": {"customers": {"email": "fake"}}}
    summary = mask(url, spec_in(folder, partial), key=KEY)
    assert any("not classified, faked" in w for w in summary.warnings)
    assert "Anna Planted" not in str(rows(url, "SELECT * FROM customers"))


def test_foreign_key_ends_must_mask_alike(target):
    url, folder = target
    broken = {**RULES, "safe": ["customers.id", "customers.created_at", "orders.id"],
              "rules": {**RULES["rules"], "orders": {"customer_email": "fake", "customer_id": "hash"}}}
    with pytest.raises(InputError, match="foreign keys would break"):
        mask(url, spec_in(folder, broken), key=KEY)


def test_key_file_is_created_once_and_private(tmp_path):
    path = tmp_path / ".devenv" / "seed.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and load_or_create_key(path) == key
    assert path.stat().st_mode & 0o777 == 0o600
