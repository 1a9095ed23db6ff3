"""Indexes and foreign keys set aside while seeding PostgreSQL (as pg_restore loads) come back
exactly as they were; what cannot be made again exactly keeps its index; a duplicate or a
dangling reference still fails the run, rolled back whole. One case per shape, on PostgreSQL 15."""

from __future__ import annotations

import pytest

from devenv.errors import RuntimeFailure
from devenv.seed.api import seed
from devenv.seed.load import postgres
from devenv.seed.spec.parse import parse_spec
from tests.support.pg_checks import execute, fetch

pytestmark = pytest.mark.postgres

# Everything a dropped and re-made index or constraint could lose, as the catalogue tells it.
SNAPSHOT = """
SELECT 'index', indexrelid::regclass::text, pg_get_indexdef(indexrelid), indisclustered::text, indisreplident::text,
       COALESCE(obj_description(indexrelid, 'pg_class'), '') FROM pg_index WHERE indrelid IN
       (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace)
UNION ALL
SELECT 'constraint', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid), convalidated::text,
       condeferrable::text, COALESCE(obj_description(oid, 'pg_constraint'), '') FROM pg_constraint
       WHERE connamespace = 'public'::regnamespace
ORDER BY 1, 2"""

PARENT = "CREATE TABLE p (id integer PRIMARY KEY, code varchar(20) NOT NULL UNIQUE, name text NOT NULL);"
CHILD = "CREATE TABLE c (id integer PRIMARY KEY, p_id integer NOT NULL REFERENCES p (id), qty integer NOT NULL);"

# (case, DDL after the parent and child tables, indexes expected set aside, indexes expected kept)
CASES = [
    ("keys and plain indexes", ("CREATE INDEX c_p ON c (p_id); CREATE INDEX p_lower ON p (lower(name));"
                                "CREATE UNIQUE INDEX c_big ON c (qty, id) WHERE qty > 5;"),
     {"p_pkey", "p_code_key", "c_pkey", "c_p", "p_lower", "c_big"}, set()),
    ("a view grouped by the primary key", "CREATE VIEW v AS SELECT p.id, p.name, count(*) FROM p GROUP BY p.id;",
     {"p_code_key", "c_pkey"}, {"p_pkey"}),
    ("a commented index", ("CREATE INDEX c_qty ON c (qty); COMMENT ON INDEX c_qty IS 'for reports';"
                           "COMMENT ON CONSTRAINT p_code_key ON p IS 'codes are printed';"), {"p_pkey", "c_pkey"}, {"c_qty", "p_code_key"}),
    ("replica identity and cluster", ("CREATE UNIQUE INDEX c_ident ON c (id, qty); "
                                      "ALTER TABLE c REPLICA IDENTITY USING INDEX c_ident; CLUSTER p USING p_code_key;"),
     {"p_pkey", "c_pkey"}, {"c_ident", "p_code_key"}),
    ("a statistics target", "CREATE INDEX p_expr ON p ((id * 2)); ALTER INDEX p_expr ALTER COLUMN 1 SET STATISTICS 500;",
     {"p_pkey", "p_code_key", "c_pkey"}, {"p_expr"}),
    ("a partitioned table", ("CREATE TABLE m (id integer, day date NOT NULL, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);"
                             "CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2000-01-01') TO ('2100-01-01');"
                             "CREATE INDEX m_day ON m (day);"),
     {"p_pkey", "p_code_key", "c_pkey"}, {"m_pkey", "m1_pkey", "m_day", "m1_day_idx"}),
    ("a deferrable unique constraint", "ALTER TABLE c ADD CONSTRAINT c_once UNIQUE (qty, p_id, id) DEFERRABLE INITIALLY DEFERRED;",
     {"p_pkey", "p_code_key", "c_pkey"}, {"c_once"}),  # its recheck trigger depends on it: kept
]


def spy_on_set_aside(monkeypatch) -> list[str]:
    """The relations and statements of the indexes the run sets aside."""
    made: list[str] = []
    original = postgres.set_aside

    def recording(*args, **kwargs):
        found = original(*args, **kwargs)
        made.extend(found_index.make for found_index in found)
        return found
    monkeypatch.setattr(postgres, "set_aside", recording)
    return made


@pytest.mark.parametrize("case, ddl, aside, kept", CASES, ids=[c[0] for c in CASES])
def test_indexes_come_back_exactly_and_only_safe_ones_are_set_aside(pg_url, monkeypatch, case, ddl, aside, kept):
    execute(pg_url, PARENT + CHILD + ddl)
    before = fetch(pg_url, SNAPSHOT)
    made = spy_on_set_aside(monkeypatch)
    summary = seed(pg_url, parse_spec({"database": "x", "seed": 3, "rows": 300}))
    assert summary.rows > 0
    assert fetch(pg_url, SNAPSHOT) == before
    named = {name for name in aside | kept if any(f" {name} " in statement or f'"{name}"' in statement
                                                   or f"CONSTRAINT {name} " in statement for statement in made)}
    assert named == aside, case
    assert fetch(pg_url, "SELECT count(*) FROM c WHERE p_id NOT IN (SELECT id FROM p)") == [(0,)]


def test_a_duplicate_fails_when_the_index_is_made_again_and_nothing_stays(pg_url, monkeypatch):
    execute(pg_url, PARENT + CHILD)
    before = fetch(pg_url, SNAPSHOT)
    from devenv.seed.generate import table

    original = table.TableBuilder.column_batches

    def duplicated(self):
        for batch in original(self):
            if self.table.name == "p":
                position = self.columns.index("code")
                batch.columns[position][1] = batch.columns[position][0]
            yield batch
    monkeypatch.setattr(table.TableBuilder, "column_batches", duplicated)
    with pytest.raises(RuntimeFailure) as caught:
        seed(pg_url, parse_spec({"database": "x", "seed": 3, "rows": 50}))
    shown = f"{caught.value} {caught.value.details}"
    assert "p_code_key" in shown and "duplicate" in shown, shown
    assert fetch(pg_url, SNAPSHOT) == before
    assert fetch(pg_url, "SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM c)") == [(0,)]


def test_foreign_keys_come_back_table_by_table_while_the_next_rows_are_made(pg_url, monkeypatch):
    """A key is put back once both its tables are loaded, before the last table is loaded."""
    execute(pg_url, PARENT + CHILD + "CREATE TABLE z (id integer PRIMARY KEY, note text);")
    events: list[str] = []
    original_load, original_put = postgres.PostgresLoader.load, postgres.PostgresLoader._put_back

    def load(self, table, *args):
        events.append(f"load {table.name}")
        return original_load(self, table, *args)

    def put_back(self, entry):
        events.append(f"key {entry[1]}")
        return original_put(self, entry)
    monkeypatch.setattr(postgres.PostgresLoader, "load", load)
    monkeypatch.setattr(postgres.PostgresLoader, "_put_back", put_back)
    seed(pg_url, parse_spec({"database": "x", "seed": 3, "rows": 50}))
    assert events.index("key c_p_id_fkey") == events.index("load c") + 1
    assert events.index("key c_p_id_fkey") < events.index("load z")
