"""Reading masking sources: plain SQL dumps of PostgreSQL and MySQL, CSV folders."""

import pytest

from devenv.errors import InputError
from devenv.seed.mask.sources.csv_folder import CsvSource
from devenv.seed.mask.sources.dump import DumpSource

PG_DUMP = r"""--
-- PostgreSQL database dump
--
SET standard_conforming_strings = on;
CREATE TABLE public.customers (
    id integer NOT NULL,
    email character varying(120) NOT NULL,
    notes text,
    CONSTRAINT positive CHECK ((id > 0))
);
CREATE FUNCTION public.audit() RETURNS trigger AS $$
BEGIN
  INSERT INTO audit VALUES (1);
  RETURN NEW;
END $$ LANGUAGE plpgsql;
COPY public.customers (id, email, notes) FROM stdin;
1	anna@corp.test	line1\nline2\ttab
2	bob@corp.test	\N
\.
INSERT INTO public.customers VALUES (3, 'c''d@x.test', 'C:\dir'), (4, 'e@x.test', NULL);
INSERT INTO "orders" ("id", "customer_id", "note") VALUES (1, 3, 'semi;colon -- not a comment');
"""

MYSQL_DUMP = r"""/*!40101 SET NAMES utf8mb4 */;
-- a comment; with a semicolon
INSERT INTO `customers` (`id`, `email`) VALUES (1,'it\'s@x.test'),(2,'back\\slash@x.test'),(3,NULL);
"""


def test_postgres_dump(tmp_path):
    (tmp_path / "d.sql").write_text(PG_DUMP)
    source = DumpSource(tmp_path / "d.sql")
    assert source.tables() == ["customers", "orders"]  # the function body's INSERT is not data
    assert source.columns("customers") == ["id", "email", "notes"]
    assert list(source.rows("customers")) == [
        ("1", "anna@corp.test", "line1\nline2\ttab"), ("2", "bob@corp.test", None),
        ("3", "c'd@x.test", "C:\\dir"), ("4", "e@x.test", None),
    ]
    assert list(source.rows("orders")) == [("1", "3", "semi;colon -- not a comment")]


def test_mysql_dump(tmp_path):
    (tmp_path / "d.sql").write_text(MYSQL_DUMP)
    source = DumpSource(tmp_path / "d.sql")
    assert list(source.rows("customers")) == [("1", "it's@x.test"), ("2", "back\\slash@x.test"), ("3", None)]


def test_insert_without_columns_or_schema_is_an_input_error(tmp_path):
    (tmp_path / "d.sql").write_text("INSERT INTO t VALUES (1, 'a');\n")
    with pytest.raises(InputError, match="without a column list"):
        DumpSource(tmp_path / "d.sql")


def test_csv_folder(tmp_path):
    (tmp_path / "customers.csv").write_text('id,email,notes\n1,a@x.test,"multi\nline"\n2,b@x.test,\\N\n')
    source = CsvSource(tmp_path)
    assert source.tables() == ["customers"]
    assert source.columns("customers") == ["id", "email", "notes"]
    assert list(source.rows("customers")) == [("1", "a@x.test", "multi\nline"), ("2", "b@x.test", None)]
