"""Spec validation: strict keys, errors naming the file and the key."""

import datetime as dt
from pathlib import Path

import pytest

from devenv.errors import InputError
from devenv.seed.spec.model import MaskRule
from devenv.seed.spec.parse import load_spec

GOOD = """
database = "shop"
seed = 42
rows = 50
skip = ["schema_migrations"]
now = 2024-06-01

[tables.customers]
rows = 1000

[tables.customers.columns]
email = { kind = "email" }
tier = { choices = ["gold", "silver"], weights = [1, 9] }
age = { range = [18, 99], null_ratio = 0.2 }
code = { regex = "[A-Z]{3}-[0-9]{4}" }
ref = { template = "C-{n:06d}" }
plan = { constant = "free" }
company = { faker = "company" }
born = { range = [1950-01-01, 2005-12-31] }

[tables.orders]
per_parent = { column = "customer_id", min = 0, max = 8, distribution = "poisson", mean = 2 }

[mask]
source = "dumps/shop.sql"
safe = ["orders.*", "customers.id"]

[mask.rules.customers]
email = "fake"
phone = "fpe"
tier = { rule = "constant", value = "gold" }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shop.toml"
    path.write_text(text)
    return path


def test_a_complete_spec_loads(tmp_path):
    spec = load_spec(write(tmp_path, GOOD))
    assert spec.database == "shop" and spec.seed == 42 and spec.rows == 50
    assert spec.now == dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
    assert spec.tables["customers"].rows == 1000
    columns = spec.tables["customers"].columns
    assert columns["tier"].generator == "choices" and columns["tier"].weights == (1.0, 9.0)
    assert columns["age"].value == (18, 99) and columns["age"].null_ratio == 0.2
    assert columns["born"].value == (dt.date(1950, 1, 1), dt.date(2005, 12, 31))
    per_parent = spec.tables["orders"].per_parent
    assert per_parent.columns == ("customer_id",) and per_parent.distribution == "poisson"
    assert spec.mask.source.kind == "dump"
    assert spec.mask.source.location == str((tmp_path / "dumps/shop.sql").resolve())
    assert spec.mask.rule_for("customers", "phone") == MaskRule("format-preserving")
    assert spec.mask.rule_for("orders", "anything") == MaskRule("keep")
    assert spec.mask.rule_for("customers", "name") is None


INVALID = [
    ("colour = 1", "colour", "unknown key 'colour'"),
    ("[tables.t]\nrow = 5", "tables.t.row", "unknown key 'row'"),
    ("[tables.t.columns]\nc = { kindd = 'email' }", "tables.t.columns.c.kindd", "unknown key 'kindd'"),
    ("[tables.t.columns]\nc = { kind = 'email', constant = 1 }", "tables.t.columns.c", "one generator"),
    ("[tables.t]\nrows = 5\nper_parent = { column = 'p' }", "tables.t", "either 'rows' or 'per_parent'"),
    ("[tables.t]\nrows = -1", "tables.t.rows", "at least 0"),
    ("[tables.t]\nper_parent = { column = 'p', distribution = 'zipf' }", "tables.t.per_parent.distribution",
     "unknown distribution"),
    ("[tables.t.columns]\nc = { choices = ['a'], weights = [1, 2] }", "tables.t.columns.c.weights", "2 weights"),
    ("[tables.t.columns]\nc = { range = [5, 1] }", "tables.t.columns.c.range", "low is above high"),
    ("[tables.t.columns]\nc = { template = 'no placeholder' }", "tables.t.columns.c.template", "placeholder"),
    ("[tables.t.columns]\nc = { null_ratio = 2 }", "tables.t.columns.c.null_ratio", "between 0 and 1"),
    ("[mask]\nsafe = ['nodot']", "mask.safe", "not table.column"),
    ("[mask.rules.t]\nc = 'scramble'", "mask.rules.t.c", "unknown masking rule"),
    ("[mask]\nsafe = ['t.c']\n[mask.rules.t]\nc = 'fake'", "mask.rules.t.c", "both ruled and declared safe"),
    ("[mask.rules.t]\nc = { rule = 'constant' }", "mask.rules.t.c", "needs a 'value'"),
    ("[mask]\nsource = { csv = 'a', url = 'b' }", "mask.source", "exactly one"),
]


@pytest.mark.parametrize("extra,key,message", INVALID)
def test_invalid_specs_name_file_and_key(tmp_path, extra, key, message):
    path = write(tmp_path, 'database = "shop"\nseed = 1\n' + extra + "\n")
    with pytest.raises(InputError) as caught:
        load_spec(path)
    assert caught.value.where == f"{path}: {key}"
    assert message in caught.value.what


def test_missing_required_keys(tmp_path):
    with pytest.raises(InputError, match="missing key 'seed'"):
        load_spec(write(tmp_path, 'database = "x"\n'))
    with pytest.raises(InputError, match="missing key 'database'"):
        load_spec(write(tmp_path, "seed = 1\n"))


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not valid TOML"):
        load_spec(write(tmp_path, "database = \n"))
    with pytest.raises(InputError, match="cannot read"):
        load_spec(tmp_path / "absent.toml")


def test_the_examples_in_seeds_readme_load():
    import re
    import tomllib

    from devenv.seed.spec.parse import parse_spec

    readme = Path(__file__).resolve().parents[3] / "seeds" / "README.md"
    blocks = re.findall(r"```toml\n(.*?)```", readme.read_text(), re.S)
    spec = parse_spec(tomllib.loads("\n".join(blocks)), readme.parent / "shop.toml")
    assert spec.tables["orders"].per_parent.distribution == "poisson"
    assert spec.mask.rules["customers"]["score"].rule == "shuffle"
